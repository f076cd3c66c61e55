"""Live-tail lag and backfill overhead of the headless pager against the demo server.

Usage:
    python benchmarks/bench_tail.py [--intervals 0.5,2] [--duration 20] [--burst 5000]
                                    [--sources supermetrics,aitronos] [--backfill 100000]

Everything runs in this process: a quiet demo server (live_rate=0) on loopback, and
`logview.api.paging.Pager` over the real `ApiClient` (what the viewer's feed uses, without the UI).

1. Steady tail, per source and poll interval: after a backfill of the server's 1,000 entries,
   `Pager.follow(interval)` runs while entries are inserted one (sometimes a few sharing one
   timestamp) at a time at random gaps of 0.05–0.5 s. Lag = when the pager yields an entry −
   when it was inserted. Expected mean ≈ interval / 2 + one poll cycle. Also counts missed and
   repeated entries (both must be 0).
2. Burst, per source and interval: right after a cycle ends, `--burst` entries are inserted at
   once (Supermetrics: tie groups of 500 over the next 10 seconds, so no page is a single
   timestamp; Aitronos: all at one millisecond). Reported: lag to the first and to the last burst
   entry, the cycle that fetched them (pages, seconds) and its rate in entries/s.
3. Backfill: `Pager.backfill()` of `--backfill` entries (Supermetrics, 1,000 per page) against a
   bare httpx loop over the same endpoint with orjson and a naive `before` cursor — the ratio is
   the pager's overhead (validation, de-duplication, tie-group handling). `bench_export.py` times
   the whole `logview export` CLI the same way.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta

import httpx
import orjson

from logview.demo import (DEMO_AITRONOS_KEY, DEMO_CONNECTOR, DEMO_ORG, DEMO_SUPERMETRICS_KEY, DEMO_TEAM,
                          DemoServer, DemoState)
from logview.api.client import ApiClient, RetryPolicy
from logview.api.paging import BackfillDone, EntriesLoaded, Pager, TailFailed
from logview.sources import AitronosSource, SupermetricsSource
from logview.sources.base import Source


def connect(server: DemoServer, kind: str) -> tuple[Source, ApiClient]:
    if kind == "aitronos":
        source: Source = AitronosSource(DEMO_ORG, base_url=server.url)
        key = DEMO_AITRONOS_KEY
    else:
        source = SupermetricsSource(DEMO_TEAM, DEMO_CONNECTOR, base_url=server.url)
        key = DEMO_SUPERMETRICS_KEY
    return source, ApiClient(source.base_url, source.auth_headers(key), policy=RetryPolicy())


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


class Tail:
    """Runs `Pager.follow` in a task and records when each entry id is yielded."""

    def __init__(self, interval: float) -> None:
        self.pager: Pager | None = None
        self.interval = interval
        self.seen: dict[str, float] = {}
        self.repeats = 0
        self.failures = 0
        self.cycle_started = time.perf_counter()
        self.cycles: list[tuple[float, float, int, int]] = []  # (start, end, entries, pages)
        self.sleeping = asyncio.Event()  # set while follow() pauses between cycles
        self._pages_at_start = 0
        self.task: asyncio.Future | None = None

    def start(self, pager: Pager) -> None:
        """Follow with `pager` (built with `sleep=self.sleep`, so cycle starts are known)."""
        self.pager = pager
        self._pages_at_start = pager.pages
        self.task = asyncio.ensure_future(self._run())

    async def sleep(self, seconds: float) -> None:
        self.sleeping.set()
        await asyncio.sleep(seconds)
        self.sleeping.clear()
        self.cycle_started = time.perf_counter()
        assert self.pager is not None
        self._pages_at_start = self.pager.pages

    async def _run(self) -> None:
        assert self.pager is not None
        async for event in self.pager.follow(self.interval):
            now = time.perf_counter()
            if isinstance(event, EntriesLoaded) and event.live:
                for entry in event.entries:
                    if entry.id in self.seen:
                        self.repeats += 1
                    else:
                        self.seen[entry.id] = now
                self.cycles.append((self.cycle_started, now, len(event.entries),
                                    self.pager.pages - self._pages_at_start))
            elif isinstance(event, TailFailed):
                self.failures += 1

    async def wait_for(self, ids: list[str], timeout: float) -> bool:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if all(i in self.seen for i in ids):
                return True
            await asyncio.sleep(0.01)
        return False

    async def stop(self) -> None:
        assert self.task is not None
        self.task.cancel()
        try:
            await self.task
        except asyncio.CancelledError:
            pass


def inserter(state: DemoState, kind: str) -> Callable[[int], list[str]]:
    if kind == "aitronos":
        return lambda n: [e["id"] for e in state.insert_aitronos(n)]
    return lambda n: [e["id"] for e in state.insert_supermetrics(n)]


async def steady(server: DemoServer, kind: str, interval: float, duration: float, burst: int,
                 rng: random.Random) -> dict:
    state = server.state
    source, client = connect(server, kind)
    async with client:
        tail = Tail(interval)
        pager = Pager(source, client, sleep=tail.sleep)
        async for _event in pager.backfill():
            pass
        tail.cycle_started = time.perf_counter()
        tail.start(pager)
        insert = inserter(state, kind)
        inserted: dict[str, float] = {}
        end = time.perf_counter() + duration
        while time.perf_counter() < end:
            await asyncio.sleep(rng.uniform(0.05, 0.5))
            n = 1 if rng.random() < 0.8 else rng.randint(2, 4)  # sometimes a small tie group
            at = time.perf_counter()
            for entry_id in insert(n):
                inserted[entry_id] = at
        await tail.wait_for(list(inserted), 3 * interval + 5)
        lags = [tail.seen[i] - t for i, t in inserted.items() if i in tail.seen]
        missed = sum(1 for i in inserted if i not in tail.seen)
        cycle_s = [c[1] - c[0] for c in tail.cycles]
        result = {
            "source": kind, "interval": interval, "inserted": len(inserted), "missed": missed,
            "repeats": tail.repeats, "failures": tail.failures,
            "lag_mean": statistics.fmean(lags) if lags else float("nan"),
            "lag_p50": percentile(lags, 0.5), "lag_p95": percentile(lags, 0.95),
            "lag_max": max(lags) if lags else float("nan"),
            "cycle_ms": 1000 * statistics.median(cycle_s) if cycle_s else float("nan"),
            "rate": len(inserted) / duration,
        }

        # Burst: insert right after a cycle ends so one cycle fetches it all.
        if burst:
            tail.sleeping.clear()
            await asyncio.wait_for(tail.sleeping.wait(), 3 * interval + 10)
            cycles_before = len(tail.cycles)
            at = time.perf_counter()
            ids = burst_insert(state, kind, burst)
            done = await tail.wait_for(ids, 120)
            got = [tail.seen[i] for i in ids if i in tail.seen]
            burst_cycles = tail.cycles[cycles_before:]
            fetching = next((c for c in burst_cycles if c[2] > 0), None)
            result.update({
                "burst": burst, "burst_complete": done,
                "burst_first_s": min(got) - at if got else float("nan"),
                "burst_last_s": max(got) - at if got else float("nan"),
                "burst_cycle_s": fetching[1] - fetching[0] if fetching else float("nan"),
                "burst_pages": fetching[3] if fetching else 0,
                "burst_rate": (fetching[2] / (fetching[1] - fetching[0])) if fetching else float("nan"),
                "burst_missed": burst - len(got), "burst_repeats": tail.repeats - result["repeats"],
            })
        await tail.stop()
    return result


def burst_insert(state: DemoState, kind: str, n: int) -> list[str]:
    if kind == "aitronos":
        return [e["id"] for e in state.insert_aitronos(n)]
    ids: list[str] = []
    now = state.now()
    group = 500
    for k in range(0, n, group):
        at = now + timedelta(seconds=1 + k // group)
        ids += [e["id"] for e in state.insert_supermetrics(min(group, n - k), at=at)]
    return ids


async def backfill_vs_bare(server: DemoServer) -> tuple[float, int, float, int, int]:
    source, client = connect(server, "supermetrics")
    started = time.perf_counter()
    async with client:
        pager = Pager(source, client)
        loaded = 0
        async for event in pager.backfill():
            if isinstance(event, BackfillDone):
                loaded = event.loaded
        pages = pager.pages
    pager_s = time.perf_counter() - started

    path = f"/v1/teams/{DEMO_TEAM}/connector_builder/connectors/{DEMO_CONNECTOR}/logs"
    headers = {"Authorization": f"Bearer {DEMO_SUPERMETRICS_KEY}"}
    count, before = 0, None
    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=server.url, headers=headers) as bare:
        while True:
            params = {"limit": "1000", **({"before": before} if before else {})}
            logs = orjson.loads((await bare.get(path, params=params)).content)["logs"]
            count += len(logs)
            if len(logs) < 1000:
                break
            before = logs[-1]["log_time"]  # naive exclusive cursor: may cut tie groups
    bare_s = time.perf_counter() - started
    return pager_s, loaded, bare_s, count, pages


async def run(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    intervals = [float(x) for x in args.intervals.split(",") if x.strip()]
    kinds = [k.strip() for k in args.sources.split(",") if k.strip()]
    rows = []
    for kind in kinds:
        for interval in intervals:
            state = DemoState(aitronos_entries=1000 if kind == "aitronos" else 0,
                              supermetrics_entries=1000 if kind == "supermetrics" else 0, live_rate=0.0)
            with DemoServer(state) as server:
                row = await steady(server, kind, interval, args.duration, args.burst, rng)
            rows.append(row)
            print(f"  {kind} every {interval:g} s: {row['inserted']} inserted, lag mean "
                  f"{row['lag_mean'] * 1000:.0f} ms", file=sys.stderr, flush=True)

    print("\nLive tail (Pager.follow against the demo server on loopback)")
    print(f"{'source':<13}{'interval':>9}{'entries':>9}{'in/s':>6}{'lag mean':>10}{'p50':>8}{'p95':>8}{'max':>8}"
          f"{'cycle':>8}{'missed':>8}{'repeat':>8}")
    for r in rows:
        print(f"{r['source']:<13}{r['interval']:>8g}s{r['inserted']:>9}{r['rate']:>6.1f}"
              f"{r['lag_mean'] * 1000:>8.0f}ms{r['lag_p50'] * 1000:>6.0f}ms{r['lag_p95'] * 1000:>6.0f}ms"
              f"{r['lag_max'] * 1000:>6.0f}ms{r['cycle_ms']:>6.1f}ms{r['missed']:>8}{r['repeats']:>8}")
    if args.burst:
        print(f"\nBurst of {args.burst:,} entries inserted at once (right after a cycle)")
        print(f"{'source':<13}{'interval':>9}{'first seen':>12}{'all seen':>10}{'cycle':>9}{'pages':>7}"
              f"{'entries/s':>11}{'missed':>8}{'repeat':>8}")
        for r in rows:
            print(f"{r['source']:<13}{r['interval']:>8g}s{r['burst_first_s']:>11.2f}s{r['burst_last_s']:>9.2f}s"
                  f"{r['burst_cycle_s'] * 1000:>7.0f}ms{r['burst_pages']:>7}{r['burst_rate']:>11,.0f}"
                  f"{r['burst_missed']:>8}{r['burst_repeats']:>8}")

    if args.backfill:
        started = time.perf_counter()
        state = DemoState(aitronos_entries=0, supermetrics_entries=args.backfill, live_rate=0.0)
        print(f"\nBackfill of {args.backfill:,} Supermetrics entries (demo data generated in "
              f"{time.perf_counter() - started:.1f} s)")
        with DemoServer(state) as server:
            results = [await backfill_vs_bare(server) for _ in range(args.backfill_runs)]
        pager_s = statistics.median(r[0] for r in results)
        bare_s = statistics.median(r[2] for r in results)
        loaded, count, pages = results[0][1], results[0][3], results[0][4]
        print(f"{'':<24}{'entries':>10}{'seconds':>9}{'entries/s':>11}")
        print(f"{'Pager.backfill':<24}{loaded:>10,}{pager_s:>9.2f}{loaded / pager_s:>11,.0f}   ({pages} pages)")
        print(f"{'bare httpx + orjson':<24}{count:>10,}{bare_s:>9.2f}{count / bare_s:>11,.0f}")
        print(f"ratio pager / bare: {pager_s / bare_s:.2f} (median of {args.backfill_runs})")
        if count != loaded:
            print(f"  note: the bare loop saw {count:,} entries (its naive cursor cuts tie groups)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Live-tail lag and backfill overhead against the demo server.")
    parser.add_argument("--intervals", default="0.5,2", help="poll intervals in seconds (default 0.5,2)")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of steady inserts per run")
    parser.add_argument("--burst", type=int, default=5000, help="entries in the burst (0: skip)")
    parser.add_argument("--sources", default="supermetrics,aitronos")
    parser.add_argument("--backfill", type=int, default=100_000, help="entries for the backfill comparison (0: skip)")
    parser.add_argument("--backfill-runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
