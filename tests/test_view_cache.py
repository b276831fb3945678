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


def test_fingerprint_follows_extension_types_and_labels():
    """Nullable integers, categories (their order too), time zones and column labels each make
    a new key; a shallow copy (what the store hands out) keeps the key, and a column's Arrow
    digest looked up by identity is the same as hashing it again."""
    df = pd.DataFrame(
        {
            "n": pd.array([1, None, 3], dtype="Int64"),
            "c": pd.Categorical(["u", "v", "u"]),
            "t": pd.date_range("2024-04-01", periods=3, tz="UTC"),
            "s": ["x", "y", "z"],
        }
    )
    base = fp(df)
    assert fp(df.copy(deep=False)) == base
    assert fp(df.copy()) == base  # a deep copy: new Arrow arrays, same values
    changed = [
        df.assign(n=pd.array([1, 2, 3], dtype="Int64")),
        df.assign(c=pd.Categorical(["u", "v", "u"], categories=["v", "u"])),
        df.assign(t=df["t"].dt.tz_convert("Europe/London")),
        df.assign(s=["x", "y", "w"]),
        df.rename(columns={"s": "S"}),
        df.astype({"s": "object"}),
    ]
    keys = {fp(d) for d in changed}
    assert base not in keys and len(keys) == len(changed)


def test_kept_is_keyed_on_its_arguments_not_the_underscored():
    calls = []

    @data.kept()
    def read(name: str, codes: tuple, _note: object = None) -> pd.DataFrame:
        calls.append((name, codes))
        return pd.DataFrame({"name": [name], "n": [len(codes)]})

    a = read("x", ("E1", "E2"), _note=object())
    b = read("x", ("E1", "E2"), _note=object())  # another underscored value: the same entry
    c = read("x", ("E1", "E3"))
    pd.testing.assert_frame_equal(a, b)
    assert calls == [("x", ("E1", "E2")), ("x", ("E1", "E3"))]
    assert c["n"].iloc[0] == 2
    read.clear()
    read("x", ("E1", "E2"))
    assert len(calls) == 3


def test_kept_with_an_argument_that_cannot_be_pickled_is_computed_each_time():
    calls = []

    @data.kept()
    def read(fn) -> pd.DataFrame:
        calls.append(1)
        return pd.DataFrame({"v": [fn()]})

    assert read(lambda: 1)["v"].iloc[0] == 1
    assert read(lambda: 2)["v"].iloc[0] == 2
    assert len(calls) == 2


def test_shaped_outside_a_page_run_is_computed_and_not_kept():
    calls = []

    def shape(df):
        calls.append(1)
        return df.assign(m=df["n"] * 2)

    df = frame()
    a = data.shaped(shape, df)
    b = data.shaped(shape, df)
    pd.testing.assert_frame_equal(a, b)
    assert len(calls) == 2  # no page run here: a download made on click reads afresh


def test_spec_deck_sends_what_a_deck_made_afresh_would():
    import pydeck as pdk

    tip = {"html": "<b>{name}</b>"}
    made = show._SpecDeck('{"layers": []}', tip)
    fresh = pdk.Deck(layers=[], map_provider=None, tooltip=tip)
    assert made.to_json() == '{"layers": []}'
    expect = {k: v for k, v in vars(fresh).items()}
    got = {k: v for k, v in vars(made).items() if k != "_spec"}
    assert set(got) == set(expect)
    for k in expect:
        assert repr(got[k]) == repr(expect[k]), k
    assert show._SpecDeck("{}", None)._tooltip is True
