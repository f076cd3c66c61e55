"""Histogram, per-group stats and error groups over the filtered rows (issue 6: ≤ 200 ms for 1M).

Builds an in-memory store of N entries from the demo generators (both APIs), then times, median
of 5 runs: taking the snapshot (on the UI thread in the viewer), the histogram (a 120-column
terminal), group stats per field, and the error groups.

    .venv/bin/python benchmarks/bench_analytics.py            # 1M entries per API
    .venv/bin/python benchmarks/bench_analytics.py -n 100000
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

import numpy as np

from logview.analytics import Snapshot, error_groups, group_stats, histogram
from logview.demo.data import aitronos_entry, supermetrics_entry
from logview.sources import AitronosSource, SupermetricsSource
from logview.store import EntryStore

NOW_US = 1_763_208_000_000_000
SPAN_US = 30 * 86_400_000_000
FIELDS = {"aitronos": ("tool", "credential", "error"), "supermetrics": ("event", "error")}


def build(kind: str, n: int) -> EntryStore:
    rng = random.Random(7)
    source = AitronosSource("org") if kind == "aitronos" else SupermetricsSource(1, "C")
    make = aitronos_entry if kind == "aitronos" else supermetrics_entry
    store = EntryStore(source, capacity=n)
    batch = []
    for i in range(n):
        t = NOW_US - int(SPAN_US * i / n)
        batch.append(source.entry_from_raw(make(rng, t - t % 1000)))
        if len(batch) == 10_000:
            store.append(batch)
            batch = []
    store.append(batch)
    return store


def timed(work, runs: int = 5) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=1_000_000)
    args = parser.parse_args()
    for kind in ("supermetrics", "aitronos"):
        started = time.perf_counter()
        store = build(kind, args.n)
        print(f"{kind}: {len(store):,} entries built in {time.perf_counter() - started:.1f} s")
        index = np.arange(store.head, store.tail, dtype=np.int64)
        fields = FIELDS[kind]
        ms, snapshot = timed(lambda: Snapshot.take(store, index, fields))
        total = ms
        print(f"  snapshot (UI thread)      {ms:7.1f} ms")
        ms, hist = timed(lambda: histogram(snapshot, 120))
        total += ms
        print(f"  histogram, 120 columns    {ms:7.1f} ms   ({len(hist)} buckets of {hist.bucket_us // 1_000_000:,} s)")
        for field in fields[:-1]:
            ms, groups = timed(lambda: group_stats(snapshot, field))
            total += ms
            print(f"  group stats by {field:<10} {ms:7.1f} ms   ({len(groups)} groups)")
        ms, errors = timed(lambda: error_groups(snapshot))
        total += ms
        print(f"  error groups              {ms:7.1f} ms   ({len(errors)} groups)")
        print(f"  all of it                 {total:7.1f} ms   (target: 200 ms for 1M)")


if __name__ == "__main__":
    main()
