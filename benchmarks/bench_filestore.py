"""Filters and search on a big file, in process: the store alone, then the whole app (headless).

Run: `.venv/bin/python benchmarks/bench_filestore.py FILE [--runs 5]` with a file from gen_file.py.

1. Store: the file is indexed and its columns read as the viewer does (`filelines`,
   `filecolumns`), then each filter is applied to a `FilteredView` from scratch — the index of
   matching rows *and* the sidebar's counts per status — best and median of `--runs`.
   Search is the byte scan of the whole file (`filesearch`) that the viewer runs in a thread, with
   one and with the default number of block threads, beside the "read floor": the file read in
   the same blocks and passed over once by `bytes.count`, measured just before.
2. App: `LogViewApp` on the file at 160x48 (Textual's headless driver), loaded completely, then a
   status key, its undo, a date filter typed into the sidebar and a search; each timed from the
   key press until the app is idle again with the table repainted (`pilot.pause()`), so it covers
   the handler, the re-filter, the counts and the render. Not a timed test: numbers for the issue.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import logview.files.search as filesearch
from logview.files.columns import ColumnReader
from logview.files.lines import LineFile, scan_lines
from logview.model import Filters
from logview.files.jsonl import detect_kind, source_for_kind
from logview.store import EntryStore, FilteredView


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def timed(action: Callable[[], object], runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return min(times), statistics.median(times)


def build_store(path: Path, kind: str) -> tuple[EntryStore, float, float]:
    source = source_for_kind(kind)
    store = EntryStore(source, lines=LineFile(path))
    started = time.perf_counter()
    for chunk in scan_lines(path):
        store.append_lines(chunk)
    indexed = time.perf_counter() - started
    reader = ColumnReader(source)
    for chunk in scan_lines(path, chunk_bytes=1 << 20, with_data=True):
        store.fill_columns(reader.read_chunk(chunk))
    return store, indexed, time.perf_counter() - started


def store_figures(path: Path, kind: str, runs: int) -> None:
    before = rss_mib()
    store, indexed, loaded = build_store(path, kind)
    print(f"store: {len(store):,} rows; lines indexed in {indexed:.2f} s, columns read by {loaded:.2f} s "
          f"(one thread, nothing else running); +{rss_mib() - before:.0f} MiB")
    source = store.source
    newest = store.time_us(store.head) or 0
    from datetime import datetime, timezone
    day_ago = datetime.fromtimestamp(newest / 1e6 - 86400, tz=timezone.utc)
    facet = "credential" if kind == "aitronos" else "event"
    facet_value = next(iter(store.facet_values(facet)), None)
    cases = {
        f"status {source.status_choices[1]}": Filters(statuses=(source.status_choices[1],)),
        f"status {source.status_choices[0]}+{source.status_choices[2]}":
            Filters(statuses=(source.status_choices[0], source.status_choices[2])),
        "since 1 day before the newest": Filters(since=day_ago),
        f"{facet} = {facet_value}": Filters(**{facet: facet_value}),
    }
    view = FilteredView(store)
    print(f"\n| filter over {len(store):,} rows (index + counts) | best ms | median ms | rows shown |")
    print("|---|---|---|---|")
    for name, filters in cases.items():
        best, median = timed(lambda: view.refilter(filters), runs)
        print(f"| {name} | {best:.1f} | {median:.1f} | {len(view):,} |")
    search_figures(store, path, kind, runs)
    store.close()


def read_floor_ms(path: Path) -> float:
    """One pass of C over the file as the search reads it (4 MiB reads and a `bytes.count`): what
    the disk or page cache and one core allow at this moment, to state search times against."""
    started = time.perf_counter()
    with path.open("rb") as handle:
        while block := handle.read(filesearch.BLOCK_BYTES):
            block.count(b"zzzz-not-there")
    return (time.perf_counter() - started) * 1000


def search_figures(store: EntryStore, path: Path, kind: str, runs: int, needles: list[str] | None = None) -> None:
    print(f"\n| search over {len(store):,} rows (whole-file scan) | threads | best ms | median ms | "
          f"read floor ms | ÷ floor | hits |")
    print("|---|---|---|---|---|---|---|")
    needles = needles or ["bench.oldest.marker", "campaign_performance" if kind == "supermetrics" else "gmail",
               "get" if kind == "supermetrics" else "success", "status", "200", "true", "é", "zzzz-not-there",
               "e", "0", "n", "a"]  # (a search's first letter: on every line, ~40 times an Aitronos line; n the costliest, its nulls told too)
    default_threads = filesearch.SEARCH_THREADS
    for needle in needles:
        for threads in sorted({1, default_threads}):
            job_box: list[object] = []

            def search() -> None:
                job = store.search_job(needle)
                job.run()
                job_box.append(job)

            floor = min(read_floor_ms(path) for _ in range(2))  # in the same moment as the search
            filesearch.SEARCH_THREADS = threads
            try:
                best, median = timed(search, max(1, runs // 2))
            finally:
                filesearch.SEARCH_THREADS = default_threads
            hits = int(job_box[-1].hits.sum())  # type: ignore[attr-defined]
            print(f"| `{needle}` | {threads} | {best:.0f} | {median:.0f} | {floor:.0f} | {best / floor:.1f} | "
                  f"{hits:,} |", flush=True)


async def app_figures(path: Path, kind: str, runs: int) -> None:
    from logview.options import ViewerOptions
    from logview.ui.app import LogViewApp

    source = source_for_kind(kind)
    options = ViewerOptions(filters=Filters(), file=path, file_source=kind, max_entries=None)
    app = LogViewApp(options, source=source, file_kind=kind)
    async with app.run_test(size=(160, 48)) as pilot:
        started = time.perf_counter()
        while app.viewer.session.phase != "complete":
            await asyncio.sleep(0.05)
        print(f"\napp (headless 160x48): loaded {len(app.viewer.store):,} rows in {time.perf_counter() - started:.1f} s")

        async def press(*keys: str) -> float:
            begun = time.perf_counter()
            await pilot.press(*keys)
            await pilot.pause()
            return (time.perf_counter() - begun) * 1000

        def handler(action: Callable[[], object]) -> float:
            begun = time.perf_counter()
            action()
            return (time.perf_counter() - begun) * 1000

        idle: dict[str, list[float]] = {"unbound key (the harness's own overhead)": [], "cursor down (j)": [],
                                        "status key (2) and counts": [], "status key again (clear)": []}
        sync: dict[str, list[float]] = {"status key (2) and counts": [], "status key again (clear)": []}
        for _ in range(runs):
            idle["unbound key (the harness's own overhead)"].append(await press("x"))
            idle["cursor down (j)"].append(await press("j"))
            idle["status key (2) and counts"].append(await press("2"))
            idle["status key again (clear)"].append(await press("2"))
            sync["status key (2) and counts"].append(handler(lambda: app.viewer.action_toggle_status(1)))
            await pilot.pause()
            sync["status key again (clear)"].append(handler(lambda: app.viewer.action_toggle_status(1)))
            await pilot.pause()
        search = app.viewer.sidebar.query_one("#search")
        searches: list[float] = []
        for _ in range(max(1, runs // 2)):
            search.value = "bench.oldest"  # typed; the Enter is what is timed
            search.focus()
            await pilot.pause()
            begun = time.perf_counter()
            await pilot.press("enter")
            while app.viewer.session.searching:
                await asyncio.sleep(0.002)
            searches.append((time.perf_counter() - begun) * 1000)
            assert len(app.viewer.view) == 1, len(app.viewer.view)
            search.value = ""
            search.focus()
            await pilot.press("enter")
        print("\n| in the app | handler ms (best / median) | key → idle, repainted ms (best / median) |")
        print("|---|---|---|")
        for name, times in idle.items():
            handled = sync.get(name)
            first = f"{min(handled):.1f} / {statistics.median(handled):.1f}" if handled else "—"
            print(f"| {name} | {first} | {min(times):.0f} / {statistics.median(times):.0f} |")
        print(f"| search `bench.oldest` (Enter → results shown) | — | "
              f"{min(searches):.0f} / {statistics.median(searches):.0f} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-app", action="store_true", help="only the store figures")
    parser.add_argument("--search-only", action="store_true",
                        help="index the lines only (no columns) and time the searches")
    parser.add_argument("--needles", help="comma-separated needles to search for (default: a fixed dozen)")
    args = parser.parse_args(argv)
    kind = detect_kind(args.file)
    print(f"file: {args.file} ({args.file.stat().st_size / 2**20:,.0f} MiB, {kind})")
    if args.search_only:
        store = EntryStore(source_for_kind(kind), lines=LineFile(args.file))
        for chunk in scan_lines(args.file):
            store.append_lines(chunk)
        search_figures(store, args.file, kind, args.runs, args.needles.split(",") if args.needles else None)
        store.close()
        return 0
    store_figures(args.file, kind, args.runs)
    if not args.no_app:
        asyncio.run(app_figures(args.file, kind, args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
