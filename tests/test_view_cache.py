"""The page caches of issue 15 (cwb.ui.data: kept frames, derived tables, built figures; cwb.ui.show:
cached screen versions of charts): a cached answer is the answer, a changed input is a new entry,
a frame handed out can be changed by its caller without changing what the next caller gets, and
a chart drawn from the cache sends the same figure as one drawn without it."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
import streamlit as st

from cwb.ui import data, show


@pytest.fixture(autouse=True)
def _fresh_caches():
    data.clear()
    yield
    data.clear()


def fp(*args, **kwargs):
    return data._fingerprint(len, args, kwargs)


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "anchor_id": ["a", "b", None, "d"],
            "spend_gbp": [1.5, np.nan, 3.25, 4.0],
            "n": [1, 2, 3, 4],
            "when": pd.to_datetime(["2024-04-01", "2024-05-01", "2024-06-01", "2024-07-01"]),
        }
    )


def test_fingerprint_follows_every_value():
    a = frame()
    assert fp(a) == fp(a.copy()) == fp(frame())
    changed = []
    for col, value in (
        ("anchor_id", "z"),
        ("spend_gbp", 9.0),
        ("n", 7),
        ("when", pd.Timestamp("2020-01-01")),
    ):
        b = a.copy()
        b.loc[2, col] = value
        changed.append(fp(b))
    assert len(set(changed) | {fp(a)}) == 5, "one changed value, in any column type, is a new key"
    assert fp(a.iloc[1:]) != fp(a.iloc[:3]), "slices of one Arrow buffer differ by offset and length"
    assert fp(a.iloc[1:].reset_index(drop=True)) != fp(a.iloc[1:]), "the index is part of the key"
    assert fp(a.rename(columns={"n": "m"})) != fp(a)
    assert fp(a.astype({"n": "float64"})) != fp(a), "same numbers, other dtype"
    assert fp(a["anchor_id"]) != fp(a["spend_gbp"])
    assert fp({"k": a}, x=1) != fp({"k": a}, x=2)
    assert fp(a.set_index(["anchor_id", "n"])) != fp(a.set_index(["n", "anchor_id"]))
    assert data._fingerprint(lambda: 0, (lambda: 1,), {}) is None, "what cannot be pickled is not cached"


def test_derived_computes_once_per_distinct_input():
    calls = []

    def shape(df: pd.DataFrame, k: int) -> pd.DataFrame:
        calls.append(k)
        return df.assign(double=df["n"] * k)

    shape.__module__, shape.__qualname__ = __name__, "shape_for_test"
    a = frame()
    first = data.derived(shape, a, 2)
    again = data.derived(shape, frame(), 2)
    assert calls == [2], "the same values a second time: no second computation"
    pd.testing.assert_frame_equal(first, again)
    assert list(again["double"]) == [2, 4, 6, 8]
    data.derived(shape, a, 3)
    b = a.copy()
    b.loc[0, "n"] = 10
    assert list(data.derived(shape, b, 2)["double"]) == [20, 4, 6, 8]
    assert calls == [2, 3, 2]


def test_kept_frames_are_private_to_each_caller():
    builds = []

    @data.kept(max_entries=8)
    def build(x: int) -> tuple[pd.DataFrame, str]:
        builds.append(x)
        return pd.DataFrame({"v": [x, x + 1], "s": ["p", "q"]}), "note"

    one, note = build(1)
    one.loc[0, "v"] = 99  # the caller changes its copy ...
    one["extra"] = 1
    two, _ = build(1)
    assert note == "note" and builds == [1]
    assert list(two["v"]) == [1, 2] and "extra" not in two, "... the next caller gets the original"
    st.cache_data.clear()  # as after an import: computed again
    build(1)
    assert builds == [1, 1]


def test_kept_frame_that_left_the_store_is_read_again():
    store = data._FRAMES
    builds = []

    @data.kept(max_entries=8)
    def build() -> pd.DataFrame:
        builds.append(1)
        return pd.DataFrame({"v": [len(builds)]})

    build()
    with store._lock:
        store._frames.clear()  # evicted (more than the store's size read since)
    assert list(build()["v"]) == [2] and len(builds) == 2
    assert list(build()["v"]) == [2] and len(builds) == 2, "stored again under the same ticket"


def _bar(values: tuple, title: str) -> go.Figure:
    fig = go.Figure(go.Bar(x=list(range(len(values))), y=list(values), name="spend"))
    fig.update_layout(title=title, margin=dict(t=90))
    return fig


_bar.__module__ = __name__


def test_figure_is_built_once_and_drawn_as_without_the_cache():
    built = data.figure(_bar, (1, 2, 3), "Spend by year")
    assert data.figure(_bar, (1, 2, 3), "Spend by year") is built
    assert data.figure_key(built) is not None
    assert data.figure(_bar, (1, 2, 4), "Spend by year") is not built
    assert data.figure_key(_bar((1, 2, 3), "Spend by year")) is None, "a figure made elsewhere has no key"

    # what st.plotly_chart sends for the cached figure and for a plain copy of it
    cached, title = show._screen_spec(data.figure_key(built), False, built)
    plain, plain_title = show._screen_dict(_bar((1, 2, 3), "Spend by year"), False)
    assert title == plain_title == "Spend by year"
    spec = json.loads(go.Figure(cached).to_json())
    assert spec == json.loads(go.Figure(plain).to_json())
    assert "title" not in spec["layout"] or not spec["layout"]["title"].get("text"), "title drawn above"
    assert spec["layout"]["margin"]["t"] == 48
    assert json.loads(built.to_json())["layout"]["title"]["text"] == "Spend by year", (
        "the original is unchanged"
    )
    data.clear()
    assert data.figure(_bar, (1, 2, 3), "Spend by year") is not built, "clear() means cold"


def test_fingerprint_tells_text_types_apart():
    s = pd.Series(["a", None], dtype="str")
    t = pd.Series(["a", None], dtype="string[pyarrow]")
    assert fp(s) != fp(t), "same Arrow buffers, another missing value (nan against pd.NA)"
    assert fp(pd.Series([1, 2], dtype="int64")) != fp(pd.Series([1, 2], dtype="int32"))
