"""Every sidebar control and URL-kept page control takes the user's choice (issue 10, defect 1).

The frame used to re-seed each widget from its own store before drawing it, which put the
previous value back over the user's change: the selectbox, the figures and the URL all stayed
on the old value. These tests change each control through AppTest (as the front end does: the
widget's value arrives in session state, then the script reruns) and check that the widget, the
URL and a figure follow -- twice in a row, and back again. The browser tests repeat the check
with real clicks in Chromium.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def _app(page: str = "dashboard.py", **params) -> AppTest:
    at = AppTest.from_file(str(ROOT / page), default_timeout=120)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def _by_label(widgets, label: str):
    found = [w for w in widgets if w.label.startswith(label)]
    assert found, f"no widget labelled {label!r}: {[w.label for w in widgets]}"
    return found[0]


def _a2(at: AppTest):
    found = [m for m in at.metric if "(A2)" in m.label]
    assert found, f"no A2 metric: {[m.label for m in at.metric]}"
    return found[0]


def _metric(at: AppTest, label: str) -> str:
    assert label == "Local spend"
    return _a2(at).value


def _url(at: AppTest, key: str):
    v = at.query_params.get(key)
    return v[0] if isinstance(v, list) else v


def test_financial_year_takes_twice_in_a_row_and_back(app_env):
    at = _app()
    assert not at.exception
    fy = _by_label(at.selectbox, "Financial year")
    years = list(fy.options)
    latest, first, second = years[-1], years[0], years[1]
    assert fy.value == latest
    a2_latest = _metric(at, "Local spend")

    fy.set_value(first).run()
    assert not at.exception
    assert _by_label(at.selectbox, "Financial year").value == first
    assert _url(at, "fy") == first
    a2_first = _metric(at, "Local spend")
    assert a2_first != a2_latest

    _by_label(at.selectbox, "Financial year").set_value(second).run()  # a second change straight after
    assert _by_label(at.selectbox, "Financial year").value == second
    assert _url(at, "fy") == second

    _by_label(at.selectbox, "Financial year").set_value(latest).run()  # and back
    assert _by_label(at.selectbox, "Financial year").value == latest
    assert _url(at, "fy") == latest
    assert _metric(at, "Local spend") == a2_latest


def test_baseline_and_anchors_take(app_env):
    at = _app()
    base = _by_label(at.selectbox, "Baseline year")
    years = list(base.options)
    change_before = _a2(at).delta
    base.set_value(years[2]).run()
    assert _by_label(at.selectbox, "Baseline year").value == years[2]
    assert _url(at, "base") == years[2]
    assert _a2(at).delta != change_before

    ms = _by_label(at.multiselect, "Anchors")
    one = ms.options[0]
    a2_all = _metric(at, "Local spend")
    ms.select(one).run()
    assert not at.exception
    assert _by_label(at.multiselect, "Anchors").value, "the anchor choice was dropped"
    assert _url(at, "a")
    assert _metric(at, "Local spend") != a2_all
    _by_label(at.multiselect, "Anchors").unselect(_by_label(at.multiselect, "Anchors").value[0]).run()
    assert _by_label(at.multiselect, "Anchors").value == []
    assert _metric(at, "Local spend") == a2_all


def test_method_settings_take(app_env):
    at = _app()
    a2 = _metric(at, "Local spend")
    den = _by_label(at.radio, "Denominator")
    den.set_value("top_n").run()
    assert not at.exception
    assert _by_label(at.radio, "Denominator").value == "top_n"
    assert _url(at, "den") == "top_n"
    n = _by_label(at.number_input, "N")
    n.set_value(20).run()
    assert _by_label(at.number_input, "N").value == 20
    assert _url(at, "top") == "20"
    assert _metric(at, "Local spend") != a2
    _by_label(at.radio, "Denominator").set_value("all").run()
    assert _url(at, "den") == "all"
    assert _metric(at, "Local spend") == a2

    imd = _by_label(at.radio, "Deprivation edition")
    other = "2025" if imd.value == "2019" else "2019"
    imd.set_value(other).run()
    assert _by_label(at.radio, "Deprivation edition").value == other
    assert _url(at, "imd") == other

    local = _by_label(at.multiselect, "Local area")
    before = list(local.value)
    wider = list(_by_label(at.multiselect, "Wider area").value)
    extra = next(c for c in wider if c not in before)  # a neighbouring district (LAD code)
    local.select(extra).run()
    assert extra in _by_label(at.multiselect, "Local area").value
    assert extra in _url(at, "local").split(",")
    assert _metric(at, "Local spend") != a2


def test_profile_anchor_takes(app_env):
    at = _app("pages/8_Anchor_profile.py")
    assert not at.exception
    sb = _by_label(at.selectbox, "Anchor")
    first = sb.value  # anchor codes (options show names)
    second = next(a for a in ("DEMO-HA", "DEMO-UNI", "DEMO-NHS") if a != first)
    heading = next(m.value for m in at.markdown if m.value.startswith("## "))
    sb.set_value(second).run()
    assert not at.exception
    assert _by_label(at.selectbox, "Anchor").value == second
    assert _url(at, "a") == second
    assert next(m.value for m in at.markdown if m.value.startswith("## ")) != heading  # the profile changed
    _by_label(at.selectbox, "Anchor").set_value(first).run()
    assert _by_label(at.selectbox, "Anchor").value == first


@pytest.mark.parametrize(
    "page,label,key,values",
    [
        ("pages/3_Where_the_money_goes.py", "Areas", "lvl", ["msoa11", "lsoa11", "lad"]),
        ("pages/3_Where_the_money_goes.py", "Show", "ext", ["uk", "wider", "uk"]),
        ("pages/7_Land_and_property.py", "Break down by", "ldim", ["tenure", "status", "use_type"]),
    ],
)
def test_page_radios_take_every_change(app_env, page, label, key, values):
    """Each change counts, including two in a row (every second change used to be lost)."""
    at = _app(page)
    assert not at.exception
    for v in values:
        _by_label(at.radio, label).set_value(v).run()
        assert not at.exception
        assert _by_label(at.radio, label).value == v
        assert _url(at, key) == v


def test_suppliers_search_and_shared_switch_are_kept_in_the_link(app_env):
    """The supplier search and the 'shared only' switch go into the address, and a link with
    them reopens the same list (they used to be lost when the link was shared)."""
    at = _app("pages/5_Suppliers.py")
    assert not at.exception
    n_all = len(at.dataframe[0].value)
    _by_label(at.text_input, "Search supplier names").input("ltd").run()
    _by_label(at.toggle, "Only suppliers shared").set_value(True).run()
    assert not at.exception
    assert _url(at, "q") == "ltd" and _url(at, "shared") == "1"
    shown = at.dataframe[0].value
    assert 0 < len(shown) < n_all

    again = _app("pages/5_Suppliers.py", q="ltd", shared="1")  # the shared link
    assert _by_label(again.text_input, "Search supplier names").value == "ltd"
    assert _by_label(again.toggle, "Only suppliers shared").value is True
    assert again.dataframe[0].value.equals(shown)

    _by_label(again.toggle, "Only suppliers shared").set_value(False).run()
    assert _url(again, "shared") == "0"


def test_land_filters_are_kept_in_the_link(app_env):
    """Tenure and status lists ('|' between choices: names may hold commas), measure and colour."""
    at = _app("pages/7_Land_and_property.py")
    assert not at.exception
    ten = _by_label(at.multiselect, "Tenure")
    pick = list(ten.options)[:2]
    ten.set_value(pick).run()
    _by_label(at.radio, "Measure").set_value("area_ha").run()
    assert not at.exception
    assert _url(at, "ten") == "|".join(pick) and _url(at, "lunit") == "area_ha"

    again = _app("pages/7_Land_and_property.py", ten="|".join(pick) + "|Not a tenure", lunit="area_ha")
    assert list(_by_label(again.multiselect, "Tenure").value) == pick
    assert _by_label(again.radio, "Measure").value == "area_ha"
    assert any("Not a tenure" in i.value and "ignored" in i.value for i in again.info)


def test_spend_overview_type_comparison_is_kept_in_the_link(app_env):
    at = _app("pages/1_Spend_overview.py", cmp="1")
    assert _by_label(at.toggle, "Compare within one anchor type").value is True
    assert not at.exception and _url(at, "cmp") == "1"
    # the link's anchor type is taken (AppTest cannot change a selectbox that has a format_func:
    # tests/test_interaction.py changes it by clicks in Chromium)
    box = _by_label(at.selectbox, "Anchor type")
    assert box.index == 0 and _url(at, "atype")
    other = _app("pages/1_Spend_overview.py", cmp="1", atype="nhs_trust")
    assert (
        _by_label(other.selectbox, "Anchor type").value == "nhs_trust" and _url(other, "atype") == "nhs_trust"
    )
