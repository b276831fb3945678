"""Presentation mode: one point per screen, large text, next / previous (buttons, arrow keys or a
presenter's clicker); the step is in the URL so a link reopens the same slide."""

import html

import streamlit as st

from cwb import slides as slide_mod
from cwb.charts import network as net_charts
from cwb.fmt import md_escape as esc
from cwb.ui import data
from cwb.ui.frame import (
    clear_page_param,
    footer,
    frame,
    page_param,
    set_page_param,
    set_present,
    step_page_param,
)
from cwb.ui.nav import home_page

# at 1280 x 720 (a projector) the headline, the chart with its x-axis and the caption fit one screen
CHART_HEIGHT = 340


@st.cache_data(show_spinner="Preparing the slides...", max_entries=32, ttl=600)
def _deck(_ctx, ctx_key: str, version: int):
    """The slides (queries and figures) once per view and data version: stepping is then instant."""
    return slide_mod.build(data.connection(), _ctx)


@st.cache_data(show_spinner=False, max_entries=256, ttl=600)
def _slide_figure(ctx_key: str, version: int, step: int, _fig):
    """The projector version of a slide's chart (large text, no title: the headline is the title)."""
    fig = net_charts.for_projector(_fig, factor=1.6, height=CHART_HEIGHT, min_size=22)
    fig.update_layout(title=None, margin=dict(t=36))
    for t in fig.data:  # a slide is the screen's width: names wrapped for narrow columns fit one line
        ys = getattr(t, "y", None)  # numbers may come back from the cache as a dict (plotly's typed array)
        if (
            isinstance(ys, (list, tuple))
            and ys
            and all(isinstance(v, str) for v in ys)
            and any("<br>" in v for v in ys)
        ):
            t.y = [v.replace("<br>", " ") for v in ys]
    bars = [t for t in fig.data if getattr(t, "orientation", None) == "h"]
    if bars:  # every category named: plotly skips every other label when the text is this large
        fig.update_yaxes(tickmode="linear", dtick=1)
    if fig.layout.showlegend is not False and len(fig.data) > 1:
        # a legend under the plot sits on the x-axis title at 1280 x 720: put it above, at the right
        fig.update_layout(legend=dict(orientation="h", y=1.02, yanchor="bottom", x=1, xanchor="right"))
    return fig


set_present(True)
f = frame("Presentation", show_method=False, exit_button=False)
ctx = f.slide_context()
ctx_key = repr(ctx)
version = data.data_version()
deck = _deck(ctx, ctx_key, version)
n = len(deck) + 2  # title slide + views + method slide
step = int(page_param("s", [str(i) for i in range(n)], "0", "slide"))

# a projector is about 1600 x 900: the synthetic-data banner shrinks to one line, captions stay modest
st.markdown(
    """<style>
[data-testid="stAlert"] p {font-size: 0.85rem !important; line-height: 1.25;}
[data-testid="stAlert"] > div {padding: 0.2rem 0.8rem !important;}
[data-testid="stCaptionContainer"] p {font-size: 1.0rem !important; line-height: 1.35;}
h2 {padding-top: 0.1rem !important; padding-bottom: 0.1rem !important;}
ul.cwb-notes li {font-size: 1.15rem !important; line-height: 1.4;}
.cwb-count {text-align: center; font-size: 1.4rem; color: #505A5F; padding-top: 0.2rem;}
/* buttons keep their whole label ("◀ Previous") at any width */
.stButton button p {font-size: 1.05rem !important; white-space: nowrap;}
.stButton button {padding-left: 0.4rem; padding-right: 0.4rem;}
h2 {font-size: 1.75rem !important; padding-bottom: 0.35rem !important;}
[data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"] {gap: 0.6rem;}
.block-container {padding-top: 0.6rem !important; padding-bottom: 1rem !important;}
</style>""",
    unsafe_allow_html=True,
)

nav = st.columns([2, 2, 3, 2.4])
# the step moves in the buttons' callbacks (before this run), so the counter and which buttons are
# enabled show the new slide at once (changed after drawing them, 'Previous' stayed disabled on slide 2)
nav[0].button(
    "◀ Previous", disabled=step == 0, key="prev", width="stretch", on_click=step_page_param, args=("s", -1, n)
)
nav[1].button(
    "Next ▶",
    disabled=step >= n - 1,
    key="next",
    type="primary",
    width="stretch",
    on_click=step_page_param,
    args=("s", 1, n),
)
if nav[3].button("✕ Exit presentation", key="exit", width="stretch"):
    set_present(False)
    clear_page_param("s")
    st.switch_page(home_page())  # the home page is a callable: reached by its Page
set_page_param("s", str(step))
nav[2].markdown(f"<div class='cwb-count'>{step + 1} / {n}</div>", unsafe_allow_html=True)

# arrow keys, Page Up / Page Down and presenter clickers press the buttons above (fixed script, no user input)
st.html(
    """<script>
const doc = document;
if (!doc.cwbKeys) {
  doc.cwbKeys = true;
  doc.addEventListener('keydown', (e) => {
    if (['INPUT', 'TEXTAREA', 'SELECT'].includes((e.target.tagName || '').toUpperCase())) return;
    const fwd = ['ArrowRight', 'PageDown', ' '].includes(e.key), back = ['ArrowLeft', 'PageUp'].includes(e.key);
    if (!fwd && !back) return;
    const label = fwd ? 'Next' : 'Previous';
    const b = Array.from(doc.querySelectorAll('button')).find(x => x.innerText.includes(label) && !x.disabled);
    if (b) { e.preventDefault(); b.click(); }
  });
}
</script>""",
    unsafe_allow_javascript=True,
)

if step == 0:
    one = f.anchors[0] if len(f.anchors) == 1 else None
    st.markdown(f"# {esc(f.anchor_names[one] if one else f.network_name)}")
    st.markdown(f"## Community wealth building: progress in {f.fy}")
    st.markdown(
        (f"A member of {esc(f.network_name)} · " if one else f"{esc(f.anchors_label)} · ")
        + f"compared with {f.baseline_fy}"
    )
    st.markdown(f"{len(deck)} key points, then how the figures are made.")
elif step == n - 1:
    st.markdown("## How these figures are made")
    items = "".join(f"<li>{html.escape(line)}</li>" for line in slide_mod.method_notes(ctx))
    st.markdown(f"<ul class='cwb-notes'>{items}</ul>", unsafe_allow_html=True)
else:
    s = deck[step - 1]
    st.markdown(f"## {esc(s.headline)}")
    if s.fig is not None:
        # the headline is the slide's title; the chart fills the rest of a 1280 x 720 screen
        fig = _slide_figure(ctx_key, version, step, s.fig)
        st.plotly_chart(fig, theme=None, key=f"slide_{step}", config={"displayModeBar": False})
        st.caption(esc(s.prov.caption()))
footer(f)
