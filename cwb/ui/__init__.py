"""The only part of the engine that imports streamlit: caching, the shared frame, widgets."""
