"""The shared frame every page calls first: filters (kept in the URL), banner and footer.

Filter state lives in ``st.session_state["_cwb"]`` (survives page switches) and is written to
the URL on every run, so a copied link reopens the same view, on another machine or after a
server restart. Values from the URL are validated: an unknown value falls back to the default
with a notice, and nothing from the URL is ever formatted into SQL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import streamlit as st

from cwb import access, provenance
from cwb.fmt import md_escape
from cwb.method import DENOMINATORS, Method, local_area_name, wider_area_name
from cwb.reference import geography
from cwb.ui import auth, data
from cwb.ui_labels import ANCHOR_TYPES  # noqa: F401  (re-exported for the pages)

IMD_HELP = "python -m cwb imd PATH_TO_IMD_FILE   (the official MHCLG file, 2019 or 2025 edition)"


@dataclass
class Filters:
    """What the page shows: the engine's Method (network, anchors, years, geography, denominator,
    IMD edition) plus the viewer's settings (presentation mode, access scope)."""

    method: Method
    present: bool = False
    scope: access.Scope = access.LOCAL
    detail_anchors: list[str] = field(default_factory=list)  # supplier/site detail the viewer may see
    extra: dict[str, Any] = field(default_factory=dict)

    # -- the method's settings, read through (lists, as the pages use them) -----------------
    network_id = property(lambda self: self.method.network_id)
    network_name = property(lambda self: self.method.network_name)
    anchors = property(lambda self: list(self.method.anchors))  # selected; empty = whole network
    anchor_names = property(lambda self: dict(self.method.anchor_names))
    anchor_types = property(lambda self: dict(self.method.anchor_types))
    fy = property(lambda self: self.method.fy)
    baseline_fy = property(lambda self: self.method.baseline_fy)
    years = property(lambda self: list(self.method.years))
    local_lads = property(lambda self: list(self.method.local_lads))
    wider_lads = property(lambda self: list(self.method.wider_lads))
    region_code = property(lambda self: self.method.region_code)
    local_name = property(lambda self: self.method.local_name)
    wider_name = property(lambda self: self.method.wider_name)
    region_name = property(lambda self: self.method.region_name)
    denominator = property(lambda self: self.method.denominator)
    top_n = property(lambda self: self.method.top_n)
    imd_edition = property(lambda self: self.method.imd_edition)
    imd_loaded = property(lambda self: list(self.method.imd_loaded))
    synthetic = property(lambda self: self.method.synthetic)
    anchors_label = property(lambda self: self.method.anchors_label)
    denominator_label = property(lambda self: self.method.denominator_label)
    geography_label = property(lambda self: self.method.geography_label)

    # -- query parameters -------------------------------------------------------------------
    def params(self, query: str, **kw: Any) -> dict[str, Any]:
        """The bound parameters of a metric query in this view (see Method.params)."""
        return self.method.params(query, **kw)

    def query(self, query: str, **kw: Any):
        """Run a metric query in this view's scope (cached; errors shown plainly)."""
        return data.query(query, **self.method.params(query, **kw))

    def on_demand(self, query: str, **kw: Any) -> Callable[[], pd.DataFrame]:
        """The same query in this view's scope, run only when called: a download of every row
        of a list the page reads only the first rows of."""
        params = self.method.params(query, **kw)

        def read() -> pd.DataFrame:
            # in a page run: the cached query (a small list is read with the page); on a
            # download click (no page run): read now
            return data.query(query, **params) if data.in_page_run() else data.query_now(query, **params)

        return read

    def slide_context(self) -> Method:
        return self.method

    def provenance(
        self,
        title: str,
        measure: str,
        numerator: str = "",
        period: str | None = None,
        denominator: str | None = None,
        imd: bool = False,
        **kw,
    ) -> provenance.Provenance:
        return self.method.provenance(
            title, measure, numerator=numerator, period=period, denominator=denominator, imd=imd, **kw
        )


def _state() -> dict[str, Any]:
    return st.session_state.setdefault("_cwb", {})


def _from_url(key: str) -> str | None:
    v = st.query_params.get(key)
    return v if v not in (None, "") else None


def _pick(key: str, allowed: list[str], default: str, notices: list[str], label: str) -> str:
    store = _state()
    if key in store and store[key] in allowed:
        return store[key]
    v = _from_url(key)
    if v is not None and v not in allowed:
        notices.append(
            f"The link's {label} '{md_escape(v[:40])}' is not known here; showing {md_escape(default)} instead."
        )
        v = None
    return v if v is not None else default


def _pick_list(key: str, allowed: list[str], default: list[str], notices: list[str], label: str) -> list[str]:
    store = _state()
    if key in store:
        return [x for x in store[key] if x in allowed]
    v = _from_url(key)
    if v is None:
        return default
    items = [x for x in v.split(",") if x]
    bad = [x for x in items if x not in allowed]
    if bad:
        notices.append(
            f"The link's {label} {md_escape(', '.join(b[:20] for b in bad[:3]))} not known here; ignored."
        )
    good = [x for x in items if x in allowed]
    return good if good or not items else default


_UNSET = object()


def _bind(key: str, value: Any, conv=None, widget_key: str | None = None) -> dict[str, Any]:
    """Keyword arguments that tie a widget to the filter store.

    The store (and through it the URL) is the source of truth. A change made in the widget is
    copied into the store by ``on_change``, which Streamlit runs *before* the script reruns, so
    the rerun reads the new value; the widget's own state is re-seeded from the store only when
    the two differ (after a page switch, a shared link, or a change made elsewhere). Seeding it
    unconditionally put the previous value back over the user's choice.
    """
    wkey = widget_key or f"w_{key}"
    # after a page switch the previous page's widget still answers for the key with its value
    # for the first run, but the new page's widget (another widget id) does not take it: it
    # drew its first option and its on_change-free value went into the store (the year fell
    # back to the first year, the local area to none, on the next page). Seed on every page.
    seeded = st.session_state.setdefault("_cwb_seeded", {})
    here = _page_hash()
    if st.session_state.get(wkey, _UNSET) != value or seeded.get(wkey) != here:
        st.session_state[wkey] = value
        seeded[wkey] = here

    def sync() -> None:
        v = st.session_state.get(wkey)
        if v is not None:
            _state()[key] = conv(v) if conv else v

    return {"key": wkey, "on_change": sync}


def _page_hash() -> str:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.page_script_hash if ctx else ""


def _remember(key: str, value: Any) -> None:
    _state()[key] = value


def page_setup(title: str) -> None:
    from cwb.ui import nav

    nav.take_over()  # a server's first session on a page other than home: through st.navigation
    st.set_page_config(
        page_title=f"{title} · Community wealth building", layout="wide", initial_sidebar_state="auto"
    )  # collapsed on a phone, open on a desktop


def frame(
    title: str, anchor_mode: str = "multi", show_method: bool = True, exit_button: bool = True
) -> Filters:
    """Draw the shared frame and return the filters. ``anchor_mode``: multi / single / none;
    ``exit_button``: draw the 'Exit presentation' button in presentation mode (the Present page
    draws its own in its navigation row)."""
    page_setup(title)
    from cwb.ui import style  # house CSS: contrast, focus ring, print layout, chart and map names

    style.apply()
    scope = auth.current_scope()
    con = data.connection()  # noqa: F841  (builds the database on first use)
    notices: list[str] = []
    nets = data.query("networks")
    if nets.empty:
        st.error(
            "The database has no network yet. Load the demo with `python -m cwb demo` or "
            "import your files on the Import page."
        )
        st.stop()
    store = _state()
    net_ids = nets["network_id"].tolist()
    network_id = _pick("n", net_ids, net_ids[0], notices, "network")
    net = nets.set_index("network_id").loc[network_id]
    anchors = data.query("anchors", network_id=network_id)
    names = dict(zip(anchors["anchor_id"], anchors["name"]))
    types = dict(zip(anchors["anchor_id"], anchors["anchor_type"]))
    years = data.query("financial_years", network_id=network_id)["financial_year"].tolist() or ["2024-25"]
    lads = data.query("lads")
    lad_names = dict(zip(lads["lad_code"], lads["lad_name"]))
    editions = data.query("imd_editions")["edition"].tolist()
    present = _pick("present", ["0", "1"], "0", notices, "presentation setting") == "1"

    sel_anchors = _pick_list("a", list(names), [], notices, "anchors")
    if anchor_mode == "single" and len(sel_anchors) != 1:
        sel_anchors = sel_anchors[:1] or [next(iter(names))]
    fy = _pick("fy", years, years[-1], notices, "financial year")
    base_default = net["baseline_fy"] if net["baseline_fy"] in years else years[0]
    baseline = _pick("base", years, base_default, notices, "baseline year")
    local = _pick_list("local", list(lad_names), list(net["local_lad_codes"]), notices, "local areas")
    wider = _pick_list("wider", list(lad_names), list(net["wider_lad_codes"]), notices, "wider areas")
    den = _pick("den", list(DENOMINATORS), "all", notices, "denominator")
    top_n = _pick("top", [str(i) for i in range(10, 1001)], "300", notices, "top N")
    imd_default = editions[-1] if editions else "2019"
    imd = _pick("imd", ["2019", "2025"], imd_default, notices, "deprivation edition")

    sb = st.sidebar  # the page navigation above it is Streamlit's own (cwb/ui/nav.py)
    sb.markdown(f"**{md_escape(net['name'])}**")
    if len(net_ids) > 1:
        network_id = sb.selectbox("Network", net_ids, **_bind("n", network_id))
        _remember("n", network_id)
    if anchor_mode == "multi":
        sel_anchors = sb.multiselect(
            "Anchors (none = whole network)",
            list(names),
            format_func=lambda a: names[a],
            **_bind("a", list(sel_anchors), conv=list),
        )
    elif anchor_mode == "single":
        one = sb.selectbox(
            "Anchor",
            list(names),
            format_func=lambda a: names[a],
            **_bind("a", sel_anchors[0], conv=lambda v: [v], widget_key="w_a1"),
        )
        sel_anchors = [one]
    if anchor_mode == "multi":
        _remember("a", list(sel_anchors))
    else:
        store["a"] = sel_anchors
    fy = sb.selectbox("Financial year", years, **_bind("fy", fy))
    _remember("fy", fy)
    baseline = sb.selectbox("Baseline year", years, **_bind("base", baseline))
    _remember("base", baseline)
    if show_method:
        with sb.expander("Method", expanded=False):
            local = st.multiselect(
                "Local area (districts)",
                list(lad_names),
                format_func=lambda c: f"{lad_names[c]} ({c})",
                **_bind("local", list(local), conv=list),
            )
            _remember("local", list(local))
            wider = st.multiselect(
                "Wider area (districts)",
                list(lad_names),
                format_func=lambda c: f"{lad_names[c]} ({c})",
                **_bind("wider", list(wider), conv=list),
            )
            _remember("wider", list(wider))
            den = st.radio(
                "Denominator", list(DENOMINATORS), format_func=DENOMINATORS.get, **_bind("den", den)
            )
            _remember("den", den)
            if den == "top_n":
                top_n = str(
                    st.number_input(
                        "N",
                        min_value=10,
                        max_value=1000,
                        step=10,
                        **_bind("top", int(top_n), conv=lambda v: str(int(v))),
                    )
                )
                store["top"] = top_n
            imd = st.radio(
                "Deprivation edition",
                ["2019", "2025"],
                **_bind("imd", imd),
                help="2019 is on 2011 LSOAs, 2025 on 2021 LSOAs; never mixed in one trend.",
            )
            _remember("imd", imd)
    for k, v in (
        ("n", network_id),
        ("fy", fy),
        ("base", baseline),
        ("local", local),
        ("wider", wider),
        ("den", den),
        ("top", top_n),
        ("imd", imd),
    ):
        store.setdefault(k, v)
    store["present"] = "1" if present else "0"
    if not local:
        local = list(net["local_lad_codes"])
    m = Method(
        network_id=network_id,
        years=tuple(years),
        fy=fy,
        baseline_fy=baseline,
        local_lads=tuple(local),
        wider_lads=tuple(wider),
        region_code=str(net["region_code"]),
        anchors=tuple(sel_anchors),
        denominator=den,
        top_n=int(top_n),
        imd_edition=imd,
        imd_loaded=tuple(editions),
        network_name=str(net["name"]),
        anchor_names=names,
        anchor_types=types,
        local_name=local_area_name(local, lad_names),
        wider_name=wider_area_name(wider, list(net["wider_lad_codes"]), net["wider_name"], local),
        region_name=str(net["region_name"]),
        synthetic=bool(anchors["is_synthetic"].any()) if len(anchors) else False,
    )
    synthetic = m.synthetic
    f = Filters(method=m, present=present, scope=scope, detail_anchors=scope.detail_anchors(list(names)))
    auth.sidebar(scope)
    write_url()
    if present:
        _present_style()
    else:
        st.title(title)
    if synthetic:
        st.warning(
            "**Synthetic demo data.** The anchors, payments, staff and sites are invented "
            "for demonstration; the geography (postcodes, areas) is real.",
            icon="⚠️",
        )
    for n in notices:
        st.info(n)
    from cwb.ui import show  # wrapping metric labels; the exit button in presentation mode

    show.page_fixes(exit_button=exit_button)
    return f


def page_param(key: str, allowed: list[str], default: str, label: str) -> str:
    """A page-specific setting kept in the URL (e.g. the map level), validated."""
    notices: list[str] = []
    v = _pick(key, allowed, default, notices, label)
    for n in notices:
        st.info(n)
    _state()[key] = v
    return v


def page_choice(
    widget: Any, label: str, options: list[str], url_key: str, default: str, what: str, **kwargs: Any
) -> str:
    """A page control (radio, segmented control, selectbox, ...) whose value is kept in the URL.

    ``widget`` is the Streamlit function to draw (``st.radio``, ``col.segmented_control`` ...).
    The control has a stable key, so its identity never changes between runs (a keyless widget
    drawn with ``index=`` from the stored value became a new widget after each change, and every
    second click was lost); the value is validated like every URL value.
    """
    value = page_param(url_key, options, default, what)
    out = widget(label, options, **_bind(url_key, value), **kwargs)
    if out is None or out not in options:  # a segmented control can be clicked off
        out = value
    set_page_param(url_key, out)
    return out


def page_toggle(widget: Any, label: str, url_key: str, default: bool = False, **kwargs: Any) -> bool:
    """A page switch (``st.toggle`` or a column's) kept in the URL as 1/0, so a shared link
    reopens the same view."""
    on = page_param(url_key, ["1", "0"], "1" if default else "0", label) == "1"
    out = widget(label, **_bind(url_key, on, conv=lambda b: "1" if b else "0"), **kwargs)
    set_page_param(url_key, "1" if out else "0")
    return bool(out)


def page_text(widget: Any, label: str, url_key: str, max_chars: int = 80, **kwargs: Any) -> str:
    """A page text box (a search) kept in the URL, cut to ``max_chars``."""
    store = _state()
    v = store.get(url_key)
    if not isinstance(v, str):
        v = (_from_url(url_key) or "")[:max_chars]
    out = widget(label, max_chars=max_chars, **_bind(url_key, v), **kwargs) or ""
    set_page_param(url_key, out)
    return out


LIST_SEP = "|"  # page lists in the URL: category names (tenures, statuses) may hold commas


def page_multi(
    widget: Any, label: str, options: list[str], url_key: str, what: str, **kwargs: Any
) -> list[str]:
    """A page multiselect kept in the URL ('|' between the choices); values a link names that
    the data does not hold are dropped with a notice."""
    store = _state()
    raw = store.get(url_key)
    if not isinstance(raw, str):
        raw = _from_url(url_key) or ""
    items = [x for x in raw.split(LIST_SEP) if x]
    bad = [x for x in items if x not in options]
    if bad and url_key not in store:
        st.info(f"The link's {what} {md_escape(', '.join(b[:20] for b in bad[:3]))} not known here; ignored.")
    chosen = [x for x in items if x in options]
    out = widget(label, options, **_bind(url_key, chosen, conv=LIST_SEP.join), **kwargs)
    set_page_param(url_key, LIST_SEP.join(out))
    return list(out)


def set_page_param(key: str, value: str) -> None:
    _state()[key] = value
    write_url()


def write_url() -> None:
    store = _state()
    # keys the page has not read yet (page settings) stay in the URL until it does
    out = {k: v for k, v in st.query_params.items() if k not in store}
    for k, v in store.items():
        out[k] = ",".join(v) if isinstance(v, list) else str(v)
    if dict(st.query_params) != out:
        st.query_params.from_dict(out)


def _present_style() -> None:
    st.markdown(
        """<style>
        [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header {display: none !important;}
        .block-container {padding-top: 1.2rem; max-width: 96vw;}
        [class*="css"], p, li, .stMarkdown {font-size: 1.45rem !important;}
        h1 {font-size: 3.0rem !important;} h2 {font-size: 2.3rem !important;}
        [data-testid="stMetricValue"] p, [data-testid="stMetricValue"] {font-size: 3.2rem !important; line-height: 1.15;}
        [data-testid="stMetricLabel"] p {font-size: 1.4rem !important;}
        </style>""",
        unsafe_allow_html=True,
    )


def footer(f: Filters, imd_used: bool = False) -> None:
    st.divider()
    lines = [geography.ATTRIBUTION]
    if imd_used:
        from cwb.reference.imd import ATTRIBUTION

        lines.append(ATTRIBUTION + ".")
    if f.synthetic:
        lines.insert(0, provenance.SYNTHETIC_NOTE)
    st.caption(" ".join(lines))


def imd_missing(f: Filters) -> bool:
    """Say plainly when the chosen deprivation edition is not loaded. True when missing."""
    if f.imd_edition in f.imd_loaded:
        return False
    st.info(
        f"Deprivation figures need the English Indices of Deprivation {f.imd_edition}, which "
        f"is not loaded. Load it with:  \n`{IMD_HELP}`"
    )
    return True


def set_present(on: bool) -> None:
    """Switch presentation mode (kept in the link as present=1) for this and every page."""
    _state()["present"] = "1" if on else "0"


def step_page_param(key: str, delta: int, n: int) -> None:
    """Move a numbered page setting (the Present page's slide) by ``delta`` within 0..n-1. Used as
    a button's ``on_click``: it runs before the rerun, so everything drawn in that run (the
    counter, which buttons are enabled) already shows the new step."""
    store = _state()
    try:
        cur = int(store.get(key, _from_url(key) or 0))
    except ValueError:
        cur = 0
    store[key] = str(max(0, min(n - 1, cur + delta)))


def clear_page_param(key: str) -> None:
    """Forget a page setting (it falls back to its default next time)."""
    _state().pop(key, None)
