"""The viewer's ingest of N Supermetrics entries from a loopback API, against a bare httpx + orjson
loop over the same pages, in the same run.

Usage:
    python benchmarks/bench_ingest.py [-n 100000] [--runs 3] [--archive] [--profile OUT.prof]
                                      [--baseline DIR] [--prefetch]

A quiet demo server runs in a subprocess (`logview demo-server --rate 0`), so it does not share
the viewer's interpreter. Each run then starts, one after the other, two fresh child processes:

- viewer: `LogViewApp` headless at 160x48 (`App.run_test`, Textual's headless driver) on the
  server, `--max-entries N`; timed from just before the app starts to the moment all N entries are
  in the store and the backfill is complete (`phase == "complete"`), with the time to the first
  rows shown and the process's peak RSS (VmHWM). `--archive`: through a fresh archive in a
  temporary folder, as `logview` runs by default (entries stored while the next page is fetched);
  a run that archived fewer than N is noted (a writer that failed goes on without the archive,
  faster). The viewer says its rows are loaded before its archive's writer has stored the last
  pages ("archiving …"): `archived s` runs on until it has (and the writer process has ended),
  `arch ratio` is it over the bare loop's; a viewer that waits for its archive gives `s` again.
- bare: `httpx.AsyncClient` + `orjson.loads`, the same 1,000-entry pages with a naive `before`
  cursor, nothing kept but a count.
- `--prefetch`: the viewer sends each page's successor while it hands the page over
  (`logview.api.paging.PREFETCH`: on by default since s25, so the flag only matters for a tree where
  it is off), to compare with a `--baseline` of the same code.
- baseline (`--baseline DIR`): the viewer again, with another checkout's `DIR/src` first on the
  path (e.g. `git archive HEAD src styles | tar -x -C DIR`: without `styles/` the app runs with no
  CSS, which draws faster), for a before/after in the same run, the two taking turns to go first.
  This checkout's viewer always runs from a compiled copy taken at the start (commits landing in a
  shared working tree during the runs would otherwise change the code measured; and under
  `PYTHONDONTWRITEBYTECODE` a tree without current `.pyc` files compiled at every run the 17 modules
  of logview the viewer imports inside the clock, ~26 ms, and the writer process its own at its start;
  the profile, which also saw the imports before the clock, 0.64 s).

Each child also reports its CPU seconds, the part of them the cyclic garbage collector took (`gc s`,
in `gcs` collections), the parts in `SupermetricsSource.parse_page` (`parse s`: a page's bytes to entries, its
decoding included) and in `Codes.encode` (`code s`: entries to the store's columns), with `--archive` the archive's writer process's
CPU (its rusage once reaped), the screen's paints (how often Textual's compositor redrew, `paints`) and
its layouts (`layouts`), and the main thread's CPU in imports within `s` (`import s`: httpx, httpcore,
anyio and tenacity load at the first request, ~0.07 s; the bare loop imports httpx before its clock): on a
shared machine the wall clock varies with the neighbours, CPU less.

The ratio viewer / bare is per run; the table shows each run and the median. `--profile` writes a
cProfile of one more viewer run's load, from its first request to every entry archived (the app's start,
the imports before it and the checks after are left out; `python -m pstats OUT.prof`, or snakeviz). Its
clock is the wall's: on two shared cores a call during which the process was preempted (a `send` that
wakes the server, a pipe `write` that wakes the writer process) shows that wait as its own time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PAGE = 1000


def peak_rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


# -- the children -------------------------------------------------------------------------------

async def viewer_child(url: str, n: int, archive_dir: str | None, profiler=None) -> dict:
    from logview.api.client import ApiClient
    from logview.archive import Archive
    from logview.demo import DEMO_CONNECTOR, DEMO_SUPERMETRICS_KEY, DEMO_TEAM
    from logview.model import Filters
    from logview.options import Connection, ViewerOptions
    from logview.sources import SupermetricsSource
    from logview.ui.app import LogViewApp

    if os.environ.get("BENCH_PREFETCH"):  # --prefetch: the next page's request sent while one is parsed
        from logview.api import paging

        paging.PREFETCH = True
    source = SupermetricsSource(DEMO_TEAM, DEMO_CONNECTOR, base_url=url)
    options = ViewerOptions(filters=Filters(), connection=Connection(source, DEMO_SUPERMETRICS_KEY, "bench"),
                            max_entries=n)
    archive = Archive.open(Path(archive_dir) / "archive.sqlite3") if archive_dir else None
    first_request: list[float] = []
    fetch = ApiClient.fetch

    def timed_fetch(*args, **kwargs):  # (when the loading starts: the app's own start-up excluded)
        if not first_request and profiler is not None:
            profiler.enable()  # (--profile: the load alone, from its first request)
        first_request.append(first_request[0] if first_request else time.perf_counter())
        return fetch(*args, **kwargs)

    ApiClient.fetch = timed_fetch  # type: ignore[method-assign]
    ingest = time_ingest()
    paints = count_paints()
    collections = time_collections()
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # (the archive's writer process, once reaped)
    imports = time_imports()  # (from here: the bench's own imports are done)
    started, cpu_started = time.perf_counter(), time.process_time()
    app = LogViewApp(options, archive=archive)
    first_rows = None
    async with app.run_test(size=(160, 48)):
        session = app.viewer.session
        while session.phase not in ("complete", "error"):
            if first_rows is None and len(app.viewer.view):
                first_rows = time.perf_counter() - started
            await asyncio.sleep(0.002)
        loaded_s = time.perf_counter() - started
        cpu_s = time.process_time() - cpu_started
        loaded, phase = len(app.viewer.store), session.phase
        import_s = imports[0]
        while getattr(app.viewer.feed, "archiving", False):  # (the last pages, archived after the rows are all shown)
            await asyncio.sleep(0.002)
        archived_s, archived_cpu_s = time.perf_counter() - started, time.process_time() - cpu_started
        if profiler is not None:
            profiler.disable()
    reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
    writer_cpu_s = reaped.ru_utime + reaped.ru_stime - children.ru_utime - children.ru_stime
    archived = None
    if archive is not None:  # (a writer that failed leaves the rest unarchived, and is faster for it)
        from logview.archive.rows import identity_of

        identity = identity_of(source)
        assert identity is not None
        archived = archive.source(identity).count()
        archive.close()
    return {"writer_cpu_s": writer_cpu_s, "archived": archived, "archived_s": archived_s, "archived_cpu_s": archived_cpu_s, "seconds": loaded_s, "first_rows_s": first_rows, "loaded": loaded, "phase": phase,
            "load_s": loaded_s - (first_request[0] - started), "rss_mib": peak_rss_mib(), "cpu_s": cpu_s,
            "paints": paints[0], "layouts": paints[1], "gc_s": collections[0], "collections": int(collections[1]),
            "parse_s": ingest[0], "code_s": ingest[1], "import_s": import_s}


def time_imports() -> list[float]:
    """[CPU seconds]: the main thread's imports from now on (modules imported at their first use:
    httpx, httpcore, anyio and tenacity at the first request, the archive's writer modules at the
    first page), the outermost import timed alone. The bare loop imports httpx before its clock."""
    import importlib._bootstrap as bootstrap
    import threading

    totals, depth, find_and_load = [0.0], [0], bootstrap._find_and_load
    main = threading.main_thread()

    def timed(name, import_):
        if threading.current_thread() is not main:
            return find_and_load(name, import_)
        depth[0] += 1
        began = time.thread_time()
        try:
            return find_and_load(name, import_)
        finally:
            depth[0] -= 1
            if depth[0] == 0:
                totals[0] += time.thread_time() - began

    bootstrap._find_and_load = timed
    return totals


def time_ingest() -> list[float]:
    """[parse s, code s]: CPU seconds in `SupermetricsSource.parse_page` (a page's bytes to entries,
    its own or `Source`'s) and in `Codes.encode` (entries to the store's columns) from now on: the
    ingest's own share of `cpu s`."""
    from logview.sources import SupermetricsSource
    from logview.store.codes import Codes

    totals = [0.0, 0.0]

    def timed(method, slot: int):
        def run(*args, **kwargs):
            began = time.process_time()
            try:
                return method(*args, **kwargs)
            finally:
                totals[slot] += time.process_time() - began
        return run

    SupermetricsSource.parse_page = timed(SupermetricsSource.parse_page, 0)  # type: ignore[method-assign]
    Codes.encode = timed(Codes.encode, 1)  # type: ignore[method-assign]
    return totals


def time_collections() -> list[float]:
    """[seconds, count] of the cyclic garbage collector's collections from now on."""
    totals = [0.0, 0.0]
    began = [0.0]

    def timed(phase: str, info: dict) -> None:
        if phase == "start":
            began[0] = time.perf_counter()
        else:
            totals[0] += time.perf_counter() - began[0]
            totals[1] += 1

    import gc

    gc.callbacks.append(timed)
    return totals


def count_paints() -> list[int]:
    """[paints, layouts]: how often the screen redraws from now on (Textual's timed compositor
    update), and how often it lays itself out again (`Screen._refresh_layout`)."""
    from textual.screen import Screen

    paints = [0, 0]
    update, layout = Screen._on_timer_update, Screen._refresh_layout

    def counted(self: Screen) -> None:
        paints[0] += 1
        update(self)

    def laid_out(self: Screen, *args, **kwargs) -> None:
        paints[1] += 1
        layout(self, *args, **kwargs)

    Screen._on_timer_update = counted  # type: ignore[method-assign]
    Screen._refresh_layout = laid_out  # type: ignore[method-assign]
    return paints


async def bare_child(url: str, n: int) -> dict:
    import httpx
    import orjson

    from logview.demo import DEMO_CONNECTOR, DEMO_SUPERMETRICS_KEY, DEMO_TEAM

    path = f"/v1/teams/{DEMO_TEAM}/connector_builder/connectors/{DEMO_CONNECTOR}/logs"
    count, before = 0, None
    started, cpu_started = time.perf_counter(), time.process_time()
    async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {DEMO_SUPERMETRICS_KEY}"}) as client:
        while count < n:
            params = {"limit": str(PAGE), **({"before": before} if before else {})}
            logs = orjson.loads((await client.get(path, params=params)).content)["logs"]
            count += len(logs)
            if len(logs) < PAGE:
                break
            before = logs[-1]["log_time"]  # naive exclusive cursor: may cut tie groups
    return {"seconds": time.perf_counter() - started, "loaded": count, "rss_mib": peak_rss_mib(),
            "cpu_s": time.process_time() - cpu_started}


def child(argv: list[str]) -> None:
    kind, url, n = argv[0], argv[1], int(argv[2])
    if kind == "viewer":
        result = asyncio.run(viewer_child(url, n, argv[3] if len(argv) > 3 else None))
    elif kind == "profile":
        import cProfile

        profiler = cProfile.Profile()  # (enabled from the first request to every entry archived)
        result = asyncio.run(viewer_child(url, n, argv[4] if len(argv) > 4 else None, profiler))
        profiler.dump_stats(argv[3])
    else:
        result = asyncio.run(bare_child(url, n))
    print(json.dumps(result))


def run_child(*args: str, code: Path | None = None, prefetch: bool = False) -> dict:
    """One child process; `code`: a checkout whose `src` is imported instead of this one's."""
    env = dict(os.environ, **({"BENCH_PREFETCH": "1"} if prefetch else {}))
    if code is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(code / "src"), *filter(None, [env.get("PYTHONPATH")])])
    done = subprocess.run([sys.executable, __file__, "--child", *args], check=True, capture_output=True, text=True,
                          env=env)
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- the parent ---------------------------------------------------------------------------------

def start_server(n: int, port: int = 0) -> tuple[subprocess.Popen, str]:
    # A budget far beyond the runs' requests: with the published one (1,000 an hour, advertised in
    # the headers), a few runs would drain it and the client would pace the later ones.
    server = subprocess.Popen([sys.executable, "-m", "logview", "demo-server", "--port", str(port), "--rate", "0",
                               "--aitronos-entries", "0", "--supermetrics-entries", str(n),
                               "--budget", "100000000/3600"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert server.stdout is not None
    for line in server.stdout:
        found = re.search(r"listening on (http://\S+)", line)
        if found:
            return server, found.group(1)
    raise SystemExit("the demo server did not start")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        child(argv[1:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=100_000, help="entries (default 100000)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--archive", action="store_true", help="the viewer stores into a fresh archive")
    parser.add_argument("--profile", type=Path, help="also write a cProfile of one viewer run here")
    parser.add_argument("--prefetch", action="store_true",
                        help="the viewer (not the baseline) prefetches pages (logview.api.paging.PREFETCH)")
    parser.add_argument("--baseline", type=Path, metavar="DIR",
                        help="also run the viewer of another checkout (DIR/src) in each run")
    args = parser.parse_args(argv)
    if args.baseline is not None and not (args.baseline / "styles").is_dir():
        parser.error(f"{args.baseline} has no styles/: its viewer would run without CSS (git archive REV src styles)")
    if args.baseline is not None:  # (else each of its runs compiles the modules it imports late, ~0.3 s)
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(args.baseline / "src")], check=True)
    started = time.perf_counter()
    server, url = start_server(args.n)
    print(f"demo server with {args.n:,} Supermetrics entries up in {time.perf_counter() - started:.1f} s at {url}")
    runs: list[dict[str, dict]] = []
    # This checkout's viewer runs from a compiled copy (taken now: others may commit to the working
    # tree meanwhile; and with PYTHONDONTWRITEBYTECODE a tree without current .pyc files compiled
    # the modules it imports inside the clock at each run, see the docstring), and with a baseline
    # the two take turns going first.
    here = Path(tempfile.mkdtemp())
    shutil.copytree(Path(__file__).resolve().parent.parent / "src", here / "src",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(Path(__file__).resolve().parent.parent / "styles", here / "styles")  # (the app's CSS)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(here / "src")], check=True)
    try:
        for run in range(args.runs):
            children: dict[str, dict] = {}
            viewers = [("viewer", here, args.prefetch), ("baseline", args.baseline, False)][:2 if args.baseline else 1]
            for name, code, prefetch in viewers if run % 2 == 0 else viewers[::-1]:
                with tempfile.TemporaryDirectory() as folder:
                    children[name] = run_child("viewer", url, str(args.n), *([folder] if args.archive else []),
                                               code=code, prefetch=prefetch)
            children["bare"] = run_child("bare", url, str(args.n))
            runs.append(children)
            print(f"  run {run + 1}: " + ", ".join(f"{name} {child['seconds']:.2f} s" for name, child in children.items()),
                  file=sys.stderr)
        if args.profile:
            with tempfile.TemporaryDirectory() as folder:
                run_child("profile", url, str(args.n), str(args.profile), *([folder] if args.archive else []),
                          code=here, prefetch=args.prefetch)
            print(f"profile of one viewer run's load (its first request to every entry archived) written to "
                  f"{args.profile}")
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(here, ignore_errors=True)
    mode = "through a fresh archive" if args.archive else "without the archive"
    print(f"\nViewer ingest of {args.n:,} Supermetrics entries ({PAGE} a page, loopback), {mode}")
    print("s: from the app's start; load s: from its first request (the app's start-up excluded); "
          "cpu s: the process's CPU time over s; gc s: of it in cyclic collections (how many: gcs); "
          "ratio: s / bare s; parse s, code s: CPU in SupermetricsSource.parse_page and Codes.encode; "
          "import s: the main thread's CPU in imports within s (the bare loop's are before its clock)")
    viewers = ["viewer"] + (["baseline"] if args.baseline is not None else [])
    print(f"{'run':<8}{'':<10}{'s':>7}{'archived s':>11}{'arch ratio':>11}{'load s':>8}{'first rows s':>14}{'cpu s':>7}{'gc s':>6}{'gcs':>5}{'paints':>8}{'layouts':>8}{'loaded':>10}"
          f"{'peak RSS MiB':>14}{'ratio':>8}{'load ratio':>12}{'parse s':>9}{'code s':>8}{'import s':>10}")

    def line(run: str, name: str, viewer: dict, bare: dict) -> str:
        first = viewer["first_rows_s"]
        archived_s = viewer.get("archived_s", viewer["seconds"])
        return (f"{run:<8}{name:<10}{viewer['seconds']:>7.2f}{archived_s:>11.2f}{archived_s / bare['seconds']:>11.2f}"
                f"{viewer['load_s']:>8.2f}"
                f"{first if first is not None else float('nan'):>14.2f}{viewer['cpu_s']:>7.2f}"
                f"{viewer.get('gc_s', float('nan')):>6.2f}{viewer.get('collections', 0):>5}{viewer['paints']:>8}{viewer.get('layouts', 0):>8}"
                f"{viewer['loaded']:>10,}{viewer['rss_mib']:>14.0f}"
                f"{viewer['seconds'] / bare['seconds']:>8.2f}{viewer['load_s'] / bare['seconds']:>12.2f}"
                f"{viewer.get('parse_s', float('nan')):>9.2f}{viewer.get('code_s', float('nan')):>8.2f}"
                f"{viewer.get('import_s', float('nan')):>10.2f}")

    for run, children in enumerate(runs, 1):
        bare = children["bare"]
        for name in viewers:
            print(line(str(run), name, children[name], bare))
        print(f"{run:<8}{'bare':<10}{bare['seconds']:>7.2f}{'':>44}{bare['cpu_s']:>7.2f}{'':>27}{bare['loaded']:>10,}"
              f"{bare['rss_mib']:>14.0f}")
    for name in viewers + ["bare"]:
        values = [children[name] for children in runs]
        ratios = [children[name]["seconds"] / children["bare"]["seconds"] for children in runs]
        load_ratios = [children[name].get("load_s", 0) / children["bare"]["seconds"] for children in runs]
        median = statistics.median
        archived = [v.get("archived_s", v["seconds"]) for v in values]
        print(f"{'median':<8}{name:<10}{median(v['seconds'] for v in values):>7.2f}"
              + (f"{median(archived):>11.2f}{median(a / c['bare']['seconds'] for a, c in zip(archived, runs)):>11.2f}"
                 if name != "bare" else f"{'':>22}")
              + (f"{median(v['load_s'] for v in values):>8.2f}{median(v['first_rows_s'] or 0 for v in values):>14.2f}"
                 if name != "bare" else f"{'':>22}")
              + f"{median(v['cpu_s'] for v in values):>7.2f}"
              + (f"{median(v.get('gc_s', 0) for v in values):>6.2f}{median(v.get('collections', 0) for v in values):>5.0f}"
                 f"{median(v['paints'] for v in values):>8.0f}{median(v.get('layouts', 0) for v in values):>8.0f}"
                 if name != "bare" else f"{'':>27}")
              + f"{'':>10}{median(v['rss_mib'] for v in values):>14.0f}"
              + (f"{median(ratios):>8.2f}{median(load_ratios):>12.2f}"
                 f"{median(v.get('parse_s', 0) for v in values):>9.2f}{median(v.get('code_s', 0) for v in values):>8.2f}"
                 f"{median(v.get('import_s', 0) for v in values):>10.2f}"
                 if name != "bare" else ""))
    if args.archive:
        for name in viewers:
            writer = [children[name].get("writer_cpu_s", float("nan")) for children in runs]
            print(f"the archive's writer process's CPU s, {name}: median {statistics.median(writer):.2f} "
                  f"({', '.join(f'{value:.2f}' for value in writer)})")
    if any(children[name]["phase"] != "complete" or children[name]["loaded"] != args.n
           for children in runs for name in viewers):
        print("note: a viewer run did not load every entry (see the loaded column)")
    if args.archive and any(children[name].get("archived", args.n) != args.n for children in runs for name in viewers):
        print("note: a viewer run did not archive every entry: " + ", ".join(
            f"run {run} {name} {children[name].get('archived')}" for run, children in enumerate(runs, 1)
            for name in viewers if children[name].get("archived", args.n) != args.n))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    sys.exit(main())
