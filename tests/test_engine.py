"""Engine basics: every metric SQL file runs on the demo database with default parameters and
declares the parameters it uses; the engine (cwb/ outside cwb/ui) never imports streamlit;
every page runs to the end in Streamlit's AppTest and shows something real.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cwb import db

ROOT = Path(__file__).resolve().parent.parent
METRICS = sorted((ROOT / "cwb" / "sql" / "metrics").glob("*.sql"))
PAGES = ["dashboard.py"] + [f"pages/{p.name}" for p in sorted((ROOT / "pages").glob("*.py"))]

# Queries that may legitimately return no rows on the demo with default parameters, and why.
MAY_BE_EMPTY = {
    "imd_editions": "the demo ships without an IMD file (IMD is imported by the user)",
    "land_area_deprivation": "needs IMD, which the demo does not ship",
}


def header(text: str) -> dict[str, str]:
    """The leading comment block: '-- name: purpose', '-- params: ...', '-- returns: ...'
    (continuation lines are indented comments)."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("--"):
            break
        lines.append(line[2:].strip())
    out: dict[str, str] = {}
    key = None
    for i, line in enumerate(lines):
        m = re.match(r"(params|returns):\s*(.*)", line)
        if m:
            key = m.group(1)
            out[key] = m.group(2)
        elif i == 0:
            key = "name"
            out[key] = line
        elif key:
            out[key] += " " + line
    return out


def declared_params(text: str) -> set[str]:
    p = header(text).get("params", "")
    return set() if p.strip().lower().startswith("none") else set(re.findall(r"\$([A-Za-z_]\w*)", p))


@pytest.fixture(scope="module")
def defaults(demo_db) -> dict:
    """Sensible default for every parameter name a metric query may use, read from the demo
    database (its network, latest year, local and wider districts) like the pages do."""
    import duckdb

    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        net_id, region, local, wider, base = con.execute(
            "SELECT network_id, region_code, local_lad_codes, wider_lad_codes, baseline_fy FROM network "
            "ORDER BY network_id LIMIT 1"
        ).fetchone()
        years = sorted(db.run("financial_years", con, network_id=net_id)["financial_year"])
        anchors = [
            r[0]
            for r in con.execute(
                "SELECT anchor_id FROM anchor WHERE network_id = ? ORDER BY 1", [net_id]
            ).fetchall()
        ]
        indicator = con.execute("SELECT indicator FROM target ORDER BY indicator LIMIT 1").fetchone()[0]
    finally:
        con.close()
    return {
        "network_id": net_id,
        "anchor_ids": [],
        "scope_anchor_ids": anchors,
        "fy": years[-1],
        "fy_from": base or years[0],
        "fy_to": years[-1],
        "denominator": "all",
        "top_n": 300,
        "local_lads": list(local),
        "wider_lads": sorted(set(wider) | set(local)),
        "lads": list(local),
        "region_code": region,
        "imd_edition": "2019",
        "area_level": "lad",
        "area_code": local[0],
        "codes": list(local),
        "search": "",
        "shared_only": False,
        "located_only": False,
        "row_limit": 0,
        "within_lads": [],
        "dimension": "anchor_id",
        "tenures": [],
        "statuses": [],
        "indicator": indicator,
        "include_decided": False,
    }


def test_metric_files_exist():
    assert len(METRICS) >= 10


@pytest.mark.parametrize("path", METRICS, ids=lambda p: p.stem)
def test_metric_header_declares_what_it_uses(path):
    text = path.read_text(encoding="utf-8")
    h = header(text)
    assert h.get("name", "").startswith(f"{path.stem}:"), (
        f"{path.name}: first line must be '-- {path.stem}: purpose'"
    )
    assert "params" in h and "returns" in h, f"{path.name}: needs '-- params:' and '-- returns:' lines"
    assert declared_params(text) == db.sql_params(text), (
        f"{path.name}: header declares {sorted(declared_params(text))}, SQL uses {sorted(db.sql_params(text))}"
    )


@pytest.mark.parametrize("path", METRICS, ids=lambda p: p.stem)
def test_metric_runs_on_demo_with_defaults(path, demo_con, defaults):
    used = db.sql_params(path.read_text(encoding="utf-8"))
    missing = used - defaults.keys()
    assert not missing, (
        f"{path.name} uses parameters with no default in tests/test_engine.py: {sorted(missing)}"
        " -- add a sensible default to the `defaults` fixture"
    )
    df = db.run(path.stem, demo_con, **{k: defaults[k] for k in used})
    assert len(df.columns) > 0
    if path.stem not in MAY_BE_EMPTY:
        assert len(df) > 0, f"{path.name} returned no rows on the demo network with default parameters"


def test_run_refuses_missing_parameters(demo_con):
    with pytest.raises(db.QueryError, match="missing parameters"):
        db.run("anchors", demo_con)


# -- the engine does not depend on streamlit ----------------------------------------------------
def _engine_files() -> list[Path]:
    return [
        p for p in sorted((ROOT / "cwb").rglob("*.py")) if "ui" not in p.relative_to(ROOT / "cwb").parts[:1]
    ]


def test_engine_source_never_imports_streamlit():
    offenders = []
    for path in _engine_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.ImportFrom) and node.level and any(a.name == "ui" for a in node.names):
                names = ["cwb.ui"]
            elif (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", ""))
                in ("import_module", "__import__")
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                names = [str(node.args[0].value)]
            for n in names:
                if n in ("streamlit", "cwb.ui") or n.startswith(("streamlit.", "cwb.ui.")):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {n}")
    assert len(_engine_files()) > 10
    assert offenders == [], offenders


def test_importing_the_engine_loads_no_streamlit():
    code = (
        "import importlib, pkgutil, sys\n"
        "import cwb\n"
        "names = [m.name for m in pkgutil.walk_packages(cwb.__path__, 'cwb.')\n"
        "         if m.name != 'cwb.ui' and not m.name.startswith('cwb.ui.') and m.name != 'cwb.__main__']\n"
        "for n in names:\n"
        "    importlib.import_module(n)\n"
        "print(len(names))\n"
        "bad = sorted(m for m in sys.modules if m == 'streamlit' or m.startswith('streamlit.'))\n"
        "print('STREAMLIT', bad[:5])\n"
        "sys.exit(1 if bad else 0)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert int(out.stdout.split()[0]) > 10  # the walk really imported the engine's modules


# -- every page runs in AppTest -------------------------------------------------------------------
@pytest.mark.parametrize("page", PAGES)
def test_page_runs_in_apptest(app_env, page):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / page), default_timeout=180).run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    real = (
        len(at.metric)
        + len(at.dataframe)
        + len(at.table)
        + len(at.get("plotly_chart"))
        + len(at.get("deck_gl_json_chart"))
        + len(at.get("file_uploader"))
    )
    headings = [m.value for m in at.markdown if m.value.lstrip().startswith("#")] + [
        t.value for t in at.title
    ]
    assert real > 0 or (page.endswith("Present.py") and headings), f"{page}: nothing real shown"
    # every page carries the shared frame: the synthetic-data banner on the demo
    assert any("Synthetic demo data" in w.value for w in at.warning), f"{page}: no synthetic-data banner"
