"""Network and presentation charts: a few lines by year, each labelled at its end (not colour alone)."""

from __future__ import annotations

import math
import textwrap
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from cwb.charts import theme
from cwb.charts.spend import spread
from cwb.fmt import plot_escape

DASHES = ["solid", "dash", "dot", "dashdot"]
SYMBOLS = ["circle", "square", "diamond", "triangle-up"]


def lines(
    df: pd.DataFrame,
    series: list[tuple[str, str]],
    title: str,
    y_title: str,
    unit: str = "%",
    x: str = "financial_year",
    x_title: str = "Financial year (April to March)",
) -> go.Figure:
    """One line per (column, label) in ``series`` over ``x``. Each line differs in colour, dash
    and marker, and carries its label and last value at its end, so no legend is needed."""
    d = df.sort_values(x)
    fig = go.Figure()
    ymax = 0.0
    ends = []
    for i, (col, label) in enumerate(series):
        colour = theme.PALETTE[i % len(theme.PALETTE)]
        s = d[[x, col]].dropna()
        fmt = "%{y:.1f}%" if unit == "%" else "%{y:,.0f}"
        fig.add_trace(
            go.Scatter(
                x=d[x],
                y=d[col],
                mode="lines+markers",
                name=label,
                connectgaps=False,
                line=dict(color=colour, width=4, dash=DASHES[i % len(DASHES)]),
                marker=dict(size=10, symbol=SYMBOLS[i % len(SYMBOLS)]),
                hovertemplate=f"%{{fullData.name}}<br>%{{x}}: {fmt}<extra></extra>",
            )
        )
        if len(s):
            v = float(s[col].iloc[-1])
            ymax = max(ymax, float(s[col].max()))
            txt = f"{v:.1f}%" if unit == "%" else f"{v:,.0f}"
            falling = len(s) > 1 and float(s[col].iloc[-2]) > v
            ends.append((s[x].iloc[-1], v, f"<b>{txt}</b> {plot_escape(label)}", colour, falling))
    top = 105 if unit == "%" and ymax > 60 else max(ymax * 1.25, 1)
    # each label at its line's last point, right-aligned so it needs no margin of its own; above
    # the line when it rises into that point, below when it falls; labels closer than a label's
    # height are fanned apart (one year shown: every label sits on the same x)
    pos = [v + (-1 if falling else 1) * 0.06 * top for (_, v, _, _, falling) in ends]
    pos = spread(pos, top, 0.09)
    for (xv, _, txt, colour, _), py in zip(ends, pos):
        # on a white ground: a line rising to a peak further left crossed the label's words
        fig.add_annotation(
            x=xv,
            y=py,
            text=txt,
            showarrow=False,
            xanchor="right",
            yanchor="middle",
            font=dict(color=colour, size=15),
            bgcolor="rgba(255,255,255,0.65)",
        )
    # years turn only where they would overprint each other (a phone); the axis then takes the
    # room they need, so they stay clear of its title
    fig.update_xaxes(title=x_title, type="category", tickfont=dict(size=13), automargin=True)
    fig.update_yaxes(
        title=y_title,
        rangemode="tozero",
        ticksuffix="%" if unit == "%" else "",
        range=[0, max(top, max(pos, default=0) * 1.08)],
    )
    if unit != "%":  # counts (sites, staff): whole-number ticks only
        fig.update_yaxes(tickformat=",d", dtick=_count_step(top))
    fig.update_layout(height=440, showlegend=False, margin=dict(l=70, r=40, t=70, b=70))
    return theme.apply(fig, title)


def _count_step(top: float) -> int:
    """A whole-number tick step giving about five ticks up to ``top`` (1, 2, 5, 10, 20, 50 ...)."""
    raw = max(top / 5, 1)
    mag = 10 ** int(math.floor(math.log10(raw)))
    for m in (1, 2, 5, 10):
        if m * mag >= raw:
            return int(m * mag)
    return int(10 * mag)


def for_projector(
    fig: go.Figure, factor: float = 1.3, height: int | None = None, min_size: int = 0
) -> go.Figure:
    """A copy of ``fig`` with every text (layout font, title, axis titles and ticks, direct
    labels, bar texts) ``factor`` times larger and at least ``min_size`` px, for presentation
    mode: readable from the back of a room. Fixed left margins grow with the text."""
    f = go.Figure(fig)

    def big(size, default):
        return max(round((size or default) * factor), min_size)

    base = f.layout.font.size if f.layout.font and f.layout.font.size else 15
    f.update_layout(font=dict(size=big(base, base)))
    if f.layout.title and f.layout.title.font and f.layout.title.font.size:
        f.layout.title.font.size = big(f.layout.title.font.size, base)
    for a in f.layout.annotations:
        a.font.size = big(a.font.size, base)
    for t in f.data:
        tf = getattr(t, "textfont", None)
        if tf is not None:
            tf.size = big(tf.size, base)
    for ax in ("xaxis", "yaxis"):
        axis = getattr(f.layout, ax, None)
        if axis is not None and axis.tickfont and axis.tickfont.size:
            axis.tickfont.size = big(axis.tickfont.size, base)
    m = f.layout.margin
    if m and m.r is not None:
        f.update_layout(margin=dict(r=round(m.r * factor)))
    # bigger text needs room the fixed margins did not leave: the axes take what they need, the
    # years stay level, and notes stacked inside the plot (changes of method) are spaced for the size
    f.update_xaxes(automargin=True, tickangle=0)
    f.update_yaxes(automargin=True, title_standoff=12)
    inside = [a for a in f.layout.annotations if a.yref == "paper" and a.y is not None and 0 < a.y < 0.5]
    # the plot area, conservatively, at the height the copy will have (a slide's is lower)
    plot_h = max((height or f.layout.height or 450) * 0.45, 120)
    cats = list(f.data[0].x) if len(f.data) and f.data[0].x is not None else []
    y = 0.03
    for a in sorted(inside, key=lambda a: a.y):
        right = a.x in cats and cats.index(a.x) >= len(cats) / 2  # a note in the right half reads leftwards
        a.text = "<br>".join(textwrap.wrap(a.text.replace("<br>", " ").strip(), 30)) + (" " if right else "")
        a.text = a.text if right else " " + a.text
        a.y, a.yanchor, a.align = y, "bottom", "right" if right else "left"
        a.bgcolor = "rgba(255,255,255,0.6)"  # legible, and a line passing behind still shows
        a.xanchor = "right" if right else "left"
        y += (a.text.count("<br>") + 1) * (a.font.size or base * factor) * 1.3 / plot_h
    # second lines of category labels that only name a type (the anchor type, small; the figure's
    # meta says so) would overprint at this size: dropped, the name on one line. Other wrapped
    # labels (long names, or a second line carrying figures) keep their lines and get the room
    meta = f.layout.meta if isinstance(f.layout.meta, dict) else {}
    wrapped = False
    for t in f.data:
        ys: Any = getattr(t, "y", None)
        if (
            ys is not None
            and not isinstance(ys, dict)
            and len(ys)
            and all(isinstance(v, str) for v in ys)
            and any("<br>" in v for v in ys)
        ):
            if meta.get("cwb_type_lines"):
                t.y = [v.split("<br><span")[0].replace("<br>", " ") for v in ys]
            else:
                wrapped = True
    # labels at the lines' ends (data coordinates, one x) were fanned apart for the document's
    # size: at this text size and height they would touch, so they are fanned apart again
    rng = f.layout.yaxis.range if f.layout.yaxis else None
    ends = [
        a
        for a in f.layout.annotations
        if a.yref in (None, "y") and a.xref in (None, "x") and a.y is not None and a.yanchor == "middle"
    ]
    if rng and len(ends) > 1:
        span = float(rng[1]) - float(rng[0])
        gap = 1.3 * max((a.font.size or base * factor) for a in ends) / plot_h  # a label's height, as a share
        moved = []
        for xv in {a.x for a in ends}:
            group = [a for a in ends if a.x == xv]
            ys = [float(a.y) for a in group]
            new = spread(ys, span, gap)
            if new == ys:
                continue
            shift = (sum(new) - sum(ys)) / len(ys)  # fanned out about their middle, not only upwards
            low = min(new) - shift
            shift -= max(0.0, gap * span / 2 - low)  # ... and never below the axis
            for a, y in zip(group, new):
                a.y = y - shift
                moved.append(a.y)
        top = max(moved, default=0.0) + gap * span / 2
        if moved and top > float(rng[1]):
            f.update_yaxes(range=[rng[0], top])
    if height or f.layout.height:
        f.update_layout(height=height or round(f.layout.height * (factor if wrapped else 1.15)))
    return f
