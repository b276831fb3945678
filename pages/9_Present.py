"""Presentation mode: one point per screen, large text, next / previous; the step is in the URL."""

import streamlit as st

from cwb import slides as slide_mod
from cwb.ui import data
from cwb.ui.frame import _state, footer, frame, page_param, set_page_param

_state()["present"] = "1"
f = frame("Presentation", show_method=False)
deck = slide_mod.build(data.connection(), f.slide_context())
n = len(deck) + 2                      # title slide + views + method slide
step = int(page_param("s", [str(i) for i in range(n)], "0", "slide"))

nav = st.columns([2, 2, 5, 1.2])
if nav[0].button("◀ Previous", disabled=step == 0, key="prev"):
    step -= 1
if nav[1].button("Next ▶", disabled=step >= n - 1, key="next", type="primary"):
    step += 1
if nav[3].button("Exit", key="exit"):
    _state()["present"] = "0"
    _state().pop("s", None)
    st.switch_page("dashboard.py")
set_page_param("s", str(step))
nav[2].markdown(f"<div style='text-align:center;color:#505A5F'>{step + 1} / {n}</div>", unsafe_allow_html=True)

if step == 0:
    st.markdown(f"# {f.network_name}")
    st.markdown(f"## Community wealth building: progress in {f.fy}")
    st.markdown(f"{f.anchors_label} · compared with {f.baseline_fy}")
    if f.synthetic:
        st.markdown("**Synthetic demo data**: the anchors and figures are invented; the geography is real.")
elif step == n - 1:
    st.markdown("# How these figures are made")
    for line in slide_mod.method_notes(f.slide_context()):
        st.markdown(f"- {line}")
else:
    s = deck[step - 1]
    st.markdown(f"## {s.headline}")
    if s.fig is not None:
        fig = s.fig
        fig.update_layout(height=560, font=dict(size=19), title=dict(font=dict(size=24)))
        st.plotly_chart(fig, theme=None, key=f"slide_{step}", config={"displayModeBar": False})
        st.caption(s.prov.caption())
footer(f)
