"""The app's navigation: Streamlit's own (``st.navigation`` in the sidebar, sections expanded),
built from the one page registry (cwb/ui/registry.py) by the entry point, dashboard.py.

Streamlit sends the navigation once per run as part of the run it does anyway and marks the
page one is on itself (``aria-current="page"``); the frame used to draw 4 section captions and
14 ``st.page_link`` elements on every rerun instead (17.6 % of a page run's CPU).

Every page keeps the URL it had when pages were found in ``pages/``: ``/`` for the home page,
``/Spend_overview`` for pages/1_Spend_overview.py (the file name without its number), set
explicitly so a renamed title never moves a shared link.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import streamlit as st

from cwb.config import ROOT
from cwb.ui import registry

HOME = "dashboard.py"  # the entry point; its page is a callable (the entry point runs it)


def url_path(path: str) -> str:
    """The page's URL path: '' for the home page, else the one Streamlit gave a pages/ file
    (its own rule, ``page_icon_and_name``: 'pages/1_Spend_overview.py' -> 'Spend_overview')."""
    from streamlit.source_util import page_icon_and_name

    if path == HOME:
        return ""
    return page_icon_and_name(Path(path))[1]


_home: list[Callable[[], None]] = []  # the home page's callable, for home_page()


def pages(home: Callable[[], None]) -> dict[str, list[st.Page]]:
    """{section: [st.Page, ...]} in registry order, pages whose file exists only; ``home`` draws
    the home page (dashboard.py's ``render``)."""
    _home[:] = [home]
    out: dict[str, list[st.Page]] = {}
    for p in registry.PAGES:
        if p.path == HOME:
            page = st.Page(home, title=p.label, url_path="", default=True)
        elif (ROOT / p.path).is_file():
            page = st.Page(p.path, title=p.label, url_path=url_path(p.path))
        else:
            continue
        out.setdefault(p.section, []).append(page)
    return out


def run(home: Callable[[], None]) -> None:
    """Register the pages with Streamlit's navigation and run the one asked for."""
    st.navigation(pages(home), position="sidebar", expanded=True).run()


def take_over() -> None:
    """Called by every page first (frame.page_setup). A server starts in Streamlit's old
    multipage mode because a pages/ folder exists (PagesManager.uses_pages_directory, a
    process-wide flag that only st.navigation clears): until some run has called st.navigation,
    a session that opens a page other than home (a shared link to /Spend_overview) runs that
    page on its own, with the old automatic navigation (file names, 'View 4 more'). Clear the
    flag and run again: the rerun goes through dashboard.py and st.navigation, same page and
    query. Once per server process at most."""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def home_page() -> st.Page:
    """The home page, for ``st.switch_page`` / ``st.page_link`` (a callable page is reached by
    its Page, not a file name)."""
    return st.Page(_home[0] if _home else _no_home, title=registry.title(HOME), url_path="", default=True)


def _no_home() -> None:  # a page run on its own (AppTest): there is no home to draw
    pass
