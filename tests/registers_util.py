"""Helpers for the register tests and benchmark: a fresh database with the fixture registers
loaded, a payments file made of the labelled payees, and the precision / recall evaluation."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
SHARED = HERE.parent.parent / "shared"
COUNCILS = SHARED / "reference" / "mysociety_uk_local_authorities_current.csv"
PUBLIC_BODIES = (
    SHARED / "reference" / "registers" / "public_bodies" / "2025-05-29 Public Bodies Directory 2023_24.xlsx"
)

sys.path.insert(0, str(FIXTURES))
import make_registers  # noqa: E402


def labelled() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "registers_labelled.csv", dtype=str, keep_default_na=False)


def cli(db: Path, *args: str) -> int:
    from cwb import cli as cwb_cli

    return cwb_cli.main(["--db", str(db), *args])


def payments_file(path: Path, payees: list[str], start: str = "2024-04-03", step_gbp: float = 1000.0) -> Path:
    """A spend-over-£500 file: one payment per payee, the i-th payee paid (i+1) x step (known answers)."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Payment Date", "Supplier Name", "Amount", "Expenditure Category"])
        d = pd.Timestamp(start)
        for i, p in enumerate(payees):
            w.writerow(
                [
                    (d + pd.Timedelta(days=i % 25)).strftime("%d/%m/%Y"),
                    p,
                    f"{(i + 1) * step_gbp:.2f}",
                    "Services",
                ]
            )
    return path


def load_fixture_registers(db: Path, tmp: Path, public: bool = True) -> dict[str, Path]:
    files = make_registers.write_all(tmp / "registers")
    for kind in ("companies", "ccew", "fca_mutuals", "oscr", "nhs_ods"):
        assert cli(db, "registers", "load", kind, str(files[kind])) == 0, kind
    if public and COUNCILS.is_file():
        assert cli(db, "registers", "load", "councils", str(COUNCILS)) == 0
    if public and PUBLIC_BODIES.is_file():
        assert cli(db, "registers", "load", "public_bodies", str(PUBLIC_BODIES)) == 0
    return files


def evaluate(con) -> dict:
    """Precision of the automatic matches and recall, on the labelled payees."""
    from cwb.ingest.names import normalise_name

    lab = labelled()
    lab["name_norm"] = lab["payee"].map(normalise_name)
    cur = con.cursor()
    m = cur.execute(
        "SELECT name_norm, status, kind || ':' || reg_id AS got, confidence, evidence FROM supplier_match"
    ).df()
    cur.close()
    df = lab.merge(m, on="name_norm", how="left")
    auto = df[df["status"] == "auto"]
    correct = auto[auto["got"] == auto["expected"]]
    wrong = auto[auto["got"] != auto["expected"]]
    positives = df[df["expected"] != ""]
    return {
        "labelled": len(df),
        "positives": len(positives),
        "auto": len(auto),
        "correct": len(correct),
        "precision": len(correct) / len(auto) if len(auto) else 1.0,
        "recall": len(correct) / len(positives) if len(positives) else 0.0,
        "wrong": wrong[["payee", "expected", "got", "evidence"]].to_dict("records"),
        "missed": positives[~positives.index.isin(correct.index)][
            ["payee", "expected", "status", "got"]
        ].to_dict("records"),
    }
