"""The Import page in AppTest, with the anchor chosen as an officer must (the page has no default
anchor while the network has demo anchors or more than one real one)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def import_page(anchor: str | None = "DEMO-CC", timeout: float = 180, **params: str) -> AppTest:
    """Run pages/10_Import.py (URL ``params`` as query parameters) and choose ``anchor`` in its
    Anchor box (None: leave it unchosen)."""
    at = AppTest.from_file(str(ROOT / "pages" / "10_Import.py"), default_timeout=timeout)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    if anchor is not None:
        next(s for s in at.selectbox if s.label == "Anchor").set_value(anchor)
        at.run()
        assert not at.exception, at.exception
    return at
