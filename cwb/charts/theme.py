"""One look everywhere: the UK Government Analysis Function accessible palette.

Source: Government Analysis Function, "Data visualisation: colours" (categorical palette).
The same template is used on screen (``st.plotly_chart(fig, theme=None)``) and in exports.
Colour never carries meaning alone: lines carry direct labels, bars carry values.
"""

from __future__ import annotations

import textwrap

import plotly.graph_objects as go
import plotly.io as pio

from cwb.fmt import plot_escape

DARK_BLUE = "#12436D"
TURQUOISE = "#28A197"
DARK_PINK = "#801650"
ORANGE = "#F46A25"
DARK_GREY = "#3D3D3D"
LIGHT_PURPLE = "#A285D1"
PALETTE = [DARK_BLUE, TURQUOISE, DARK_PINK, ORANGE, DARK_GREY, LIGHT_PURPLE]
LIGHT_GREY = "#BFC1C3"
FONT = "Liberation Sans, Arial, Helvetica, sans-serif"

# concentric bands, nearest first
BAND_COLOURS = {
    "Local area": DARK_BLUE,
    "Rest of wider area": TURQUOISE,
    "Rest of region": LIGHT_PURPLE,
    "Rest of UK": ORANGE,
    "Unknown location": LIGHT_GREY,
}

TEMPLATE = go.layout.Template(
    layout=go.Layout(
        font=dict(family=FONT, size=15, color=DARK_GREY),
        title=dict(font=dict(size=20, color="#0B0C0C"), x=0, xanchor="left"),
        colorway=PALETTE,
        paper_bgcolor="white",
        plot_bgcolor="white",
        xaxis=dict(showgrid=False, linecolor=DARK_GREY, ticks="outside", title=dict(standoff=8)),
        yaxis=dict(gridcolor="#E5E6E7", zeroline=True, zerolinecolor=DARK_GREY, title=dict(standoff=8)),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0),
        margin=dict(l=70, r=40, t=80, b=60),
        hoverlabel=dict(font=dict(family=FONT)),
    )
)
pio.templates["cwb"] = TEMPLATE


def apply(fig: go.Figure, title: str | None = None) -> go.Figure:
    """The house template, the title, and data values made inert (escape_data)."""
    fig.update_layout(template="cwb")
    escape_data(fig)
    if title:
        fig.update_layout(title=dict(text=plot_escape(title)))
    return fig


def wrap_label(text, width: int = 22) -> str:
    """A data label (anchor name, category, note) escaped and broken into lines of about
    ``width`` characters with plotly's ``<br>``: long labels then fit a phone's or a half-width
    column instead of running past the figure's edge. Escaped line by line, so a ``<br>`` typed
    in the data still shows as typed. A figure using these must be marked escaped
    (``meta={"cwb_escaped": True}``) or ``escape_data`` would make the breaks literal."""
    lines = textwrap.wrap(str("" if text is None else text), width) or [""]
    return "<br>".join(plot_escape(x) for x in lines)


def _esc_array(v):
    if v is None or isinstance(v, str):
        return v
    try:
        items = list(v)
    except TypeError:
        return v
    if not items or not all(isinstance(x, str) for x in items):
        return v
    return [plot_escape(x) for x in items]


def escape_data(fig: go.Figure) -> go.Figure:
    """Category labels (x, y) and trace names come from data (anchor names,
    categories, places): plotly would render <a href>, <b> or <span> in them. Escaped once per
    figure (layout.meta remembers), so copies made for export or the projector are not
    escaped twice. Chart code adds its own markup after this, on purpose."""
    meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else {}
    if meta.get("cwb_escaped"):
        return fig
    for t in fig.data:
        for attr in ("x", "y"):
            if hasattr(t, attr):
                new = _esc_array(getattr(t, attr))
                if new is not getattr(t, attr):
                    setattr(t, attr, new)
        if getattr(t, "name", None):
            t.name = plot_escape(t.name)
    fig.update_layout(meta={**meta, "cwb_escaped": True})
    return fig
