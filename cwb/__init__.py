"""Community wealth building engine: data model, reference geography, metrics and exports.

Nothing in this package imports streamlit except :mod:`cwb.ui`.
"""

__version__ = "0.1.0"
