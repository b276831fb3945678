"""Open the Download menus of a page run in AppTest.

A Download menu draws its buttons only while it is open (``cwb.ui.downloads._menu``). A person
opens it by clicking it (the browser tests do); in AppTest the menu's state is its widget value,
keyed ``dl_menu_<key>``, which is what the browser's click sets.
"""

from __future__ import annotations


def menu_keys(at) -> list[str]:
    """The keys of the Download menus the last run drew, in page order."""
    out: list[str] = []

    def walk(node) -> None:
        for ch in getattr(node, "children", {}).values():
            if getattr(ch, "type", None) == "popover":  # a Block of the element tree
                wid = ch.proto.popover.id  # "$$ID-<hash>-dl_menu_<key>"
                if "-dl_menu_" in wid:
                    out.append(wid[wid.index("-dl_menu_") + 1 :])
            walk(ch)

    walk(at._tree)
    return out


def open_menus(at):
    """Open every Download menu of the page and rerun; the AppTest, for chaining."""
    keys = menu_keys(at)
    assert keys, "the page drew no Download menu"
    for k in keys:
        at.session_state[k] = True
    return at.run()
