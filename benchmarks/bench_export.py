"""How long `logview export` takes for N demo entries, against a bare httpx loop over the same pages;
and, with `--file`, `logview export --file` against the viewer's `s` on the same file.

Usage: python benchmarks/bench_export.py [N]   (default 100000)
       python benchmarks/bench_export.py --file FILE [--status 5xx] [--runs 3]   (a file from gen_file.py)

Starts a quiet demo server in this process, then times the real CLI in a subprocess (what a user
runs, imports included) and an in-process bare loop that only fetches and splits the pages.

With `--file`: the real CLI in a subprocess (`logview export --file FILE --status 5xx -o …`: its
reading of the file, its filters and its writing, imports included), then, in this process, what the
viewer's `s` does once the file is read (the view's rows written by `ui/save.save_lines`), which is
what a user of the viewer waits for after `s`; the store is read first, as the viewer reads it
(`store/whole_file.py`), untimed. Each best of `--runs`, with the CPU time (user + system) beside
it: on a shared machine the wall time mostly says how busy it is.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time

import httpx

from logview.demo import (DEMO_AITRONOS_KEY, DEMO_CONNECTOR, DEMO_ORG, DEMO_SUPERMETRICS_KEY, DEMO_TEAM,
                          DemoServer, DemoState)


def time_cli(args: list[str], env: dict[str, str]) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "out.jsonl")
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "logview", *args, "--output", out], check=True,
                       env={**os.environ, **env})
        elapsed = time.perf_counter() - started
        with open(out, "rb") as handle:
            lines = sum(1 for _ in handle)
    return elapsed, lines


async def bare_supermetrics(url: str) -> tuple[float, int]:
    """Fetch every page with the same cursor rule, no parsing beyond what the cursor needs."""
    import orjson

    path = f"/v1/teams/{DEMO_TEAM}/connector_builder/connectors/{DEMO_CONNECTOR}/logs"
    headers = {"Authorization": f"Bearer {DEMO_SUPERMETRICS_KEY}"}
    count, before = 0, None
    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=url, headers=headers) as client:
        while True:
            params = {"limit": "1000", **({"before": before} if before else {})}
            logs = orjson.loads((await client.get(path, params=params)).content)["logs"]
            count += len(logs)
            if len(logs) < 1000:
                break
            before = logs[-1]["log_time"]  # naive exclusive cursor: may cut tie groups
    return time.perf_counter() - started, count


async def bare_aitronos(url: str) -> tuple[float, int]:
    import orjson

    headers = {"X-API-Key": DEMO_AITRONOS_KEY}
    count, offset = 0, 0
    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=url, headers=headers) as client:
        while True:
            params = {"organization_id": DEMO_ORG, "limit": "100", "offset": str(offset)}
            document = orjson.loads((await client.get("/v1/personal-connectors/logs", params=params)).content)
            count += document["returned"]
            offset += document["returned"]
            if not document["has_more"]:
                break
    return time.perf_counter() - started, count


def time_file_export(path: str, flags: list[str]) -> tuple[float, float, int]:
    """`logview export --file` in a subprocess: wall seconds, its CPU seconds, lines written."""
    with tempfile.TemporaryDirectory() as folder:
        out = os.path.join(folder, "out.jsonl")
        before = os.times()
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "logview", "export", "--file", path, *flags, "--output", out],
                       check=True, env={**os.environ, "LOGVIEW_CONFIG": "/nonexistent/config.toml"})
        elapsed = time.perf_counter() - started
        after = os.times()
        with open(out, "rb") as handle:
            lines = sum(1 for _ in handle)
    return elapsed, (after.children_user - before.children_user) + (after.children_system - before.children_system), lines


def time_viewer_save(path: str, flags: list[str]) -> tuple[float, float, int]:
    """The viewer's `s` on the file once it is read: wall seconds, CPU seconds, lines written."""
    from pathlib import Path

    from logview.files.jsonl import detect_kind, source_for_kind
    from logview.model import Filters
    from logview.store import FilteredView
    from logview.store.whole_file import read_whole_file
    from logview.ui.save import save_lines

    source = source_for_kind(detect_kind(Path(path)))
    statuses = tuple(flags[i + 1] for i, flag in enumerate(flags) if flag == "--status")
    store = read_whole_file(Path(path), source)
    index = FilteredView(store, Filters(statuses=statuses)).index
    starts, lengths = store.column("start", index), store.column("length", index)
    with tempfile.TemporaryDirectory() as folder:
        before, started = time.process_time(), time.perf_counter()
        saved = save_lines(Path(folder) / "saved.jsonl", store.lines, starts, lengths, source)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - before
    store.close()
    return elapsed, cpu, saved.written


def file_main(argv: list[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser(description="logview export --file against the viewer's s")
    parser.add_argument("--file", required=True)
    parser.add_argument("--status", action="append", default=[])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    flags = [part for status in args.status for part in ("--status", status)]
    rows = []
    for name, timed in (("logview export --file (whole CLI)", time_file_export),
                        ("viewer's s once the file is read", time_viewer_save)):
        runs = [timed(args.file, flags) for _ in range(args.runs)]
        best = min(runs)
        rows.append((name, best[2], best[0], min(run[1] for run in runs)))
    print(f"\n{' '.join(flags) or 'no filter'} over {args.file}, best of {args.runs}")
    print(f"{'':<36}{'entries':>10}{'wall s':>9}{'cpu s':>8}")
    for name, entries, wall, cpu in rows:
        print(f"{name:<36}{entries:>10,}{wall:>9.2f}{cpu:>8.2f}")
    print(f"export / save: {rows[0][2] / rows[1][2]:.1f}x wall, {rows[0][3] / rows[1][3]:.1f}x cpu")


def main() -> None:
    if "--file" in sys.argv[1:]:
        file_main(sys.argv[1:])
        return
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    started = time.perf_counter()
    # A budget far beyond the runs' requests (as bench_ingest.py's): a server that only advertises
    # its limit is paced at that limit, 100 a minute for Aitronos' 1,000 pages (s21).
    state = DemoState(aitronos_entries=n, supermetrics_entries=n, live_rate=0.0, budget="100000000/3600")
    print(f"generated 2 x {n:,} demo entries in {time.perf_counter() - started:.2f} s")
    with DemoServer(state) as server:
        env = {"FREDDY_API_KEY": DEMO_AITRONOS_KEY, "SUPERMETRICS_API_KEY": DEMO_SUPERMETRICS_KEY}
        rows = []
        for name, args, bare in (
            ("supermetrics (1000/page)", ["export", "--source", "supermetrics", "--team", str(DEMO_TEAM),
                                          "--connector", DEMO_CONNECTOR, "--base-url", server.url], bare_supermetrics),
            ("aitronos (100/page)", ["export", "--source", "aitronos", "--org", DEMO_ORG, "--base-url", server.url],
             bare_aitronos),
        ):
            cli_s, cli_n = time_cli(args, env)
            bare_s, bare_n = asyncio.run(bare(server.url))
            rows.append((name, cli_n, cli_s, bare_s, bare_n))
    print(f"\n{'source':<26}{'entries':>10}{'logview export':>16}{'bare httpx':>12}{'ratio':>8}{'entries/s':>12}")
    for name, cli_n, cli_s, bare_s, bare_n in rows:
        print(f"{name:<26}{cli_n:>10,}{cli_s:>15.2f}s{bare_s:>11.2f}s{cli_s / bare_s:>8.2f}{cli_n / cli_s:>12,.0f}")
        if bare_n != cli_n:
            print(f"  note: the bare loop saw {bare_n:,} entries (its naive cursor does not handle tie groups)")


if __name__ == "__main__":
    main()
