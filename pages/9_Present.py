"""Presentation mode: one point per screen, large text, next / previous (buttons, arrow keys or a
presenter's clicker); the step is in the URL so a link reopens the same slide."""

import html

import streamlit as st

from cwb import slides as slide_mod
from cwb.charts import network as net_charts
from cwb.ui import data
from cwb.ui.frame import clear_page_param, footer, frame, page_param, set_page_param, set_present

set_present(True)
f = frame("Presentation", show_method=False)
ctx = f.slide_context()
deck = slide_mod.build(data.connection(), ctx)
n = len(deck) + 2                      # title slide + views + method slide
step = int(page_param("s", [str(i) for i in range(n)], "0", "slide"))

# a projector is about 1600 x 900: the synthetic-data banner shrinks to one line, captions stay modest
st.markdown("""<style>
[data-testid="stAlert"] p {font-size: 0.95rem !important; line-height: 1.3;}
[data-testid="stAlert"] > div {padding: 0.35rem 0.8rem !important;}
[data-testid="stCaptionContainer"] p {font-size: 1.0rem !important; line-height: 1.35;}
h2 {padding-top: 0.4rem !important; padding-bottom: 0.2rem !important;}
ul.cwb-notes li {font-size: 1.15rem !important; line-height: 1.4;}
.cwb-count {text-align: center; font-size: 1.6rem; color: #505A5F; padding-top: 0.3rem;}
</style>""", unsafe_allow_html=True)

nav = st.columns([1.6, 1.6, 5, 1.2])
if nav[0].button("◀ Previous", disabled=step == 0, key="prev", width="stretch"):
    step -= 1
if nav[1].button("Next ▶", disabled=step >= n - 1, key="next", type="primary", width="stretch"):
    step += 1
if nav[3].button("Exit", key="exit", width="stretch"):
    set_present(False)
    clear_page_param("s")
    st.switch_page("dashboard.py")
set_page_param("s", str(step))
nav[2].markdown(f"<div class='cwb-count'>{step + 1} / {n}</div>", unsafe_allow_html=True)

# arrow keys, Page Up / Page Down and presenter clickers press the buttons above (fixed script, no user input)
st.html("""<script>
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
</script>""", unsafe_allow_javascript=True)

if step == 0:
    st.markdown(f"# {f.network_name}")
    st.markdown(f"## Community wealth building: progress in {f.fy}")
    st.markdown(f"{f.anchors_label} · compared with {f.baseline_fy}")
    st.markdown(f"{len(deck)} key points, then how the figures are made.")
elif step == n - 1:
    st.markdown("## How these figures are made")
    items = "".join(f"<li>{html.escape(line)}</li>" for line in slide_mod.method_notes(ctx))
    st.markdown(f"<ul class='cwb-notes'>{items}</ul>", unsafe_allow_html=True)
else:
    s = deck[step - 1]
    st.markdown(f"## {s.headline}")
    if s.fig is not None:
        # the headline is the slide's title; the chart fills the rest of a 1600 x 900 screen
        fig = net_charts.for_projector(s.fig, height=450)
        fig.update_layout(title=None, margin=dict(t=50))
        st.plotly_chart(fig, theme=None, key=f"slide_{step}", config={"displayModeBar": False})
        st.caption(s.prov.caption())
footer(f)
