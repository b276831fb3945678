"""Settings read from environment variables, each with a default and a help line.

``python -m cwb settings`` prints them all; a test checks every setting is documented in the
README.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str

    def get(self) -> str:
        return os.environ.get(self.name, self.default)


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in [
        Setting("CWB_DB", str(ROOT / "data" / "cwb.duckdb"), "Path of the DuckDB database file."),
        Setting(
            "CWB_REFERENCE_CACHE",
            str(ROOT / "data" / "reference_cache"),
            "Folder where reference geography built from installed packages is cached (Parquet).",
        ),
        Setting(
            "CWB_ORIGINALS",
            str(ROOT / "data" / "originals"),
            "Folder where imported original files are kept for audit and undo.",
        ),
        Setting("CWB_SUPPRESS_K", "10", "Counts of staff below this are suppressed (shown as <k)."),
        Setting(
            "CWB_MAP_MIN_SUPPLIERS",
            "3",
            "Spend maps shown to a viewer without supplier detail of every anchor "
            "in them never show an area with fewer suppliers than this on its own (merged or hidden).",
        ),
        Setting(
            "CWB_IMD2019_URL",
            "https://assets.publishing.service.gov.uk/media/5d8b3b51ed915d036a455aa6/"
            "File_7_-_All_IoD2019_Scores__Ranks__Deciles_and_Population_Denominators_3.csv",
            "Download address of the official IoD 2019 'File 7' (used only by "
            "'python -m cwb imd --download 2019').",
        ),
        Setting(
            "CWB_IMD2025_URL",
            "",
            "Download address of the official IoD 2025 file (none is built in: set it to use "
            "'python -m cwb imd --download 2025').",
        ),
        Setting(
            "CWB_SENSITIVITY",
            "OFFICIAL",
            "Sensitivity label written into every export (e.g. OFFICIAL, OFFICIAL-SENSITIVE).",
        ),
        Setting("CWB_DEMO_SEED", "20240401", "Seed of the synthetic demo network."),
        Setting(
            "CWB_DEMO_PLACE",
            "E07000123",
            "LAD code of the demo network's place (default Preston; the wider area is its county).",
        ),
        Setting("CWB_MODE", "local", "'local' (one officer, full access) or 'shared' (sign-in)."),
        Setting("CWB_USERS", str(ROOT / "data" / "users.toml"), "Accounts and roles for shared mode."),
        Setting("CWB_MAX_UPLOAD_MB", "200", "Largest file the upload page accepts, in MB."),
        Setting(
            "CWB_MAX_EXPANDED_MB",
            "1000",
            "Largest size, in MB, a zip or a workbook may expand to when read (zip bombs are refused).",
        ),
        Setting(
            "CWB_DATE_MIN", "2000-01-01", "Payments dated before this day are rejected (with their line)."
        ),
        Setting(
            "CWB_DATE_MAX_AHEAD_DAYS",
            "366",
            "Payments dated more than this many days after today are rejected (with their line).",
        ),
        Setting(
            "CWB_MATCH_THRESHOLD",
            "0.9",
            "Register matches at or above this confidence are used "
            "automatically; the rest go to the supplier review queue.",
        ),
        Setting(
            "CWB_REGISTER_MEMORY",
            "1536MB",
            "DuckDB memory limit while a register file loads (the rest spills to disk).",
        ),
    ]
}


def get(name: str) -> str:
    """Return the current value of setting ``name``."""
    return SETTINGS[name].get()


def db_path() -> Path:
    return Path(get("CWB_DB"))


def reference_cache() -> Path:
    return Path(get("CWB_REFERENCE_CACHE"))


def suppress_k() -> int:
    return int(get("CWB_SUPPRESS_K"))


def date_window():
    """(earliest, latest) payment date accepted: CWB_DATE_MIN and today + CWB_DATE_MAX_AHEAD_DAYS."""
    import datetime as dt

    lo = dt.date.fromisoformat(get("CWB_DATE_MIN"))
    hi = dt.date.today() + dt.timedelta(days=int(get("CWB_DATE_MAX_AHEAD_DAYS")))
    return lo, hi
