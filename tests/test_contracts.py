"""Architecture contracts, checked on every test run:

- the engine (cwb/ outside cwb/ui) never imports streamlit; cwb.ui never imports the command
  line; charts never touch the database (import-linter, configured in pyproject.toml);
- pages never import command-line code or a private name, and never build SQL;
- one page registry (cwb/ui/registry.py) lists every page with the title its frame carries;
- the indicator catalogue's columns are in their queries' ``-- returns:`` headers;
- the type checker (mypy, configured in pyproject.toml) passes on cwb/.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from cwb import catalogue, db, workforce

ROOT = Path(__file__).resolve().parent.parent
PAGE_FILES = ["dashboard.py"] + [f"pages/{p.name}" for p in sorted((ROOT / "pages").glob("*.py"))]
CLI_MODULES = ("cwb.cli", "cwb.ingest.cli", "cwb.__main__", "argparse")


def _tool(name: str) -> str | None:
    return shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)


def _imports(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, module, imported names) of every import in a file."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name, []) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.append((node.lineno, node.module, [a.name for a in node.names]))
    return out


# -- import contracts ------------------------------------------------------------------------------
def test_import_linter_contracts_kept():
    exe = _tool("lint-imports")
    if exe is None:
        pytest.skip("import-linter is not installed (pip install -r requirements.txt)")
    out = subprocess.run([exe, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "3 kept, 0 broken" in out.stdout


def test_engine_contract_covers_every_engine_module():
    """A new engine module is covered by 'the engine never imports streamlit' automatically:
    the contract must list every top-level module and package of cwb except cwb.ui."""
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(cfg["tool"]["importlinter"]["contracts"][0]["source_modules"])
    found = {f"cwb.{p.stem}" for p in (ROOT / "cwb").glob("*.py") if p.stem not in ("__init__", "__main__")}
    found |= {
        f"cwb.{p.name}" for p in (ROOT / "cwb").iterdir() if (p / "__init__.py").is_file() and p.name != "ui"
    }
    assert found == listed, f"add to / remove from the first import-linter contract: {sorted(found ^ listed)}"


@pytest.mark.parametrize("page", PAGE_FILES)
def test_pages_never_import_cli_code_or_private_names(page):
    bad = []
    for line, module, names in _imports(ROOT / page):
        if module in CLI_MODULES or module.startswith("cwb.ingest.cli"):
            bad.append(f"{page}:{line} imports {module}")
        bad += [
            f"{page}:{line} imports {n} from {module}"
            for n in names
            if n.startswith("cmd_") or (n.startswith("_") and module.startswith("cwb"))
        ]
    assert bad == []


@pytest.mark.parametrize("path", sorted((ROOT / "cwb" / "ui").glob("*.py")), ids=lambda p: p.name)
def test_cwb_ui_never_imports_cli_code(path):
    bad = [
        f"{path.name}:{line} {module} {names}"
        for line, module, names in _imports(path)
        if module in CLI_MODULES
        or module.startswith("cwb.ingest.cli")
        or any(n.startswith("cmd_") for n in names)
    ]
    assert bad == []


@pytest.mark.parametrize("page", PAGE_FILES)
def test_pages_never_hold_sql(page):
    """Pages ask for named queries (f.query / data.query); SQL lives in cwb/sql/metrics."""
    text = (ROOT / page).read_text(encoding="utf-8")
    assert not re.search(r"\.(execute|sql)\(", text), f"{page} runs SQL itself"
    assert not re.search(r"\bSELECT\s+.+\s+FROM\b", text, re.I), f"{page} holds SQL text"


SHAPING = ("groupby", "merge", "pivot", "pivot_table", "apply", "transform", "rank", "agg", "concat", "melt")


@pytest.mark.parametrize("page", PAGE_FILES)
def test_pages_never_shape_data(page):
    """Issue 14.7, thin pages: a page picks rows for its view, draws and says what they mean;
    grouping, joining, ranking and reshaping live in SQL, cwb/tables.py (tables as shown and
    exported), cwb/charts or cwb/maps, where they are tested on their own."""
    calls = [
        (n.lineno, n.func.attr)
        for n in ast.walk(ast.parse((ROOT / page).read_text(encoding="utf-8")))
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in SHAPING
    ]
    assert calls == [], f"{page} shapes data itself: {calls}"


# -- one page registry ---------------------------------------------------------------------------
def test_page_registry_lists_every_page_with_its_title():
    from cwb.ui import registry

    assert {p.path for p in registry.PAGES} == set(PAGE_FILES), "every page file is in cwb/ui/registry.py"
    for p in registry.PAGES:
        text = (ROOT / p.path).read_text(encoding="utf-8")
        m = re.search(r"\bframe\(\s*\"([^\"]+)\"", text)
        assert m and m.group(1) == p.title, (
            f"{p.path}: frame title {m and m.group(1)!r} is not the registry's {p.title!r}"
        )


def test_navigation_comes_from_the_registry():
    """Streamlit's navigation is built from the registry (cwb/ui/nav.py) and every page keeps the
    URL Streamlit gave it when pages were found in pages/ ('/' home, '/Spend_overview', ...):
    shared links stay good. The browser check is tests/test_native_nav.py."""
    from cwb.ui import nav, registry

    # the addresses officers have shared (README, meeting packs): a renamed file must not move one
    shared = {
        "dashboard.py": "",
        "pages/8_Anchor_profile.py": "Anchor_profile",
        "pages/9_Present.py": "Present",
        "pages/1_Spend_overview.py": "Spend_overview",
        "pages/2_Spend_trends.py": "Spend_trends",
        "pages/3_Where_the_money_goes.py": "Where_the_money_goes",
        "pages/4_Opportunities.py": "Opportunities",
        "pages/5_Suppliers.py": "Suppliers",
        "pages/6_Workforce.py": "Workforce",
        "pages/7_Land_and_property.py": "Land_and_property",
        "pages/10_Import.py": "Import",
        "pages/11_Data_quality.py": "Data_quality",
        "pages/12_Supplier_review.py": "Supplier_review",
        "pages/13_Help.py": "Help",
    }
    assert {p.path: nav.url_path(p.path) for p in registry.PAGES} == shared
    urls = [nav.url_path(p.path) for p in registry.PAGES]
    assert len(set(urls)) == len(urls), "two pages on one URL"
    assert registry.PAGES[0].path == nav.HOME, "the home page is the registry's first"
    # the frame no longer draws page links of its own on every run
    frame_src = (ROOT / "cwb" / "ui" / "frame.py").read_text(encoding="utf-8")
    assert "page_link" not in frame_src and "_nav(" not in frame_src


# -- the indicator catalogue -----------------------------------------------------------------------
def _returns(query: str) -> set[str]:
    """Column names of a query's '-- returns:' header (names before any parenthesis)."""
    lines, on = [], False
    for line in db.sql_text(query).splitlines():
        if not line.startswith("--"):
            break
        body = line[2:].strip()
        if body.startswith("returns:"):
            on, body = True, body[len("returns:") :]
        elif re.match(r"\w+:", body):
            on = False
        if on:
            lines.append(body)
    text = re.sub(r"\([^)]*\)", "", " ".join(lines))
    return set(re.findall(r"\b([a-z][a-z0-9_]*)\b", text))


def test_catalogue_columns_are_in_their_queries_returns_header():
    ids = [i.id for i in catalogue.CATALOGUE]
    assert len(ids) == len(set(ids)), "catalogue ids are unique"
    for ind in catalogue.CATALOGUE:
        assert ind.format in catalogue.FORMATS
        cols = [c for c in (ind.column, ind.numerator_column, ind.denominator_column) if c]
        if ind.source == "workforce":
            # percentages are computed from protected counts: from cwb.workforce, counts from the query
            for c in cols:
                if c.endswith("_pct"):
                    assert c[:-4] in workforce.INDICATORS, f"{ind.id}: {c} is not a cwb.workforce indicator"
                else:
                    assert c in _returns(ind.query), f"{ind.id}: {c} not in {ind.query}'s returns header"
            continue
        returned = _returns(ind.query)
        if ind.query == "spend_indicators":  # '*_pct shares of spend_gbp' in its header
            returned |= {f"{c[:-4]}_pct" for c in returned if c.endswith("_gbp")} | {"local_sme_pct"}
        for c in cols:
            assert c in returned, f"{ind.id}: column {c} is not in {ind.query}'s '-- returns:' header"


def test_catalogue_columns_are_returned_on_the_demo(demo_con):
    from cwb.method import Method

    m = Method.for_network(demo_con)
    frames = catalogue.source_frames(demo_con, m)
    for ind in catalogue.CATALOGUE:
        df = frames[ind.source]
        for c in (ind.column, ind.numerator_column, ind.denominator_column):
            if c:
                assert c in df.columns, f"{ind.id}: {ind.query} returns no column {c}"
    items = {i["id"]: i for i in catalogue.values(demo_con, m, frames)}
    assert {"A1", "A2", "B2", "B5", "C1", "C2"} <= set(items)
    assert items["A2"]["numerator_gbp"] <= items["A2"]["denominator_gbp"]


# -- type checker ----------------------------------------------------------------------------------
def test_mypy_on_the_engine():
    try:
        import mypy  # noqa: F401
    except ImportError:
        pytest.skip("mypy is not installed (pip install -r requirements.txt)")
    out = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, timeout=900
    )
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]


def test_house_script_has_no_markup_in_its_text():
    """The frame's accessibility script (cwb/ui/style.py) reaches the page through Streamlit's
    HTML sanitizer (DOMPurify), which drops a script whose text looks like markup (an angle
    bracket before a letter or '/'): then no chart is named and the navigation's lists stay
    invalid, silently."""
    from cwb.ui import style

    body = style.SCRIPT.removeprefix("<script>").removesuffix("</script>")
    assert re.findall(r"<[/\w!]", body) == []
