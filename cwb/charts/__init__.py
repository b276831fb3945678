"""Figure factories: pure functions DataFrame -> plotly Figure (no streamlit)."""
