"""Spend charts: pure functions DataFrame -> plotly Figure, in the house style."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from cwb.charts import theme
from cwb.fmt import gbp, plot_escape

BANDS = [
    ("local", "Local area"),
    ("rest_wider", "Rest of wider area"),
    ("rest_region", "Rest of region"),
    ("rest_uk", "Rest of UK"),
    ("unknown", "Unknown location"),
]


def vline(
    fig: go.Figure,
    x,
    text: str,
    colour: str,
    dash: str = "dot",
    ypos: float = 1.0,
    wrap: int | None = None,
    right: bool = False,
) -> None:
    """A labelled vertical line that also works on category axes (plotly's add_vline does not).
    ``wrap``: break the label into lines of about that many characters (notes inside the plot,
    which ran past the chart's edge on a phone); ``right``: the label reads leftwards from the
    line (for lines in the right half of the plot). Labels inside the plot (``ypos < 1``) stand
    on ``ypos`` on a white ground, so stacked notes can be spaced by their number of lines."""
    fig.add_shape(
        type="line",
        xref="x",
        yref="paper",
        x0=x,
        x1=x,
        y0=0,
        y1=1,
        line=dict(color=colour, dash=dash, width=2),
    )
    body = theme.wrap_label(text.strip(), wrap) if wrap else plot_escape(text)
    if wrap:
        body = f"{body} " if right else f" {body}"
    fig.add_annotation(
        x=x,
        xref="x",
        yref="paper",
        y=ypos,
        text=body,
        showarrow=False,
        xanchor="right" if right else "left",
        align="right" if right else "left",
        yanchor="bottom",
        bgcolor="rgba(255,255,255,0.6)" if ypos < 1 else None,
        font=dict(color=colour, size=12),
    )


def _text_px(texts, font_px: float = 15) -> int:
    """Rough width in px of the longest bar text (Liberation Sans ~0.55 em a character)."""
    return int(max((len(t) for t in texts), default=0) * font_px * 0.55) + 12


def concentric(row: pd.Series, title: str, names: dict[str, str] | None = None) -> go.Figure:
    """A4: where each pound went, nearest first; bars labelled with % and £ (not colour alone).
    The value labels sit in a right margin as wide as the longest label, so none is cut off
    however narrow the column."""
    names = names or {}
    labels, pcts, gbps, colours = [], [], [], []
    for key, label in BANDS:
        labels.append(names.get(key, label))
        pcts.append(float(row[f"{key}_pct"] or 0))
        gbps.append(float(row[f"{key}_gbp"] or 0))
        colours.append(theme.BAND_COLOURS[label])
    texts = [f"{p:.1f}% ({gbp(g)})" for p, g in zip(pcts, gbps)]
    fig = go.Figure(
        go.Bar(
            x=pcts,
            y=labels,
            orientation="h",
            marker_color=colours,
            text=texts,
            textposition="outside",
            cliponaxis=False,
            customdata=[gbp(g) for g in gbps],
            hovertemplate="%{y}: %{x:.1f}% (%{customdata})<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", automargin=True)
    # every bar carries its value, so the axis needs no tick labels (they overprinted in narrow columns)
    fig.update_xaxes(
        title="Share of spend in scope (%)", range=[0, max(pcts + [1]) * 1.04], showticklabels=False, ticks=""
    )
    fig.update_layout(height=380, showlegend=False, margin=dict(l=20, r=_text_px(texts), t=70, b=60))
    return theme.apply(fig, title)


def anchor_comparison(
    df: pd.DataFrame,
    value: str,
    title: str,
    names: dict[str, str],
    types: dict[str, str],
    type_labels: dict[str, str],
    network_value: float | None,
    highlight: str | None = None,
) -> go.Figure:
    """Anchors side by side on one share, grouped by anchor type (fairer comparisons). The type
    is the second line of each anchor's label; ``highlight`` (an anchor code) is drawn dark and
    marked, the others grey."""
    d = df.copy()
    d["type"] = d["anchor_id"].map(types).map(type_labels).fillna("")
    d["name"] = d["anchor_id"].map(names).fillna(d["anchor_id"]).str.replace(" (demo)", "", regex=False)
    d = d.sort_values(["type", value], ascending=[True, True])
    # long names wrap (a phone's column is ~330 px): a name never pushes past the figure's edge
    labels = [
        f"{'<b>► ' if a == highlight else ''}{'<br>'.join(plot_escape(x) for x in textwrap.wrap(n, 26))}"
        f"{'</b>' if a == highlight else ''}"
        f"<br><span style='font-size:12px;color:{theme.DARK_GREY}'>{plot_escape(t)}</span>"
        for a, n, t in zip(d["anchor_id"], d["name"], d["type"])
    ]
    texts = [f"{v:.1f}%" for v in d[value]]
    colours = (
        theme.DARK_BLUE
        if highlight is None
        else [theme.DARK_BLUE if a == highlight else theme.LIGHT_GREY for a in d["anchor_id"]]
    )
    fig = go.Figure(
        go.Bar(
            x=d[value],
            y=labels,
            orientation="h",
            marker_color=colours,
            text=texts,
            textposition="outside",
            cliponaxis=False,
            customdata=np.stack([d["spend_gbp"].astype(float) / 1e6], axis=-1),
            hovertemplate="%{y}<br>%{x:.1f}% of £%{customdata[0]:.1f}m<extra></extra>",
            meta={"anchor_ids": list(d["anchor_id"])},
        )
    )
    if network_value is not None and not pd.isna(network_value):
        fig.add_vline(
            x=float(network_value),
            line_dash="dash",
            line_color=theme.DARK_PINK,
            annotation_text=f"Network {float(network_value):.1f}%",
            annotation_position="top",
        )
    fig.update_xaxes(
        title="Local share (%)",
        range=[0, max(float(d[value].max() or 0) * 1.08, 1)],
        showticklabels=False,
        ticks="",
    )
    fig.update_yaxes(automargin=True)
    three = any(v.count("<br>") >= 2 for v in labels)  # a wrapped name and its type: room for three lines
    fig.update_layout(
        height=max(300, 80 + (66 if three else 56) * len(d)),
        showlegend=False,
        margin=dict(l=20, r=_text_px(texts) + 10, t=90, b=60),
    )
    # labels escaped above, with markup of our own; the second lines only name the type (the
    # projector's copy drops them: network.for_projector)
    fig.update_layout(meta={"cwb_escaped": True, "cwb_type_lines": True})
    return theme.apply(fig, title)


def spread(ys: list[float], span: float, min_gap: float = 0.07) -> list[float]:
    """Label positions (same units as ``ys``) moved apart so that no two are closer than
    ``min_gap`` of ``span``: end-of-line labels that would overprint each other are fanned out."""
    if not ys:
        return []
    order = sorted(range(len(ys)), key=lambda i: ys[i])
    gap = max(span, 1e-9) * min_gap
    out = list(ys)
    for k in range(1, len(order)):
        lo, hi = order[k - 1], order[k]
        if out[hi] - out[lo] < gap:
            out[hi] = out[lo] + gap
    return out


def trend(
    df: pd.DataFrame,
    value: str,
    title: str,
    names: dict[str, str],
    baseline: str,
    targets: pd.DataFrame | None = None,
    events: pd.DataFrame | None = None,
    unit: str = "%",
) -> go.Figure:
    """An indicator by financial year, one line per series, labelled at its end; baseline year
    and targets drawn; changes of method or membership (``events``: financial_year, note) flagged.
    Money (``unit='£'``) is drawn in £ million with £ on the axis. With one year only there is no
    line to mark a baseline or a change on, so none is drawn (the notes carry the events)."""
    fig = go.Figure()
    series = list(dict.fromkeys(df["anchor_id"]))
    if "_all" in series:
        series.remove("_all")
        series.insert(0, "_all")
    money = unit != "%"
    scale = 1e6 if money else 1.0
    dashes = ["solid", "dot", "dash", "longdash", "dashdot", "longdashdot"]
    ends = []
    for i, sid in enumerate(series):
        d = df[df["anchor_id"] == sid].sort_values("financial_year")
        label = names.get(sid, sid)
        colour = theme.DARK_BLUE if sid == "_all" else theme.PALETTE[1 + (i % (len(theme.PALETTE) - 1))]
        fmt = "£%{y:,.1f}m" if money else "%{y:.1f}%"
        y = d[value].astype(float) / scale
        fig.add_trace(
            go.Scatter(
                x=d["financial_year"],
                y=y,
                mode="lines+markers",
                name=label,
                line=dict(color=colour, width=4 if sid == "_all" else 2, dash=dashes[i % len(dashes)]),
                marker=dict(size=9 if sid == "_all" else 6),
                hovertemplate=f"%{{fullData.name}}<br>%{{x}}: {fmt}<extra></extra>",
            )
        )
        if len(d):
            last = d.iloc[-1]
            txt = f"{last[value]:.1f}%" if not money else gbp(float(last[value]))
            ends.append((last["financial_year"], float(last[value]) / scale, txt, colour))
    ymax = max([float(v) for v in df[value].astype(float) / scale if not pd.isna(v)] + [1.0])
    for (x, _y, txt, colour), ly in zip(ends, spread([e[1] for e in ends], ymax)):
        fig.add_annotation(
            x=x, y=ly, text=f" {txt}", showarrow=False, xanchor="left", font=dict(color=colour, size=13)
        )
    years = set(df["financial_year"])
    several = len(years) > 1
    if several and baseline in years:
        vline(fig, baseline, f" Baseline {baseline}", theme.DARK_GREY)
    if targets is not None and len(targets):
        fig.add_trace(
            go.Scatter(
                x=targets["financial_year"],
                y=targets["target_value"],
                mode="markers",
                name="Target",
                marker=dict(symbol="diamond-open", size=13, color=theme.ORANGE, line=dict(width=3)),
                hovertemplate="Target %{x}: %{y:.1f}<extra></extra>",
            )
        )
    if events is not None and several:
        shown = [
            (fy, note)
            for fy, note in events[["financial_year", "note"]].itertuples(index=False)
            if fy in years
        ]
        order = sorted(years)
        # notes wrap (a phone's plot is ~180 px wide) and are stacked from the foot of the plot up,
        # each above the one before; a note in the right half reads leftwards from its line
        y = 0.02
        for fy, note in shown:
            lines = len(textwrap.wrap(str(note).strip(), 20)) or 1
            vline(
                fig,
                fy,
                note,
                theme.DARK_PINK,
                dash="dash",
                ypos=y,
                wrap=20,
                right=order.index(fy) >= len(order) / 2,
            )
            y += lines * 16 / 300 + 0.02  # 12 px text, ~16 px a line, in a plot ~300 px high
    # the years may turn in a narrow column (a phone): the axis then takes the room they need, and
    # the legend stands above the plot, over the baseline's label (under the plot it sat on the
    # turned years and the axis title)
    fig.update_xaxes(title="Financial year (April to March)", type="category", automargin=True)
    fig.update_yaxes(
        title=("Share of spend" if not money else "£ million"),
        rangemode="tozero",
        ticksuffix="%" if not money else "m",
        tickprefix="" if not money else "£",
        tickformat=",.0f" if money else None,
    )
    fig.update_layout(
        height=480,
        margin=dict(l=70, r=90, t=70, b=70),
        legend=dict(orientation="h", y=1 + 26 / 330, yanchor="bottom", x=0),
    )
    return theme.apply(fig, title)


def monthly(df: pd.DataFrame, title: str, names: dict[str, str], fy_from: str, fy_to: str) -> go.Figure:
    """Spend per month, one small panel per anchor (own scale); months without data are gaps,
    never zero, and are marked along the bottom of the panel."""
    from plotly.subplots import make_subplots

    start = pd.Timestamp(int(fy_from[:4]), 4, 1)
    end = pd.Timestamp(int(fy_to[:4]) + 1, 3, 1)
    months = pd.date_range(start, end, freq="MS")
    ids = sorted(df["anchor_id"].unique(), key=lambda a: names.get(a, a))
    cols = 2 if len(ids) > 1 else 1
    rows = max(1, -(-len(ids) // cols))
    # panel titles wrap: two side by side on a phone have ~130 px each (one line, they overprinted)
    fig = make_subplots(
        rows=rows,
        cols=cols,
        shared_xaxes=True,
        vertical_spacing=0.09,
        horizontal_spacing=0.07,
        subplot_titles=[theme.wrap_label(names.get(a, a).replace(" (demo)", ""), 20) for a in ids],
    )
    # traces collected and added in one call, axes styled once: plotly's per-subplot
    # add_trace / update_yaxes cost about 0.15 s each with 20 anchors (3 s a figure)
    traces, trows, tcols = [], [], []
    legend_done = False
    by = {a: g for a, g in df.groupby("anchor_id")}
    for i, aid in enumerate(ids):
        d = by[aid]
        s = d.set_index(pd.to_datetime(d["month"]))["spend_gbp"].astype(float).reindex(months)
        r, c = i // cols + 1, i % cols + 1
        traces.append(
            go.Scatter(
                x=months,
                y=s / 1e6,
                mode="lines",
                connectgaps=False,
                showlegend=False,
                line=dict(color=theme.DARK_BLUE, width=2),
                hovertemplate=f"{plot_escape(names.get(aid, aid))}<br>%{{x|%b %Y}}: £%{{y:.2f}}m<extra></extra>",
            )
        )
        trows.append(r)
        tcols.append(c)
        missing = s.index[s.isna()]
        if len(missing):
            traces.append(
                go.Scatter(
                    x=missing,
                    y=[0] * len(missing),
                    mode="markers",
                    showlegend=not legend_done,
                    name="No data",
                    marker=dict(symbol="x", size=8, color=theme.DARK_PINK),
                    hovertemplate="%{x|%b %Y}: no data received<extra></extra>",
                )
            )
            trows.append(r)
            tcols.append(c)
            legend_done = True
    fig.add_traces(traces, rows=trows, cols=tcols)
    fig.update_yaxes(rangemode="tozero", tickprefix="£", ticksuffix="m")
    # the right-hand panels' scales on their right: between the panels (~17 px on a phone) they
    # overprinted the left-hand panels' lines
    if cols == 2:
        fig.update_layout({f"yaxis{i + 1 if i else ''}": dict(side="right") for i in range(1, len(ids), 2)})
    height = 170 * rows + 120
    # the legend stands above the two-line panel titles of the top row (40 px), not on them
    fig.update_layout(
        height=height,
        margin=dict(l=60, r=60 if cols == 2 else 30, t=80, b=50),
        legend=dict(
            orientation="h", y=1 + 40 / max(height - 130, 100), yanchor="bottom", x=1, xanchor="right"
        ),
    )
    fig.update_annotations(font=dict(size=12))
    return theme.apply(fig, title)


def categories(df: pd.DataFrame, title: str, top: int = 12) -> go.Figure:
    """A13: each category's spend split into local and leaving the area, biggest leak first."""
    d = df.head(top).iloc[::-1]
    # long category names wrap, so the axis never needs more than a phone's column can give
    cats = [theme.wrap_label(c, 22) for c in d["category"]]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            y=cats,
            x=d["local_gbp"].astype(float) / 1e6,
            orientation="h",
            name="Spent locally",
            marker_color=theme.DARK_BLUE,
            hovertemplate="%{y}: £%{x:.1f}m local<extra></extra>",
        )
    )
    fig.add_trace(
        go.Bar(
            y=cats,
            x=d["leakage_gbp"].astype(float) / 1e6,
            orientation="h",
            name="Spent outside the local area",
            marker_color=theme.ORANGE,
            marker_pattern_shape="/",
            text=[f"{p:.0f}% local" for p in d["local_pct"]],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: £%{x:.1f}m outside<extra></extra>",
        )
    )
    two = any("<br>" in c for c in cats)  # wrapped names need two lines' room (they overprinted)
    fig.update_layout(
        barmode="stack",
        height=max(360, 80 + (50 if two else 38) * len(d)),
        margin=dict(l=20, r=90, t=90, b=60),
    )
    # as many ticks as the axis' length holds, turned where even those would touch (on a phone
    # six level ticks overprinted); the axis takes the room they need
    fig.update_xaxes(title="Spend (£ million)", tickprefix="£", ticksuffix="m", automargin=True)
    fig.update_yaxes(automargin=True)
    fig.update_layout(meta={"cwb_escaped": True})  # categories escaped above, with line breaks of our own
    return theme.apply(fig, title)
