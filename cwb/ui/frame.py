"""The shared frame every page calls first: filters (kept in the URL), banner and footer.

Filter state lives in ``st.session_state["_cwb"]`` (survives page switches) and is written to
the URL on every run, so a copied link reopens the same view, on another machine or after a
server restart. Values from the URL are validated: an unknown value falls back to the default
with a notice, and nothing from the URL is ever formatted into SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from cwb import access, provenance
from cwb.config import ROOT
from cwb.reference import geography
from cwb.ui import auth, data
from cwb.ui_labels import ANCHOR_TYPES  # noqa: F401  (re-exported for the pages)

DENOMINATORS = {
    "all": "All third-party spend",
    "influenceable": "Influenceable spend (excludes public bodies, tax and pensions)",
    "top_n": "Top N suppliers of each anchor",
}
IMD_HELP = "python -m cwb imd PATH_TO_IMD_FILE   (the official MHCLG file, 2019 or 2025 edition)"


@dataclass
class Filters:
    network_id: str
    network_name: str
    anchors: list[str]                 # selected anchor codes; empty = whole network
    anchor_names: dict[str, str]
    anchor_types: dict[str, str]
    fy: str
    baseline_fy: str
    years: list[str]
    local_lads: list[str]
    wider_lads: list[str]
    region_code: str
    local_name: str
    wider_name: str
    region_name: str
    denominator: str
    top_n: int
    imd_edition: str
    imd_loaded: list[str]
    synthetic: bool
    present: bool
    scope: access.Scope = access.LOCAL
    detail_anchors: list[str] = field(default_factory=list)  # supplier/site detail the viewer may see
    extra: dict[str, Any] = field(default_factory=dict)

    # -- query parameters -------------------------------------------------------------------
    def spend_params(self, fy_from: str | None = None, fy_to: str | None = None,
                     anchors: list[str] | None = None) -> dict[str, Any]:
        return {
            # no anchor chosen = every anchor of THIS network (an empty list would mean the
            # whole database, mixing networks)
            "anchor_ids": list(self.anchors if anchors is None else anchors) or list(self.anchor_names),
            "fy_from": fy_from or self.fy, "fy_to": fy_to or self.fy,
            "denominator": self.denominator, "top_n": int(self.top_n),
            "local_lads": list(self.local_lads), "wider_lads": list(self.wider_lads),
            "region_code": self.region_code, "imd_edition": self.imd_edition,
            "network_id": self.network_id,
        }

    # -- method statements -----------------------------------------------------------------
    @property
    def anchors_label(self) -> str:
        if not self.anchors:
            return f"all {len(self.anchor_names)} anchors of {self.network_name}"
        return ", ".join(self.anchor_names.get(a, a) for a in self.anchors)

    @property
    def denominator_label(self) -> str:
        if self.denominator == "top_n":
            return f"spend with the top {self.top_n} suppliers of each anchor"
        return DENOMINATORS[self.denominator].lower()

    @property
    def geography_label(self) -> str:
        return (f"{self.local_name} ({', '.join(self.local_lads)}); wider area {self.wider_name} "
                f"({len(self.wider_lads)} districts); region {self.region_name}")

    def slide_context(self):
        from cwb.slides import Context

        return Context(params=self.spend_params(), fy=self.fy, baseline_fy=self.baseline_fy, years=self.years,
                       names=self.anchor_names, types=self.anchor_types, local_name=self.local_name,
                       wider_name=self.wider_name, network_name=self.network_name, anchors_label=self.anchors_label,
                       denominator_label=self.denominator_label, geography_label=self.geography_label,
                       synthetic=self.synthetic)

    def provenance(self, title: str, measure: str, numerator: str = "", period: str | None = None,
                   denominator: str | None = None, imd: bool = False, **kw) -> provenance.Provenance:
        return provenance.Provenance(
            title=title, measure=measure, numerator=numerator,
            denominator=self.denominator_label if denominator is None else denominator,
            period=period or f"financial year {self.fy} (April to March)",
            anchors=self.anchors_label, geography=self.geography_label,
            imd_edition=self.imd_edition if imd else None, synthetic=self.synthetic, **kw,
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
        notices.append(f"The link's {label} '{v[:40]}' is not known here; showing {default} instead.")
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
        notices.append(f"The link's {label} {', '.join(b[:20] for b in bad[:3])} not known here; ignored.")
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
    if st.session_state.get(wkey, _UNSET) != value:
        st.session_state[wkey] = value

    def sync() -> None:
        v = st.session_state.get(wkey)
        if v is not None:
            _state()[key] = conv(v) if conv else v

    return {"key": wkey, "on_change": sync}


def _remember(key: str, value: Any) -> None:
    _state()[key] = value


def page_setup(title: str) -> None:
    st.set_page_config(page_title=f"{title} · Community wealth building", layout="wide",
                       initial_sidebar_state="expanded")


def frame(title: str, anchor_mode: str = "multi", show_method: bool = True) -> Filters:
    """Draw the shared frame and return the filters. ``anchor_mode``: multi / single / none."""
    page_setup(title)
    from cwb.ui import style  # house CSS: contrast, focus ring, print layout, chart and map names
    style.apply()
    scope = auth.current_scope()
    con = data.connection()  # noqa: F841  (builds the database on first use)
    notices: list[str] = []
    nets = data.query("networks")
    if nets.empty:
        st.error("The database has no network yet. Load the demo with `python -m cwb demo` or "
                 "import your files on the Import page.")
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

    sb = st.sidebar
    _nav(sb)
    sb.markdown(f"**{net['name']}**")
    if len(net_ids) > 1:
        network_id = sb.selectbox("Network", net_ids, **_bind("n", network_id))
        _remember("n", network_id)
    if anchor_mode == "multi":
        sel_anchors = sb.multiselect(
            "Anchors (none = whole network)", list(names), format_func=lambda a: names[a],
            **_bind("a", list(sel_anchors), conv=list))
    elif anchor_mode == "single":
        one = sb.selectbox("Anchor", list(names), format_func=lambda a: names[a],
                           **_bind("a", sel_anchors[0], conv=lambda v: [v], widget_key="w_a1"))
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
            local = st.multiselect("Local area (districts)", list(lad_names), format_func=lambda c: f"{lad_names[c]} ({c})",
                                   **_bind("local", list(local), conv=list))
            _remember("local", list(local))
            wider = st.multiselect("Wider area (districts)", list(lad_names), format_func=lambda c: f"{lad_names[c]} ({c})",
                                   **_bind("wider", list(wider), conv=list))
            _remember("wider", list(wider))
            den = st.radio("Denominator", list(DENOMINATORS), format_func=DENOMINATORS.get, **_bind("den", den))
            _remember("den", den)
            if den == "top_n":
                top_n = str(st.number_input("N", min_value=10, max_value=1000, step=10,
                                            **_bind("top", int(top_n), conv=lambda v: str(int(v)))))
                store["top"] = top_n
            imd = st.radio("Deprivation edition", ["2019", "2025"], **_bind("imd", imd),
                           help="2019 is on 2011 LSOAs, 2025 on 2021 LSOAs; never mixed in one trend.")
            _remember("imd", imd)
    for k, v in (("n", network_id), ("fy", fy), ("base", baseline), ("local", local), ("wider", wider),
                 ("den", den), ("top", top_n), ("imd", imd)):
        store.setdefault(k, v)
    store["present"] = "1" if present else "0"
    if not local:
        local = list(net["local_lad_codes"])
    wider_all = sorted(set(wider) | set(local))
    local_name = ", ".join(lad_names.get(c, c) for c in local[:3]) + (" and others" if len(local) > 3 else "")
    wider_name = (net["wider_name"] if set(wider) == set(net["wider_lad_codes"]) else
                  f"{len(wider_all)} selected districts")
    synthetic = bool(anchors["is_synthetic"].any()) if len(anchors) else False
    f = Filters(
        network_id=network_id, network_name=str(net["name"]), anchors=list(sel_anchors),
        anchor_names=names, anchor_types=types, fy=fy, baseline_fy=baseline, years=years,
        local_lads=list(local), wider_lads=wider_all, region_code=str(net["region_code"]),
        local_name=local_name, wider_name=str(wider_name), region_name=str(net["region_name"]),
        denominator=den, top_n=int(top_n), imd_edition=imd, imd_loaded=editions,
        synthetic=synthetic, present=present, scope=scope, detail_anchors=scope.detail_anchors(list(names)),
    )
    auth.sidebar(scope)
    write_url()
    if present:
        _present_style()
    else:
        st.title(title)
    if synthetic:
        st.warning("**Synthetic demo data.** The anchors, payments, staff and sites are invented "
                   "for demonstration; the geography (postcodes, areas) is real.", icon="⚠️")
    for n in notices:
        st.info(n)
    return f


NAV = [
    ("Overview", [("dashboard.py", "Network overview"), ("pages/8_Anchor_profile.py", "Anchor profile"),
                  ("pages/9_Present.py", "Presentation mode")]),
    ("Spend", [("pages/1_Spend_overview.py", "Spend overview"), ("pages/2_Spend_trends.py", "Trends"),
               ("pages/3_Where_the_money_goes.py", "Where the money goes"),
               ("pages/4_Opportunities.py", "Opportunities"), ("pages/5_Suppliers.py", "Suppliers")]),
    ("People and land", [("pages/6_Workforce.py", "Workforce"), ("pages/7_Land_and_property.py", "Land and property")]),
    ("Data", [("pages/10_Import.py", "Import"), ("pages/11_Data_quality.py", "Data quality"), ("pages/12_Supplier_review.py", "Supplier review")]),
    ("Help", [("pages/13_Help.py", "Help and method")]),
]


def _nav(sb) -> None:
    """Grouped page links (only pages that exist); filters follow through the session."""
    from streamlit.errors import StreamlitAPIException

    for section, pages in NAV:
        present = [(p, label) for p, label in pages if (ROOT / p).is_file()]
        if not present:
            continue
        sb.caption(section.upper())
        for p, label in present:
            try:
                sb.page_link(p, label=label)
            except StreamlitAPIException:
                # a page run on its own (AppTest) knows no other pages: no links to draw
                return


def page_param(key: str, allowed: list[str], default: str, label: str) -> str:
    """A page-specific setting kept in the URL (e.g. the map level), validated."""
    notices: list[str] = []
    v = _pick(key, allowed, default, notices, label)
    for n in notices:
        st.info(n)
    _state()[key] = v
    return v


def page_choice(widget: Any, label: str, options: list[str], url_key: str, default: str, what: str,
                **kwargs: Any) -> str:
    """A page control (radio, segmented control, selectbox, ...) whose value is kept in the URL.

    ``widget`` is the Streamlit function to draw (``st.radio``, ``col.segmented_control`` ...).
    The control has a stable key, so its identity never changes between runs (a keyless widget
    drawn with ``index=`` from the stored value became a new widget after each change, and every
    second click was lost); the value is validated like every URL value.
    """
    value = page_param(url_key, options, default, what)
    out = widget(label, options, **_bind(url_key, value), **kwargs)
    if out is None or out not in options:      # a segmented control can be clicked off
        out = value
    set_page_param(url_key, out)
    return out


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
        html, body, [class*="css"], p, li, .stMarkdown {font-size: 1.45rem !important;}
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
    st.info(f"Deprivation figures need the English Indices of Deprivation {f.imd_edition}, which "
            f"is not loaded. Load it with:  \n`{IMD_HELP}`")
    return True
