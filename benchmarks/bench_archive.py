"""The viewer over the local archive against `--file` on the same entries, and archive writes
against the loopback backfill they follow. Targets of issue 13, measured in one run.

Usage:
    python benchmarks/bench_archive.py FILE [--runs 3] [--skip-writes] [--skip-search] [--only-writes]

FILE: Supermetrics JSONL from gen_file.py (e.g. 100k for the first screen, 1M for peak RSS).
Its entries are stored once into an archive beside it (`FILE.archive.sqlite3`, reused while FILE
is unchanged), as fetched pages are: 1,000 at a time, then the whole range recorded complete.

1. First screen and peak RSS, per run, alternating: two fresh child processes, each the app
   headless at 160x48 (`App.run_test`) with `--max-entries` = the file's entries:
   - archive: the connection's source over a quiet demo server whose connector is empty (the
     relaunch asks it once what is newer), through the archive: the archived span is painted first;
   - file: `--file FILE`.
   Timed from just before the child is started (imports included, as a user waits) to the first
   rows in the view (seen once `run_test` hands over: the app idle, after its first frame and the
   work it let go on), to that first frame holding them (`ViewerScreen.painted`: the first screen
   as a user sees it), and to the load being complete; peak RSS is the child's VmHWM once complete.
2. Writes against fetching (skip with --skip-writes): a demo server (subprocess) with as many
   entries as FILE (at most 100,000); `Pager.backfill` fetches them all (the time the network and
   parsing take), then the same pages are stored into a fresh archive one after another in this
   thread (the time writing takes: rows built, then stored, as many pages to a transaction as
   `archive/writer.py` gathers), then `ArchivedPager` (the viewer's way: past its first 2,000
   entries, each page handed to the archive's writer process as JSON text while the next is
   fetched) runs over a fresh archive, and again with every page stored in the writer's thread
   (made rows on the event loop, as before the writer process): the ratio to the plain backfill
   says how much archiving holds fetching up; "writer process CPU" is the process's own. On a shared machine
   the fetching thread also waits for a free core (its run-queue time, /proc schedstat): "net" is
   each time without that wait. `--only-writes`: this part alone; `--writes-api aitronos`:
   Aitronos entries (random ids, 100 a page).
3. Search (skip with --skip-search), in this process: the store of every archived row (columns
   only) and the store over FILE, each searched whole for a few needles as the viewer's worker
   does (`search_job(...).run()`): archived rows are read back from the archive and scanned as a
   file's lines are.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_ingest import peak_rss_mib, start_server  # noqa: E402

PAGE = 1000
QUIET_PORT = 18_765  # the empty server's: the archive is kept under its URL (the source's identity)


def source_at(url: str):
    from logview.demo import DEMO_CONNECTOR, DEMO_TEAM
    from logview.sources import SupermetricsSource

    return SupermetricsSource(DEMO_TEAM, DEMO_CONNECTOR, base_url=url)


# -- an archive of the file ---------------------------------------------------------------------

def archive_of(file: Path, url_identity: str) -> Path:
    """The file's entries in an archive (built once, while the file is unchanged)."""
    from logview.archive import Archive, Retention, Span, identity_of
    from logview.jsonutil import load_json

    path = file.with_name(file.name + ".archive.sqlite3")
    stamp = path.with_name(path.name + ".stamp")
    signature = f"{file.stat().st_size}:{file.stat().st_mtime_ns}:{url_identity}"
    if path.exists() and stamp.exists() and stamp.read_text() == signature:
        return path
    for old in path.parent.glob(path.name + "*"):
        old.unlink()
    source = source_at(url_identity)
    started = time.perf_counter()
    stored, newest, oldest = 0, None, None
    with Archive.open(path, retention=Retention(max_entries=None)) as archive, file.open("rb") as lines:
        archived = archive.source(identity_of(source))
        batch: list = []
        for line in lines:
            batch.append(load_json(line))
            if len(batch) == PAGE:
                stored += store_page(archived, source, batch)
                batch = []
        if batch:
            stored += store_page(archived, source, batch)
        times = archived.columns().time_us
        newest, oldest = int(times.max()), int(times.min())
        archived.cover(Span(oldest, newest))
    stamp.write_text(signature)
    print(f"archived {stored:,} entries of {file.name} in {time.perf_counter() - started:.1f} s "
          f"({path.stat().st_size / 2**20:,.0f} MiB)", file=sys.stderr)
    return path


def store_page(archived, source, raws: list) -> int:
    return archived.store(source.entries_from_raws(raws))


# -- the children -------------------------------------------------------------------------------

async def viewer_child(mode: str, target: str, n: int, url: str | None) -> dict:
    from logview.ui.bulk_gc import hold_for_startup

    hold_for_startup()  # (as the command line does: the collector waits for the first rows)
    from logview.archive import Archive, Retention
    from logview.demo import DEMO_SUPERMETRICS_KEY
    from logview.files.jsonl import source_for_kind
    from logview.model import Filters
    from logview.options import Connection, ViewerOptions
    from logview.ui.app import LogViewApp
    from logview.ui.viewer import ViewerScreen

    painted_at: list[float] = []  # the first frame holding the first rows (`ViewerScreen.painted`): `run_test`
    said = ViewerScreen.painted   # returns only once the app is idle, after the work that follows that frame

    def painted(self) -> None:
        painted_at.append(time.time())
        said(self)
    ViewerScreen.painted = painted
    imported = time.time()
    archive = None
    if mode == "archive":
        assert url is not None
        options = ViewerOptions(filters=Filters(), max_entries=n,
                                connection=Connection(source_at(url), DEMO_SUPERMETRICS_KEY, "bench"))
        archive = Archive.open(Path(target), retention=Retention(max_entries=None))
        app = LogViewApp(options, archive=archive)
    else:
        options = ViewerOptions(filters=Filters(), file=Path(target), file_source="supermetrics", max_entries=n)
        app = LogViewApp(options, source=source_for_kind("supermetrics"), file_kind="supermetrics")
    first_rows = None
    async with app.run_test(size=(160, 48)):
        session = app.viewer.session
        while session.phase not in ("complete", "error"):
            if first_rows is None and len(app.viewer.view):
                first_rows = time.time()
            await asyncio.sleep(0.002)
        if first_rows is None:
            first_rows = time.time()
        done = time.time()
        store = app.viewer.store
        archived_rows = int((store.span("backing", store.head, store.tail) > 0).sum()) if store.lines is None else 0
        result = {"imported": imported, "first_rows": first_rows, "first_paint": painted_at[0] if painted_at else done,
                  "done": done, "loaded": len(store),
                  "archived_rows": archived_rows, "phase": session.phase, "rss_mib": peak_rss_mib()}
    if archive is not None:
        archive.close()
    return result


def run_viewer(mode: str, target: Path, n: int, url: str | None) -> dict:
    started = time.time()
    done = subprocess.run([sys.executable, __file__, "--child", mode, str(target), str(n), url or ""],
                          check=True, capture_output=True, text=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    for key in ("imported", "first_rows", "first_paint", "done"):
        result[key] -= started
    return result


# -- writes against fetching --------------------------------------------------------------------

def run_queue_s() -> float:
    """Seconds this thread has waited for a core so far (/proc schedstat; 0 where there is none)."""
    import threading

    try:
        return int(Path(f"/proc/self/task/{threading.get_native_id()}/schedstat").read_text().split()[1]) / 1e9
    except OSError:
        return 0.0


def process_cpu_s(pid: int) -> float:
    """CPU seconds another process has used (user + system), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_aitronos_server(n: int) -> tuple[subprocess.Popen, str]:
    """A quiet demo server with `n` Aitronos entries (random ids, 100 a page), budget unbounded."""
    import re

    server = subprocess.Popen([sys.executable, "-m", "logview", "demo-server", "--port", "0", "--rate", "0",
                               "--aitronos-entries", str(n), "--supermetrics-entries", "0",
                               "--budget", "100000000/3600"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert server.stdout is not None
    for line in server.stdout:
        if found := re.search(r"listening on (http://\S+)", line):
            return server, found.group(1)
    raise SystemExit("the demo server did not start")


async def writes_vs_fetching(url: str, n: int, server_pid: int, api: str = "supermetrics") -> dict:
    """One run: the plain backfill, the same pages stored one batch after another (wall and this
    thread's CPU), `ArchivedPager` over a fresh archive, and the plain backfill again."""
    from logview.api.paging import EntriesLoaded, Pager
    from logview.archive import Archive, Retention, identity_of, writer
    from logview.archive.rows import Rows, page_rows
    from logview.archive.sync import ArchivedPager
    from logview.demo import DEMO_SUPERMETRICS_KEY
    from logview.model import Filters
    from logview.options import Connection

    # As the viewer runs (`ui/app.py`): the writer's thread hands the interpreter back and forth
    # with the event loop, each turn up to a switch interval (5 ms by default, 1 ms in the viewer).
    sys.setswitchinterval(0.001)
    if api == "aitronos":
        from logview.demo import DEMO_AITRONOS_KEY, DEMO_ORG
        from logview.sources import AitronosSource

        source, key = AitronosSource(DEMO_ORG, base_url=url), DEMO_AITRONOS_KEY
    else:
        source, key = source_at(url), DEMO_SUPERMETRICS_KEY
    connection = Connection(source, key, "bench")

    async def timed(backfill) -> tuple[float, float]:
        """Wall seconds of `backfill`, and those less this thread's wait for a core."""
        started, waited = time.perf_counter(), run_queue_s()
        async with connection.client() as client:
            await backfill(client)
        wall = time.perf_counter() - started
        return wall, wall - (run_queue_s() - waited)

    pages: list = []

    async def plain(client) -> None:
        pages.clear()
        async for event in Pager(source, client, max_entries=n).backfill():
            if isinstance(event, EntriesLoaded) and event.entries:
                pages.append(event.entries)

    cpu, server_cpu = time.process_time(), process_cpu_s(server_pid)
    fetch_s, fetch_net = await timed(plain)
    result: dict = {"fetch_s": fetch_s, "fetch_net": fetch_net, "entries": sum(map(len, pages)),
                    "fetch_cpu_s": time.process_time() - cpu, "server_cpu_s": process_cpu_s(server_pid) - server_cpu}
    started = time.thread_time()
    for page in pages:
        page_rows(1, source, page)
    result["page_rows_cpu_s"] = time.thread_time() - started
    per = max(1, writer.GATHER_ENTRIES // max(map(len, pages)))  # pages to a transaction, as the writer gathers them
    result["pages_per_commit"] = per
    with tempfile.TemporaryDirectory() as folder:
        with Archive.open(Path(folder) / "w.sqlite3", retention=Retention(max_entries=None)) as archive:
            archived = archive.source(identity_of(source))
            started, cpu = time.perf_counter(), time.thread_time()
            for first in range(0, len(pages), per):
                archived.store_rows(Rows.joined([archived.rows(page) for page in pages[first:first + per]]))
            result["write_s"] = time.perf_counter() - started
            result["write_cpu_s"] = time.thread_time() - cpu
        with Archive.open(Path(folder) / "v.sqlite3", retention=Retention(max_entries=None)) as archive:
            async def archived_backfill(client) -> None:
                pager = ArchivedPager(source, client, Filters(), archive.source(identity_of(source)),
                                      max_entries=n, paint_columns=True)
                async for _ in pager.backfill():
                    pass

            children = resource.getrusage(resource.RUSAGE_CHILDREN)
            result["archived_s"], result["archived_net"] = await timed(archived_backfill)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)  # (the writer process has exited)
            result["writer_cpu_s"] = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
            result["stored"] = archive.source(identity_of(source)).count()
        with Archive.open(Path(folder) / "t.sqlite3", retention=Retention(max_entries=None)) as archive:
            process_after, writer.PROCESS_AFTER = writer.PROCESS_AFTER, 10**18
            try:
                result["thread_s"], _ = await timed(archived_backfill)
            finally:
                writer.PROCESS_AFTER = process_after
    result["fetch_again_s"], _ = await timed(plain)  # the machine may have changed meanwhile
    return result


def search_figures(file: Path, archive_path: Path, url: str) -> list[tuple[str, float, int, float, int]]:
    from logview.archive import Archive, Retention, identity_of
    from logview.files.columns import ColumnReader
    from logview.files.jsonl import source_for_kind
    from logview.files.lines import LineFile, scan_lines
    from logview.store import EntryStore

    source = source_at(url)
    rows = []
    with Archive.open(archive_path, retention=Retention(max_entries=None)) as archive:
        archived = archive.source(identity_of(source))
        store = EntryStore(source)
        ahead = archived.count_in()
        for chunk in archived.column_chunks():
            store.append_archived(chunk, archived, ahead)
            ahead -= len(chunk)
        file_source = source_for_kind("supermetrics")
        lines = EntryStore(file_source, lines=LineFile(file))
        for chunk in scan_lines(file):
            lines.append_lines(chunk)
        reader = ColumnReader(file_source)
        for chunk in scan_lines(file, chunk_bytes=2 << 20, with_data=True):
            lines.fill_columns(reader.read(chunk.lines()))
        for needle in ("bench.oldest.marker", "campaign_performance", "get", "zzzz-not-there"):
            figures = []
            for target in (store, lines):
                job = target.search_job(needle)
                started = time.perf_counter()
                job.run()
                figures += [time.perf_counter() - started, int(job.hits.sum())]
            rows.append((needle, *figures))
        lines.close()
    return rows


def report_writes(count: int, runs: int, api: str = "supermetrics") -> None:
    server, url = start_aitronos_server(count) if api == "aitronos" else start_server(count)
    try:
        results = [asyncio.run(writes_vs_fetching(url, count, server.pid, api)) for _ in range(runs)]
    finally:
        server.terminate()
        server.wait()
    print(f"\nArchive writes against the loopback backfill of {results[0]['entries']:,} {api} entries "
          f"({100 if api == 'aitronos' else PAGE} a page), "
          f"{runs} runs (median, then each run)")

    def line(label: str, values: list[float], ratios: list[float] | None = None) -> None:
        each = ", ".join(f"{v:.2f}" for v in values)
        ratio = "" if ratios is None else (f"  = {statistics.median(ratios):.2f}x the backfill's "
                                          f"({', '.join(f'{r:.2f}' for r in ratios)})")
        print(f"  {label:<52}{statistics.median(values):>6.2f} s ({each}){ratio}")

    fetch = [r["fetch_s"] for r in results]
    line("Pager.backfill (fetch + parse), before the writes", fetch)
    line("… of it this process's CPU", [r["fetch_cpu_s"] for r in results])
    line("… and the demo server's CPU meanwhile", [r["server_cpu_s"] for r in results])
    line("Pager.backfill again, after them", [r["fetch_again_s"] for r in results])
    line("building the rows, page_rows (CPU)", [r["page_rows_cpu_s"] for r in results])
    per = results[0]["pages_per_commit"]
    writes = [r["write_s"] for r in results]
    line(f"storing them one after another, {per} a transaction", writes,
         [w / f for w, f in zip(writes, fetch)])
    line("… of it this thread's CPU", [r["write_cpu_s"] for r in results],
         [r["write_cpu_s"] / r["fetch_cpu_s"] for r in results])
    archived = [r["archived_s"] for r in results]
    line("ArchivedPager (a writer process past 2,000)", archived, [a / f for a, f in zip(archived, fetch)])
    line("… net of the fetching thread's waits for a core", [r["archived_net"] for r in results],
         [r["archived_net"] / r["fetch_net"] for r in results])
    line("… the writer process's CPU", [r["writer_cpu_s"] for r in results])
    thread = [r["thread_s"] for r in results]
    line("ArchivedPager, every page in the writer's thread", thread, [t / f for t, f in zip(thread, fetch)])
    stored = {r["stored"] for r in results}
    print(f"  {'':<52}({', '.join(f'{s:,}' for s in sorted(stored))} archived)")


# -- the parent ---------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        mode, target, n, url = argv[1], argv[2], int(argv[3]), argv[4] or None
        print(json.dumps(asyncio.run(viewer_child(mode, target, n, url))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-writes", action="store_true")
    parser.add_argument("--skip-search", action="store_true")
    parser.add_argument("--only-writes", action="store_true", help="only part 2 (FILE gives the count)")
    parser.add_argument("--writes-api", choices=("supermetrics", "aitronos"), default="supermetrics",
                        help="part 2 against this API's demo entries (Aitronos: random ids, 100 a page)")
    args = parser.parse_args(argv)
    with args.file.open("rb") as handle:
        n = sum(1 for _ in handle)
    if args.only_writes:
        report_writes(min(n, 100_000), args.runs, args.writes_api)
        return 0
    server, url = start_server(0, QUIET_PORT)  # the connector is there, and empty
    try:
        path = archive_of(args.file, url)
        rows = []
        for run in range(args.runs):
            archived = run_viewer("archive", path, n, url)
            file = run_viewer("file", args.file, n, None)
            rows.append((archived, file))
            print(f"  run {run + 1}: first rows archive {archived['first_rows']:.2f} s, file {file['first_rows']:.2f} s; "
                  f"peak RSS {archived['rss_mib']:.0f} / {file['rss_mib']:.0f} MiB", file=sys.stderr)
        searches = [] if args.skip_search else search_figures(args.file, path, url)
    finally:
        server.terminate()
        server.wait()
    print(f"\nThe viewer on {n:,} Supermetrics entries ({args.file.name}): through the archive vs --file, "
          f"same run, child processes, headless 160x48")
    print(f"{'run':<8}{'':<9}{'imports s':>10}{'first rows s':>14}{'(after imports)':>16}{'all loaded s':>14}"
          f"{'peak RSS MiB':>14}{'rows':>11}{'archived':>10}")
    for run, (archived, file) in enumerate(rows, 1):
        for name, result in (("archive", archived), ("file", file)):
            result["app_first_rows"] = result["first_rows"] - result["imported"]
            result["app_first_paint"] = result["first_paint"] - result["imported"]
            print(f"{run:<8}{name:<9}{result['imported']:>10.2f}{result['first_rows']:>14.2f}"
                  f"{result['app_first_rows']:>16.2f}{result['done']:>14.2f}{result['rss_mib']:>14.0f}"
                  f"{result['loaded']:>11,}{result['archived_rows']:>10,}")
    for key, label in (("first_rows", "first rows"), ("app_first_rows", "first rows after imports"),
                       ("first_paint", "first paint"), ("app_first_paint", "first paint after imports"),
                       ("done", "all loaded"), ("rss_mib", "peak RSS")):
        a = statistics.median(r[0][key] for r in rows)
        f = statistics.median(r[1][key] for r in rows)
        ratios = [r[0][key] / r[1][key] for r in rows]
        print(f"median {label}: archive {a:.2f}, file {f:.2f}; archive / file {statistics.median(ratios):.2f} "
              f"(per run {', '.join(f'{x:.2f}' for x in ratios)})")
    if searches:
        print(f"\nSearch over all {n:,} rows, in process (a worker's `search_job().run()`)")
        print(f"{'needle':<24}{'archived s':>11}{'hits':>10}{'--file s':>10}{'hits':>10}")
        for needle, archived_s, archived_hits, file_s, file_hits in searches:
            print(f"{needle:<24}{archived_s:>11.2f}{archived_hits:>10,}{file_s:>10.2f}{file_hits:>10,}")
    if not args.skip_writes:
        report_writes(min(n, 100_000), args.runs, args.writes_api)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    sys.exit(main())
