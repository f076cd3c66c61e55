"""Histogram, per-group stats and error groups over the filtered rows (issue 6: ≤ 200 ms for 1M).

Builds an in-memory store of N entries from the demo generators (both APIs), then times, median
of 5 runs: taking the snapshot (on the UI thread in the viewer), the histogram (a 120-column
terminal), group stats per field, and the error groups.

    .venv/bin/python benchmarks/bench_analytics.py            # 1M entries per API
    .venv/bin/python benchmarks/bench_analytics.py -n 100000
    .venv/bin/python benchmarks/bench_analytics.py --app /tmp/sm-1m.jsonl   # the viewer, headless

With `--app FILE`, the viewer opens FILE headless (160×48), waits until its fields are read, then
times h and i from the key press to the numbers on screen, and the longest the UI thread was
busy in between (the snapshot is taken there; the computing runs in a worker thread).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time

import numpy as np

from logview.store.analytics import Snapshot, error_groups, group_stats, histogram
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


async def in_app(path: str) -> None:
    import asyncio
    from pathlib import Path

    from logview.model import Filters
    from logview.options import ViewerOptions
    from logview.files.jsonl import detect_kind, source_for_kind
    from logview.ui.app import LogViewApp

    sys.setswitchinterval(0.001)  # as `run_viewer` does
    kind = detect_kind(Path(path))
    app = LogViewApp(ViewerOptions(filters=Filters(), file=Path(path), file_source=kind, max_entries=None),
                     source=source_for_kind(kind), file_kind=kind)
    async with app.run_test(size=(160, 48)) as pilot:
        started = time.perf_counter()
        while app.viewer.store.ready < app.viewer.store.tail or app.viewer.session.phase == "loading" or not len(app.viewer.store):
            await asyncio.sleep(0.1)
        print(f"{path}: {len(app.viewer.store):,} entries, fields read in {time.perf_counter() - started:.1f} s")
        shown_at: list[float] = []
        viewer = app.viewer
        for panel in (viewer.histogram, viewer.stats):  # the moment new numbers reach a panel
            def recorded(*args, _show=panel.show) -> None:
                _show(*args)
                shown_at.append(time.perf_counter())

            panel.show = recorded
        for key, panel in (("h", app.viewer.histogram), ("i", app.viewer.stats)):
            lags: list[float] = []
            stop = False

            async def probe() -> None:  # how late the UI thread answers: its longest busy stretch
                while not stop:
                    tick = time.perf_counter()
                    await asyncio.sleep(0.005)
                    lags.append(time.perf_counter() - tick - 0.005)

            task = asyncio.ensure_future(probe())
            shown_at.clear()
            started = time.perf_counter()
            await pilot.press(key)
            while not shown_at:
                await asyncio.sleep(0.002)
            stop = True
            await task
            print(f"  {key}: numbers shown {(shown_at[0] - started) * 1000:6.1f} ms after the key; "
                  f"UI thread busy at most {max(lags) * 1000:5.1f} ms")
            await pilot.press("escape")
            await asyncio.sleep(0.3)
            shown_at.clear()
            started = time.perf_counter()
            await pilot.press("4")  # a status filter (the fourth option, local) with the panel open
            while not shown_at:
                await asyncio.sleep(0.002)
            print(f"     a status filter (4) with it open: new numbers {(shown_at[0] - started) * 1000:6.1f} ms"
                  " after the key")
            await pilot.press("0", key)
            while app.focused is not panel:
                await asyncio.sleep(0.002)
            await pilot.press(key)
            await asyncio.sleep(0.3)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=1_000_000)
    parser.add_argument("--app", metavar="FILE", help="time h and i in the viewer on FILE instead")
    args = parser.parse_args()
    if args.app:
        import asyncio

        asyncio.run(in_app(args.app))
        return
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
