"""Frame digests (cwb.ui.data._frame_digest, the cache key of every view on every rerun): the
digest with dtypes read from the column arrays against the same digest reading DataFrame.dtypes
(the previous code, kept here as the baseline), on one frame in the same process; the two digests
must be equal (same cache keys). Run: .venv/bin/python -m bench.bench_digest"""

import hashlib
import pickle
import statistics
import time

import numpy as np
import pandas as pd

from cwb.ui import data
from cwb.ui.data import _column_values, _digest_values


def old(df):  # the digest before 2026-12-03: types from DataFrame.dtypes (a Series)
    h = hashlib.blake2b(digest_size=16)
    types = [repr(t) if isinstance(t, pd.CategoricalDtype) else str(t) for t in df.dtypes]
    h.update(pickle.dumps((df.shape, df.attrs, types), protocol=5))
    cols = df.columns
    h.update(f"{type(cols).__name__}|{cols.nlevels}|".encode())
    h.update(pickle.dumps(cols.names, protocol=5))
    _digest_values(h, cols.array if cols.nlevels == 1 else cols.to_numpy())
    if isinstance(df.index, pd.RangeIndex):
        h.update(repr((df.index.start, df.index.stop, df.index.step, df.index.name)).encode())
    else:
        h.update(pickle.dumps(df.index.names, protocol=5))
        _digest_values(h, df.index.array if df.index.nlevels == 1 else df.index.to_numpy())
    for arr in df._iter_column_arrays():
        _digest_values(h, _column_values(arr))
    return h.hexdigest()


rng = np.random.default_rng(1)
df = pd.DataFrame({f"c{i}": rng.random(46) for i in range(30)})
for i in range(5):
    df[f"s{i}"] = [f"x{j}" for j in range(46)]
df["cat"] = pd.Categorical(["a", "b"] * 23)
df["i"] = pd.array(range(46), dtype="Int64")
assert old(df) == data._frame_digest(df)


def med(fn, n=2000):
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        fn(df)
        ts.append(time.perf_counter() - t)
    return statistics.median(ts) * 1e6


if __name__ == "__main__":
    for r in range(3):
        a, b = med(old), med(data._frame_digest)
        print(
            f"round {r}: dtypes-Series {a:.0f} us, array dtypes {b:.0f} us, ratio {a / b:.2f}x (46 rows x 37 columns)"
        )
