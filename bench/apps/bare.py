"""The baseline page for benchmarks: one selectbox and one metric (Streamlit's own round trip)."""

import streamlit as st

choice = st.selectbox("Year", ["2020-21", "2021-22", "2022-23", "2023-24", "2024-25", "2025-26"])
st.metric("Spend", f"£{(int(choice[:4]) - 2000) * 1.5:.1f}m")
