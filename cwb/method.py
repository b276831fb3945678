"""What a figure covers: one frozen ``Method`` (network, anchors, years, geography, denominator,
IMD edition), its defaults, its validation and its plain-language statement, in one place.

The dashboard's frame, the command line, the presentation, the meeting pack and the exports all
build one and pass it down; queries take their parameters from ``Method.params(query)``. The
network is bound in every spend, workforce and land query and the SQL itself restricts to that
network's anchors: "no anchor chosen" means every anchor of *this* network, never the database.
No streamlit here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import duckdb

from cwb import db
from cwb.provenance import Provenance

DENOMINATORS = {
    "all": "All third-party spend",
    "influenceable": "Influenceable spend (excludes public bodies, tax and pensions)",
    "top_n": "Top N suppliers of each anchor",
}
DENOMINATOR_LABELS = {
    "all": "all third-party spend",
    "influenceable": "influenceable spend (excludes public bodies, tax and pensions)",
    "top_n": "spend with the top {n} suppliers of each anchor",
}
DEFAULT_DENOMINATOR = "all"
DEFAULT_TOP_N = 300
TOP_N_MIN, TOP_N_MAX = 10, 1000
IMD_EDITIONS = ("2019", "2025")
DEFAULT_IMD = "2019"  # when no edition is loaded; otherwise the latest loaded
NETWORK_FIGURES = "spend-weighted sums over the anchors (never averages of percentages)"


class MethodError(ValueError):
    """A method setting is not valid; the message says which and what is allowed."""


def supplier_list(scope_anchor_ids: list[str] | tuple[str, ...], **kw: Any) -> dict[str, Any]:
    """The supplier list's own parameters (``spend_suppliers.sql``) with their defaults: every
    supplier of the anchors in ``scope_anchor_ids`` (those the viewer may see in detail), no area,
    search or filter, every row; ``kw`` overrides any (e.g. ``row_limit=1000``)."""
    out: dict[str, Any] = {
        "scope_anchor_ids": list(scope_anchor_ids),
        "area_level": "",
        "area_code": "",
        "search": "",
        "shared_only": False,
        "located_only": False,
        "row_limit": 0,
    }
    unknown = kw.keys() - out.keys()
    if unknown:
        raise TypeError(f"spend_suppliers takes no parameter {sorted(unknown)}")
    out.update(kw)
    return out


def local_area_name(lads: list[str] | tuple[str, ...], lad_names: Mapping[str, str]) -> str:
    """'Cheshire East' / 'A, B, C and others' (at most three names)."""
    return ", ".join(lad_names.get(c, c) for c in lads[:3]) + (" and others" if len(lads) > 3 else "")


@dataclass(frozen=True)
class Method:
    """The scope and rules of every figure on a page, a slide or in an export."""

    network_id: str
    years: tuple[str, ...]  # financial years with data in the network
    fy: str  # the year shown
    baseline_fy: str
    local_lads: tuple[str, ...]
    wider_lads: tuple[str, ...]  # always includes the local districts
    region_code: str
    anchors: tuple[str, ...] = ()  # chosen anchors; empty = every anchor of the network
    denominator: str = DEFAULT_DENOMINATOR
    top_n: int = DEFAULT_TOP_N
    imd_edition: str = DEFAULT_IMD
    imd_loaded: tuple[str, ...] = ()
    # names for the statements (not part of any query)
    network_name: str = ""
    anchor_names: Mapping[str, str] = field(default_factory=dict)  # every anchor of the network
    anchor_types: Mapping[str, str] = field(default_factory=dict)
    local_name: str = ""
    wider_name: str = ""
    region_name: str = ""
    synthetic: bool = False

    def __post_init__(self) -> None:
        set_ = lambda k, v: object.__setattr__(self, k, v)  # noqa: E731  (frozen: normalise once)
        set_("years", tuple(self.years))
        set_("local_lads", tuple(self.local_lads))
        set_("wider_lads", tuple(sorted(set(self.wider_lads) | set(self.local_lads))))
        set_("anchors", tuple(self.anchors))
        set_("imd_loaded", tuple(self.imd_loaded))
        set_("top_n", int(self.top_n))
        if not self.network_id:
            raise MethodError("no network chosen")
        if self.denominator not in DENOMINATORS:
            raise MethodError(f"unknown denominator {self.denominator!r}; one of {', '.join(DENOMINATORS)}")
        if not TOP_N_MIN <= self.top_n <= TOP_N_MAX:
            raise MethodError(f"top N must be between {TOP_N_MIN} and {TOP_N_MAX}, not {self.top_n}")
        if self.imd_edition not in IMD_EDITIONS:
            raise MethodError(
                f"unknown deprivation edition {self.imd_edition!r}; one of {', '.join(IMD_EDITIONS)}"
            )
        if self.years and self.fy not in self.years:
            raise MethodError(
                f"no data for financial year {self.fy!r}; years with data: {', '.join(self.years)}"
            )
        if self.years and self.baseline_fy not in self.years:
            raise MethodError(
                f"no data for baseline year {self.baseline_fy!r}; years with data: {', '.join(self.years)}"
            )
        if self.anchor_names:
            bad = [a for a in self.anchors if a not in self.anchor_names]
            if bad:
                raise MethodError(
                    f"unknown anchor {', '.join(bad)} in network {self.network_id}; "
                    f"known: {', '.join(self.anchor_names)}"
                )
        if not self.local_lads:
            raise MethodError("the local area needs at least one district (LAD code)")

    # -- building one ------------------------------------------------------------------------
    @classmethod
    def for_network(
        cls,
        con: duckdb.DuckDBPyConnection,
        network_id: str | None = None,
        *,
        anchors: list[str] | tuple[str, ...] | None = None,
        fy: str | None = None,
        baseline_fy: str | None = None,
        local_lads: list[str] | None = None,
        wider_lads: list[str] | None = None,
        denominator: str | None = None,
        top_n: int | None = None,
        imd_edition: str | None = None,
    ) -> Method:
        """The network's defaults (first network, latest year, its declared geography, all
        third-party spend, top 300, the latest deprivation edition loaded), overridden by the
        arguments given. Raises MethodError with a message naming what is wrong."""
        nets = db.run("networks", con)
        if nets.empty:
            raise MethodError(
                "the database has no network: load the demo (python -m cwb demo) or import data first"
            )
        if network_id is None:
            network_id = str(nets["network_id"].iloc[0])
        if network_id not in set(nets["network_id"]):
            raise MethodError(f"unknown network {network_id!r}; known: {', '.join(nets['network_id'])}")
        net = nets.set_index("network_id").loc[network_id]
        years = db.run("financial_years", con, network_id=network_id)["financial_year"].tolist()
        if not years:
            raise MethodError(
                f"network {network_id} has no payments, staff counts or sites yet: import data first"
            )
        editions = db.run("imd_editions", con)["edition"].tolist()
        a = db.run("anchors", con, network_id=network_id)
        lads = db.run("lads", con)
        lad_names = dict(zip(lads["lad_code"], lads["lad_name"]))
        base_default = net["baseline_fy"] if net["baseline_fy"] in years else years[0]
        local = list(local_lads or net["local_lad_codes"])
        net_wider = list(net["wider_lad_codes"])
        wider = list(wider_lads or net_wider)
        return cls(
            network_id=network_id,
            years=tuple(years),
            fy=fy or years[-1],
            baseline_fy=baseline_fy or base_default,
            local_lads=tuple(local),
            wider_lads=tuple(wider),
            region_code=str(net["region_code"]),
            anchors=tuple(anchors or ()),
            denominator=denominator or DEFAULT_DENOMINATOR,
            top_n=DEFAULT_TOP_N if top_n is None else top_n,
            imd_edition=imd_edition or (editions[-1] if editions else DEFAULT_IMD),
            imd_loaded=tuple(editions),
            network_name=str(net["name"]),
            anchor_names=dict(zip(a["anchor_id"], a["name"])),
            anchor_types=dict(zip(a["anchor_id"], a["anchor_type"])),
            local_name=local_area_name(local, lad_names),
            wider_name=wider_area_name(wider, net_wider, net["wider_name"], local),
            region_name=str(net["region_name"]),
            synthetic=bool(a["is_synthetic"].any()) if len(a) else False,
        )

    def replace(self, **changes: Any) -> Method:
        """A copy with some settings changed (validated again)."""
        return dataclasses.replace(self, **changes)

    # -- query parameters ----------------------------------------------------------------------
    def common(
        self,
        *,
        fy_from: str | None = None,
        fy_to: str | None = None,
        fy: str | None = None,
        anchors: list[str] | tuple[str, ...] | None = None,
    ) -> dict[str, Any]:
        """Every method parameter a metric query may declare."""
        return {
            "network_id": self.network_id,
            "anchor_ids": list(self.anchors if anchors is None else anchors),
            "fy": fy or self.fy,
            "fy_from": fy_from or self.fy,
            "fy_to": fy_to or self.fy,
            "denominator": self.denominator,
            "top_n": self.top_n,
            "local_lads": list(self.local_lads),
            "wider_lads": list(self.wider_lads),
            "region_code": self.region_code,
            "imd_edition": self.imd_edition,
        }

    def params(
        self,
        query: str,
        *,
        fy_from: str | None = None,
        fy_to: str | None = None,
        fy: str | None = None,
        anchors: list[str] | tuple[str, ...] | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """The bound parameters of the named query: the method settings it declares, plus
        ``extra`` (query-specific settings, which db.run checks the query declares)."""
        wanted = db.sql_params(db.sql_text(query))
        out = {
            k: v
            for k, v in self.common(fy_from=fy_from, fy_to=fy_to, fy=fy, anchors=anchors).items()
            if k in wanted
        }
        out.update(extra)
        return out

    def run(self, query: str, con: duckdb.DuckDBPyConnection, **kw: Any):
        """Run a metric query in this method's scope (``kw`` as for ``params``)."""
        return db.run(query, con, **self.params(query, **kw))

    @property
    def period(self) -> tuple[str, str]:
        """First and last year of the comparison (the shown year and its baseline)."""
        lo, hi = sorted([self.fy, self.baseline_fy])
        return lo, hi

    @property
    def chosen_anchors(self) -> list[str]:
        """The anchors the figures cover (every anchor of the network when none is chosen)."""
        return list(self.anchors) or list(self.anchor_names)

    @property
    def one_anchor(self) -> str | None:
        return self.anchors[0] if len(self.anchors) == 1 else None

    # -- the plain-language statement ----------------------------------------------------------
    @property
    def anchors_label(self) -> str:
        if not self.anchors:
            return f"all {len(self.anchor_names)} anchors of {self.network_name or self.network_id}"
        return ", ".join(self.anchor_names.get(a, a) for a in self.anchors)

    @property
    def denominator_label(self) -> str:
        return DENOMINATOR_LABELS[self.denominator].format(n=self.top_n)

    @property
    def geography_label(self) -> str:
        return (
            f"{self.local_name} ({', '.join(self.local_lads)}); wider area {self.wider_name} "
            f"({len(self.wider_lads)} districts); region {self.region_name}"
        )

    @property
    def period_label(self) -> str:
        return f"financial year {self.fy} (April to March)"

    def statement(self) -> str:
        """The method in one paragraph (the caption under every figure, the last slide)."""
        return (
            f"Anchors: {self.anchors_label}. Period: {self.period_label}; baseline {self.baseline_fy}. "
            f"Local geography: {self.geography_label}. Denominator: {self.denominator_label}. "
            f"Network figures are {NETWORK_FIGURES}."
        )

    def provenance(
        self,
        title: str,
        measure: str,
        numerator: str = "",
        period: str | None = None,
        denominator: str | None = None,
        imd: bool = False,
        **kw: Any,
    ) -> Provenance:
        """The method statement of one figure (caption, export header, slide notes): the
        method's anchors, period, geography and denominator unless the figure says otherwise."""
        return Provenance(
            title=title,
            measure=measure,
            numerator=numerator,
            denominator=self.denominator_label if denominator is None else denominator,
            period=period or self.period_label,
            anchors=self.anchors_label,
            geography=self.geography_label,
            imd_edition=self.imd_edition if imd else None,
            synthetic=self.synthetic,
            **kw,
        )

    def as_dict(self) -> dict[str, Any]:
        """The method block of the CLI's JSON and of exports."""
        return {
            "local_lads": list(self.local_lads),
            "wider_lads": list(self.wider_lads),
            "region_code": self.region_code,
            "denominator": self.denominator,
            "denominator_label": self.denominator_label,
            "top_n": self.top_n,
            "imd_edition": self.imd_edition,
            "imd_loaded": list(self.imd_loaded),
            "network_figures": NETWORK_FIGURES,
        }


def wider_area_name(wider: list[str], net_wider: list[str], net_wider_name: Any, local: list[str]) -> str:
    """The network's name for its wider area when unchanged, else a count of districts."""
    if set(wider) == set(net_wider):
        return str(net_wider_name or "the wider area")
    return f"{len(set(wider) | set(local))} selected districts"
