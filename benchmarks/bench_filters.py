"""How fast the columnar store answers the viewer's filters, at 100k and 1M entries.

Run: `.venv/bin/python benchmarks/bench_filters.py [N ...]` (default 100000 1000000). Prints
milliseconds per operation (best of several runs). Not a timed test: numbers for the issue.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from logview.model import Filters, LogEntry
from logview.sources import AitronosSource, SupermetricsSource
from logview.store import EntryStore, FilteredView

T0 = datetime(2025, 11, 15, 12, 0, tzinfo=timezone.utc)
EVENTS = ("data.fetch", "data.page", "auth.token.refresh", "schema.discover", "webhook.deliver", "sync.start")
STATUSES = (200, 200, 200, 200, 201, 204, 304, 400, 401, 404, 429, 500, 502, 503)
TOOLS = ("gmail.send_email", "slack.post_message", "notion.create_page", "github.create_issue")
AIT_STATUSES = ("success",) * 8 + ("error", "blocked", "timeout")


def supermetrics_entries(n: int, rng: random.Random) -> list[LogEntry]:
    out = []
    for i in range(n):
        moment = T0 - timedelta(seconds=i * 2 + rng.randint(0, 1))
        status = rng.choice(STATUSES)
        event = rng.choice(EVENTS)
        raw = {"id": f"{i:x}-{rng.getrandbits(40):010x}", "log_time": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
               "status": status, "event": event, "request": f"GET /v2/reports/r{i % 97}?page={i % 13}",
               "duration_ms": rng.randint(3, 3000), "request_id": None}
        out.append(LogEntry(raw["id"], moment, status, raw, "supermetrics"))
    return out


def aitronos_entries(n: int, rng: random.Random) -> list[LogEntry]:
    out = []
    for i in range(n):
        moment = T0 - timedelta(milliseconds=i * 1500 + rng.randint(0, 999))
        status = rng.choice(AIT_STATUSES)
        raw = {"id": f"log_{i:024x}", "created_at": moment.isoformat(), "status": status,
               "credential_id": f"tcred_{rng.randint(0, 6):016x}", "tool": rng.choice(TOOLS),
               "duration_ms": rng.randint(5, 30_000),
               "error": None if status == "success" else {"code": "X", "message": f"failure {i % 50}"},
               "inputs": {"to": [f"person{i % 500}@example.com"], "subject": f"Report {i % 1000}"}}
        out.append(LogEntry(raw["id"], moment, status, raw, "aitronos"))
    return out


def best_ms(action: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return min(times)


def bench(kind: str, n: int) -> None:
    rng = random.Random(1)
    started = time.perf_counter()
    if kind == "supermetrics":
        source = SupermetricsSource(1, "BENCH")
        entries = supermetrics_entries(n, rng)
        facet = Filters(event="auth.token.refresh")
        statuses = Filters(statuses=("4xx", "5xx"))
        needle = "r42?page=7"
    else:
        source = AitronosSource("bench")
        entries = aitronos_entries(n, rng)
        facet = Filters(credential=f"tcred_{3:016x}")
        statuses = Filters(statuses=("error", "timeout"))
        needle = "person123@"
    made = time.perf_counter() - started
    store = EntryStore(source, max_entries=None)
    started = time.perf_counter()
    for start in range(0, n, 1000):  # like pages arriving
        store.append(entries[start:start + 1000])
    ingest = time.perf_counter() - started
    view = FilteredView(store)
    span = Filters(since=T0 - timedelta(hours=n / 3600 / 4), until=T0 - timedelta(hours=n / 3600 / 8))
    combined = Filters(statuses=statuses.statuses, since=span.since, event=facet.event, credential=facet.credential)
    print(f"\n{kind}: {n:,} entries (generated in {made:.1f} s, ingested in {ingest * 1000:.0f} ms, "
          f"{ingest / n * 1e6:.1f} µs/entry)")
    rows = [
        ("status filter + counts", lambda: view.refilter(statuses)),
        ("date range + counts", lambda: view.refilter(span)),
        (f"{'event' if kind == 'supermetrics' else 'credential'} + counts", lambda: view.refilter(facet)),
        ("status+date+facet + counts", lambda: view.refilter(combined)),
        ("no filter (all rows) + counts", lambda: view.refilter(Filters())),
    ]
    for label, action in rows:
        print(f"  {label:<34} {best_ms(action):8.2f} ms   ({len(view):,} shown)")
    store.search_needle = None
    first = best_ms(lambda: store.set_search(needle), repeat=1)
    print(f"  {'search, first (builds text index)':<34} {first:8.2f} ms")
    again = best_ms(lambda: store.set_search(needle + "x"), repeat=3)
    print(f"  {'search, next needle':<34} {again:8.2f} ms")
    store.set_search(needle)
    print(f"  {'refilter with that search (cached)':<34} {best_ms(lambda: view.refilter(Filters(search=needle))):8.2f} ms"
          f"   ({len(view):,} shown)")
    view.refilter(combined)
    tail = entries[:1000]
    fresh = [LogEntry(e.id + "n", e.time + timedelta(days=1), e.status, e.raw, e.source) for e in tail]

    def prepend() -> None:
        store.prepend(fresh[:100])
        view.sync()

    print(f"  {'tail batch of 100 (prepend + sync)':<34} {best_ms(prepend):8.2f} ms")
    print(f"  {'next error from the top (e)':<34} {best_ms(lambda: view.next_problem(0, 1)):8.2f} ms")


def bench_ui(n: int) -> None:
    """End to end in the real app (headless): key press to redrawn table, on a file of n entries."""
    import asyncio
    import tempfile
    from pathlib import Path

    from logview.options import ViewerOptions
    from logview.sources.base import dump_json
    from logview.files.jsonl import source_for_kind
    from logview.ui.app import LogViewApp

    entries = supermetrics_entries(n, random.Random(2))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.jsonl"
        path.write_bytes(b"".join(dump_json(e.raw) + b"\n" for e in entries))
        options = ViewerOptions(filters=Filters(), file=path, file_source="supermetrics", max_entries=None)
        app = LogViewApp(options, source=source_for_kind("supermetrics"), file_kind="supermetrics")

        async def run() -> None:
            async with app.run_test(size=(160, 48)) as pilot:
                started = time.perf_counter()
                while len(app.viewer.store) < n or app.viewer.feed.backfilling:
                    await pilot.pause(0.05)
                await pilot.pause()
                print(f"\nviewer, {n:,}-entry file: loaded in {time.perf_counter() - started:.1f} s")
                for label, action in (("status 4xx (key 3)", lambda: app.viewer.action_toggle_status(2)),
                                      ("clear status (key 0)", app.viewer.action_clear_status),
                                      ("event filter", lambda: app.viewer.apply_filters(Filters(event="data.page"))),
                                      ("no filter", lambda: app.viewer.apply_filters(Filters())),
                                      ("next error (e)", lambda: app.viewer.action_next_error(1))):
                    started = time.perf_counter()
                    action()  # the handler: filter, counts, sidebar, status line, table state
                    handled = time.perf_counter() - started
                    await pilot.pause()
                    print(f"  {label:<34} {handled * 1000:8.1f} ms handler, "
                          f"{(time.perf_counter() - started) * 1000:6.1f} ms incl. one redraw")

        asyncio.run(run())


def main() -> None:
    args = [arg for arg in sys.argv[1:] if arg != "--ui"]
    sizes = [int(arg) for arg in args] or [100_000, 1_000_000]
    for n in sizes:
        for kind in ("supermetrics", "aitronos"):
            bench(kind, n)
    if "--ui" in sys.argv:
        bench_ui(sizes[0])


if __name__ == "__main__":
    main()
