"""Community wealth building dashboard: entry point and network overview (home page).

Run with:  streamlit run dashboard.py
"""

from cwb.ui import home

home.render()
