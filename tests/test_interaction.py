"""Every control on every page, driven in a real browser as a user would (click, pick, type).

For each control listed in ``PAGES`` the test changes it, then checks that
- the widget shows the new value (it did not snap back),
- the address follows (the control's query key changes; a copied link reopens the view),
- at least one figure on the page changes (a metric, a chart's data, a table, or -- for a map,
  whose data never reaches the DOM -- its caption and key),
then changes it a second time in a row where listed (the second change must take as well), and
changes it back: widget, address and figures are restored exactly.

The list is declarative: one ``Control`` per widget, by its label. A page that shows a widget
that is in neither its controls nor its ``Skip`` list fails its page's test, so
a new control cannot go untested. Sidebar controls are listed once (``sidebar``) and driven on
every page they are drawn on, with what each page is expected to show for them.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.browser_util import (
    BROWSER,
    ROOT,
    figures,
    options,
    page_paths,
    problems,
    query,
    set_widget,
    settle,
    streamlit_server,
    value,
    widget,
    widgets,
)

SHARED = ROOT.parent / "shared"
pytestmark = BROWSER

FIGS = ("metrics", "charts", "tables")  # "a figure": a metric value, a chart's data, a table
MAP = ("text",)  # maps draw on a canvas: their caption and key carry the figures
AUTO = None  # pick the first other option the widget offers


@dataclass(frozen=True)
class Control:
    kind: str  # selectbox | multiselect | radio | toggle | segmented | text | number | button
    label: str  # exactly as shown ('...*' = label starts with)
    to: str | None = AUTO  # the value chosen (multiselect: an option added, "-X" removes tag X)
    then: str | None | bool = False  # a second value straight after (AUTO = another option); False = none
    url: str | None = None  # the query key that must follow; None = not kept in the address
    figure: tuple = FIGS  # parts of the page of which at least one must change; () = none
    side: bool = False
    setup: tuple = ()  # (Control, value) pairs set first (and undone after)
    back: str | None = None  # how to undo it when not the old value (multiselect "-X", button)
    why: str = ""  # why url is None or figure is narrowed
    known: str = ""  # a known defect of the page (issue number): its failure is reported, not fatal


@dataclass(frozen=True)
class Skip:
    kind: str
    label: str
    why: str
    side: bool = False


# -- the sidebar (cwb/ui/frame.py), drawn on every page but the presentation --------------------
ANCHORS = Control("multiselect", "Anchors (none = whole network)", url="a", side=True, then=AUTO)
FY = Control("selectbox", "Financial year", url="fy", side=True, then=AUTO)
BASE = Control("selectbox", "Baseline year", url="base", side=True, then=AUTO)
LOCAL = Control(
    "multiselect",
    "Local area (districts)",
    to="South Ribble (E07000126)",
    url="local",
    side=True,
    then="Chorley (E07000118)",
)
WIDER = Control(
    "multiselect",
    "Wider area (districts)",
    to="-Lancaster (E07000121)",
    back="Lancaster (E07000121)",
    url="wider",
    side=True,
    then="-Wyre (E07000128)",
)
DEN = Control(
    "radio",
    "Denominator",
    to="Influenceable spend (excludes public bodies, tax and pensions)",
    url="den",
    side=True,
    then="Top N suppliers of each anchor",
)
TOP_N = Control(
    "number", "N", to="20", then="50", url="top", side=True, setup=((DEN, "Top N suppliers of each anchor"),)
)
IMD = Control("radio", "Deprivation edition", url="imd", side=True)
NETWORK = Skip(
    "selectbox",
    "Network",
    "drawn only when the database holds several networks (tests/test_two_networks.py)",
    side=True,
)
SIGN = Skip("button", "Sign out", "shared mode only (tests/test_access.py)", side=True)


def sidebar(
    *, method: bool = True, single: bool = False, anchors: bool = True, twice: bool = False, **narrow
) -> list:
    """The frame's controls; ``narrow`` maps a control's url key to the parts of the page that
    must change for it there (a tuple), with ``()`` when the page does not use that setting.
    The frame's code is the same on every page, so the second change in a row (``twice``) is
    driven on the pages that use every setting; elsewhere each is changed once and back."""
    out = [Control("selectbox", "Anchor", url="a", side=True, then=AUTO) if single else ANCHORS, FY, BASE]
    if not anchors:
        out = out[1:]
    if method:
        out += [LOCAL, WIDER, DEN, TOP_N, IMD]
    res = []
    for c in out:
        if c.url in narrow:
            c = Control(**{**c.__dict__, "figure": narrow[c.url]})
        if not twice:
            c = Control(**{**c.__dict__, "then": False})
        res.append(c)
    return res + [NETWORK, SIGN]


DOWNLOAD = "exports: the content of every file is checked in tests/test_export.py"
IMPORT = "enters data rather than choosing a view: tests/test_ingest_pages.py and test_upload_report_commit_in_browser"

PAGES: dict[str, list] = {
    "/": sidebar(base=("metrics", "tables"), imd=(), wider=())
    + [
        Control(
            "toggle",
            "Presentation mode",
            to="on",
            url="present",
            figure=(),
            why="the same figures in larger type, without sidebar or downloads",
        ),
        Skip("button", "Meeting pack for the network (PPTX)", DOWNLOAD),
    ],
    "/Anchor_profile": sidebar(
        single=True,
        twice=True,
        base=("metrics", "charts"),
        den=("metrics", "charts"),
        wider=(),
        imd=(),
        top=("metrics", "charts"),
    )
    + [
        Skip("button", "Meeting pack for this anchor (PPTX)", DOWNLOAD),
    ],
    "/Present": [
        Control(
            "button",
            "Next ▶",
            to="",
            back="◀ Previous",
            url="s",
            figure=("charts", "text"),
            why="a slide is a headline and a chart",
        ),
        Skip("button", "◀ Previous", "undoes 'Next ▶' above"),
        Skip("button", "✕ Exit presentation", "leaves for the home page (tests/test_pack_present.py)"),
        Skip(
            "multiselect",
            "Anchors (none = whole network)",
            "the sidebar is hidden while presenting",
            side=True,
        ),
        Skip("selectbox", "Financial year", "the sidebar is hidden while presenting", side=True),
        Skip("selectbox", "Baseline year", "the sidebar is hidden while presenting", side=True),
        NETWORK,
        SIGN,
    ],
    "/Spend_overview": sidebar(imd=("metrics",), twice=True)
    + [
        Control("toggle", "Compare within one anchor type", to="on", url="cmp", figure=("charts",)),
        Control(
            "selectbox",
            "Anchor type",
            figure=("charts",),
            then=AUTO,
            url="atype",
            setup=((Control("toggle", "Compare within one anchor type"), "on"),),
            why="drawn only when comparing within a type",
        ),
    ],
    "/Spend_trends": sidebar(fy=("text",), wider=("text", "charts"), imd=())
    + [
        Control("segmented", "Indicator", url="ind", figure=("charts",), then=AUTO),
    ],
    "/Where_the_money_goes": sidebar(
        base=(),
        imd=(),
        top=MAP + FIGS,
        den=MAP + FIGS,
        local=MAP + FIGS,
        wider=MAP + FIGS,
        fy=MAP + FIGS,
        a=MAP + FIGS,
    )
    + [
        Control("radio", "Areas", url="lvl", figure=MAP + ("tables",), then=AUTO),
        Control(
            "radio",
            "Colour by",
            url="col",
            figure=MAP,
            to="Deprivation (IMD 2025)",
            setup=((Control("radio", "Areas"), "LSOA (2011)"),),
        ),
        Control("radio", "Show", url="ext", figure=MAP + ("tables",)),
        Control("toggle", "Show the 300 largest suppliers as points", to="on", url="pts", figure=MAP),
        Control(
            "selectbox",
            "Suppliers in an area (or click the map)",
            figure=("tables",),
            then=AUTO,
            why="the area picked on the map, not kept in the address",
        ),
    ],
    "/Opportunities": sidebar(base=(), imd=(), wider=())
    + [  # local against leaving: the wider area is not used
        Control(
            "toggle",
            "Leave out payments to public bodies, tax and pensions (not open to local suppliers)",
            to="off",
            url="pub",
            figure=FIGS,
        ),
    ],
    # local/wider move a supplier's location band, in rows the grid need not draw: not required to show
    "/Suppliers": sidebar(base=(), local=(), wider=(), imd=())
    + [
        Control(
            "text", "Search supplier names", to="ltd", then="group", url="q", figure=("metrics", "tables")
        ),
        Control(
            "toggle",
            "Only suppliers shared by two or more anchors",
            to="on",
            url="shared",
            figure=("metrics", "tables"),
        ),
    ],
    "/Workforce": sidebar(wider=(), den=(), top=())
    + [
        Control("segmented", "Indicator", url="wind", figure=("charts",), then=AUTO),
        Control("radio", "Areas", url="wlvl", figure=MAP, then=AUTO),
    ],
    "/Land_and_property": sidebar(base=(), local=(), den=(), top=(), wider=MAP)
    + [
        Control("radio", "Break down by", url="ldim", figure=("charts",), then=AUTO),
        Control("radio", "Measure", url="lunit", figure=("charts",)),
        Control("multiselect", "Tenure", url="ten", figure=("tables",) + MAP, then=AUTO),
        Control("multiselect", "Status", url="lst", figure=("tables",) + MAP, then=AUTO),
        Control("radio", "Colour by", url="lcol", figure=MAP),
        Control("toggle", "Deprivation of areas (IMD*", to="on", url="limd", figure=MAP),
        Control("radio", "Trend of", url="ltv", figure=("charts",)),
    ],
    "/Import": sidebar(method=False)
    + [
        Skip("selectbox", "What kind of file", IMPORT),
        Skip("selectbox", "Anchor", IMPORT),
        Skip("text", "Financial year the file describes (workforce and land files)", IMPORT),
        Skip("selectbox", "Boundary level", IMPORT),
        Skip("uploader", "File*", IMPORT),
        Skip("selectbox", "Undo an import (removes everything the file brought in)", IMPORT),
        Skip("text", "Code", IMPORT),
        Skip("text", "Name", IMPORT),
        Skip("multiselect", "Local area", IMPORT),
        Skip("multiselect", "Wider area*", IMPORT),
        Skip("text", "Anchor code", IMPORT),
        Skip("text", "Anchor name", IMPORT),
        Skip("selectbox", "Date order", IMPORT),
        Skip("toggle", "Leave out undated rows*", IMPORT),
        Skip("selectbox", "Type", IMPORT),
        Skip("selectbox", "Network", IMPORT),
    ],
    "/Data_quality": sidebar(
        base=(), imd=(), local=(), wider=()
    ),  # completeness does not depend on the areas
    "/Supplier_review": sidebar(base=(), wider=(), imd=(), local=("metrics",))
    + [
        Skip(k, label, "records a reviewer's decision on a payee (tests/test_registers*.py)")
        for k, label in [
            ("selectbox", "Payee to review"),
            ("radio", "Candidates from the registers"),
            ("text", "Search the register (name or number)"),
            ("selectbox", "Register entries found"),
            ("text", "Or locate by hand: the postcode where the work is done"),
            ("button", "Accept this entry"),
            ("button", "Use this postcode"),
            ("button", "Accept this candidate"),
            ("button", "Reject this candidate"),
            ("button", "No match"),
            ("button", "Mark as individual"),
            ("button", "Mark as outside the UK"),
            ("button", "Mark as public body"),
        ]
    ],
    "/Help": sidebar(
        anchors=False, **{k: ("text",) for k in ("fy", "base", "local", "wider", "den", "top", "imd")}
    ),
}
for _p, _cs in PAGES.items():  # the Import page's sidebar only changes the page's defaults
    if _p == "/Import":
        PAGES[_p] = [
            Skip(c.kind, c.label, "the import forms read the year and anchors only as defaults", c.side)
            if isinstance(c, Control)
            else c
            for c in _cs
        ]

IGNORED = {"download", "popover", "pagelink"}  # exports and navigation: never view settings


def _matches(spec, w: dict) -> bool:
    if spec.kind != w["kind"] or spec.side != w["side"]:
        return False
    if spec.label.endswith("*"):
        return w["label"].startswith(spec.label[:-1])
    return w["label"] == spec.label


# -- fixtures -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def idb(demo_db, tmp_path_factory) -> Path:
    """The demo database with both deprivation editions loaded when ../shared holds them (so the
    edition switch and the deprivation views change real figures)."""
    path = tmp_path_factory.mktemp("interaction") / "i.duckdb"
    shutil.copy(demo_db, path)
    ref = SHARED / "reference"
    if (ref / "imd2019_england_lsoa11.csv").is_file() and (ref / "imd2025_england_lsoa21.csv").is_file():
        from cwb import build, db
        from cwb.reference import imd

        con = db.connect(path)
        imd.load_imd(con, ref / "imd2019_england_lsoa11.csv")
        imd.load_imd(con, ref / "imd2025_england_lsoa21.csv")
        if (ref / "geographr_lookup_lsoa11_lsoa21_ltla22.csv").is_file():
            imd.load_lsoa_lookup(con, ref / "geographr_lookup_lsoa11_lsoa21_ltla22.csv")
        build.refresh(con)
        con.execute("CHECKPOINT")
        db.close_all()
    return path


@pytest.fixture(scope="module")
def server(idb):
    with streamlit_server(idb) as url:
        yield url


@pytest.fixture(scope="module")
def imd_loaded(idb) -> bool:
    import duckdb

    con = duckdb.connect(str(idb), read_only=True)
    try:
        return con.execute("SELECT count(DISTINCT edition) FROM ref_imd").fetchone()[0] == 2
    finally:
        con.close()


def _open(browser, server, path):
    ctx = browser.new_context(viewport={"width": 1600, "height": 1000})
    ctx.set_default_timeout(60_000)  # a loaded 2-core machine: generous, never a sleep
    page = ctx.new_page()
    page.goto(server + path, timeout=120_000)
    settle(page)
    return ctx, page


# -- the tests ----------------------------------------------------------------------------------
def test_every_page_has_a_control_list():
    assert sorted(PAGES) == sorted(page_paths()), "add the new page and its controls to PAGES"


def _unlisted(page, path) -> list[dict]:
    """Widgets the page draws (read from the DOM, hidden ones included) with no entry in its list."""
    specs = PAGES.get(path, [])
    found = [w for w in widgets(page) if w["kind"] not in IGNORED]
    assert any(w["label"] == "Financial year" and w["side"] for w in found), (
        f"{path}: the sidebar's widgets were not found in the DOM: {found}"
    )
    return [w for w in found if not any(_matches(s, w) for s in specs)]


def _state(page, c: Control) -> dict:
    v, u = value(page, c.kind, c.label, c.side), query(page).get(c.url) if c.url else None
    if c.kind == "multiselect":  # a set: a tag added back goes to the end, the view is the same
        v = " | ".join(sorted(x for x in v.split(" | ") if x))
        u = (
            None if u is None else ",".join(sorted(x for x in re.split(r"[,|]", u) if x))
        )  # ',' sidebar, '|' page lists
    return {"value": v, "url": u, "figures": figures(page)}


def _pick(page, c: Control, avoid: list[str]) -> str:
    """An option of ``c`` other than those in ``avoid`` (the first one the widget offers)."""
    if c.kind == "toggle":
        return "off" if avoid[0] == "on" else "on"
    opts = options(page, c.kind, c.label, c.side)
    cur = set(avoid[0].split(" | ")) if c.kind == "multiselect" else set()
    for o in opts:
        if o not in avoid and o not in cur and o != "Select all":
            return o
    raise AssertionError(f"{c.label}: no other option to choose among {opts}")


def _changed(parts: tuple, a: dict, b: dict) -> bool:
    return any(a[p] != b[p] for p in parts)


def _check_change(page, c: Control, before: dict, to: str) -> list[str]:
    errs = []
    now = _state(page, c)
    if c.kind == "multiselect":
        tag = to.lstrip("-")
        took = (
            (tag not in now["value"].split(" | "))
            if to.startswith("-")
            else (tag in now["value"].split(" | "))
        )
    elif c.kind == "button":
        took = True
    else:
        took = now["value"] == to
    if not took:
        errs.append(
            f"widget shows {now['value']!r} after choosing {to!r} (was {before['value']!r}): it snapped back"
        )
    if c.url and now["url"] == before["url"]:
        errs.append(f"address key {c.url}={now['url']!r} did not change")
    if c.figure and not _changed(c.figure, before["figures"], now["figures"]):
        errs.append(f"nothing in {'/'.join(c.figure)} changed")
    if problems(page):
        errs.append(f"error shown: {problems(page)[:1]}")
    return errs


def _first_difference(a: list[str], b: list[str]) -> str:
    if len(a) != len(b):
        return f"{len(a)} items before, {len(b)} after"
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            j = next((k for k, (u, v) in enumerate(zip(x, y)) if u != v), min(len(x), len(y)))
            return f"item {i}: ...{x[max(0, j - 60) : j + 60]!r} became ...{y[max(0, j - 60) : j + 60]!r}"
    return "?"


def _drive(page, c: Control) -> list[str]:
    """Change, (change again,) change back. Returns what went wrong, in words."""
    errs: list[str] = []
    undo_setup = []
    for s, v in c.setup:
        undo_setup.insert(0, (s, value(page, s.kind, s.label, s.side)))
        set_widget(page, s.kind, s.label, v, s.side)
    try:
        return _drive_set(page, c, errs)
    finally:
        for s, v in undo_setup:
            set_widget(page, s.kind, s.label, v, s.side)


def _drive_set(page, c: Control, errs: list[str]) -> list[str]:
    start = _state(page, c)
    to = c.to if c.to is not None else _pick(page, c, [start["value"]])
    set_widget(page, c.kind, c.label, to, c.side)
    errs += [f"first change: {e}" for e in _check_change(page, c, start, to)]
    if errs:
        return errs
    undo = [c.back if c.back is not None else ("-" + to if c.kind == "multiselect" else start["value"])]
    if c.then is not False:
        mid = _state(page, c)
        then = c.then if c.then is not None else _pick(page, c, [mid["value"], start["value"]])
        set_widget(page, c.kind, c.label, then, c.side)
        errs += [f"second change in a row: {e}" for e in _check_change(page, c, mid, then)]
        if c.kind == "multiselect":
            undo.insert(0, then[1:] if then.startswith("-") else "-" + then)
        elif c.kind == "button":
            undo.insert(0, c.back)
    for u in undo:
        if c.kind == "button":
            set_widget(page, "button", u, "", c.side)
        else:
            set_widget(page, c.kind, c.label, u, c.side)
    end = _state(page, c)
    for _ in range(10):
        # a page that differs at once may still be laying out (the sidebar sliding back in after
        # presentation mode resizes the tables): judged once it shows the same twice, 0.5 s apart
        if all(end["figures"][p] == start["figures"][p] for p in ("metrics", "charts", "tables")):
            break
        page.wait_for_timeout(500)
        again = _state(page, c)
        if again == end:
            break
        end = again
    if end["value"] != start["value"]:
        errs.append(f"changed back, the widget shows {end['value']!r}, not {start['value']!r}")
    if c.url and end["url"] != start["url"]:
        errs.append(f"changed back, the address has {c.url}={end['url']!r}, not {start['url']!r}")
    diff = [p for p in ("metrics", "charts", "tables") if end["figures"][p] != start["figures"][p]]
    if diff:
        errs.append(
            f"changed back, the {'/'.join(diff)} differ from before: "
            + _first_difference(start["figures"][diff[0]], end["figures"][diff[0]])
        )
    return errs


# The pages are shared between four files, this one and tests/test_interaction_more.py,
# tests/test_interaction_q3.py and tests/test_interaction_q4.py, so that four test workers
# (pytest-xdist, a file per worker) drive about a quarter of the work each. Split by measured
# time, longest page first into the lightest quarter: seconds each page took when the whole suite
# ran (-n 4 on 2 cores beside two helpers' benchmarks, load 10-13, 2026-12-02, after the multiselect
# fix in browser_util.set_widget); the first page of a file also pays for the server's cold
# caches. Quarters of 323, 313, 304 and 320 s, each file about 60 s more to start its database
# and server. Any page not named here (a new one) goes to the fourth file.
QUARTER_SECONDS: dict[str, dict[str, int]] = {  # file: {page: seconds it took in that run}
    "test_interaction.py": {"/Where_the_money_goes": 212, "/Supplier_review": 64, "/Help": 47},
    "test_interaction_more.py": {"/Spend_overview": 196, "/Suppliers": 75, "/Present": 34, "/Import": 8},
    "test_interaction_q3.py": {"/Anchor_profile": 150, "/Workforce": 92, "/Spend_trends": 62},
    "test_interaction_q4.py": {"/Land_and_property": 128, "/": 73, "/Opportunities": 71, "/Data_quality": 48},
}
_NAMED = {p for pages in QUARTER_SECONDS.values() for p in pages}
QUARTERS: dict[str, list[str]] = {
    f: [p for p in page_paths() if p in pages or (f == "test_interaction_q4.py" and p not in _NAMED)]
    for f, pages in QUARTER_SECONDS.items()
}


def test_the_four_quarters_cover_every_page_once():
    """Each page is driven by exactly one of the four files, and every page named in
    QUARTER_SECONDS exists (a renamed page would otherwise fall silently to the fourth file)."""
    every = [p for pages in QUARTERS.values() for p in pages]
    assert sorted(every) == sorted(page_paths()), "a page is driven twice or not at all"
    assert sorted(_NAMED) == sorted(p for pages in QUARTER_SECONDS.values() for p in pages), (
        "a page is named in two quarters"
    )
    assert _NAMED <= set(page_paths()), f"no such page: {sorted(_NAMED - set(page_paths()))}"
    here = Path(__file__).parent
    assert all((here / f).is_file() for f in QUARTERS), "a quarter's file is missing"


def quarter_test(file: str):
    """The every-control test for the pages of the quarter ``file`` (a module's ``__file__``)."""

    @pytest.mark.parametrize("path", QUARTERS[Path(file).name])
    def test_every_control_is_listed_takes_and_restores(server, browser, imd_loaded, path):
        check_page(server, browser, imd_loaded, path)

    return test_every_control_is_listed_takes_and_restores


test_every_control_is_listed_takes_and_restores = quarter_test(__file__)


def check_page(server, browser, imd_loaded, path):
    """Every widget on the page is listed (a new one without a test fails here); each listed
    control: the change takes (widget, address, figures), a second change straight after takes
    too, and changing it back restores all three. Every failing control is reported."""
    controls = [c for c in PAGES.get(path, []) if isinstance(c, Control)]
    ctx, page = _open(browser, server, path)
    failures = {}
    try:
        unlisted = _unlisted(page, path)
        if unlisted:
            failures["widgets with no entry in tests/test_interaction.py PAGES"] = [str(unlisted)]
            print(f"{path}: unlisted widgets {unlisted}", flush=True)
        for c in controls:
            if not imd_loaded and ("IMD" in c.label or c.url in ("imd", "col")):
                continue  # needs both deprivation editions (from ../shared/reference)
            if not c.setup and widget(page, c.kind, c.label, c.side).count() == 0:
                failures[c.label] = ["not on the page"]
                continue
            try:
                errs = _drive(page, c)
            except Exception as exc:  # noqa: BLE001  (a timeout on one control is that control's failure)
                errs = [f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"]
            print(f"{path} [{c.label}]: {'; '.join(errs) if errs else 'ok'}", flush=True)  # live with -s
            if errs:
                failures[c.label] = errs
                page.goto(server + path, timeout=120_000)  # start the next control from a clean view
                settle(page)
    finally:
        ctx.close()
    known = {c.label: c.known for c in controls if c.known}
    for k in [k for k in failures if k in known]:
        print(f"{path} [{k}]: known defect ({known[k]}), not counted: {failures.pop(k)}", flush=True)
    assert not failures, f"{path}: " + "; ".join(f"[{k}] " + " / ".join(v) for k, v in failures.items())
