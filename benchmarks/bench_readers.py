"""Candidate readers for a big file's filter columns, side by side in one run (issue 14).

Usage:
    python benchmarks/bench_readers.py FILE [--runs 3]

Each candidate turns the whole file (warm in the page cache) into what the viewer needs, or the
nearest it can, and is timed from the open file to its columns (median of `--runs`, wall clock and
CPU time: on a shared machine the CPU time is the steadier figure, and the reader's CPU is what the
UI thread waits for):

- `orjson, per line` — `ColumnReader` as it was before issue 14: `orjson.loads` per line into a
  dict, then the columns in a Python loop (here: the reader's exact per-line path on every line);
- `msgspec typed` — `ColumnReader.read_chunk` now: typed Structs, a block per call, columns in bulk;
- `msgspec typed, 2 processes` — the same in two child processes, one half of the file each (a
  second process on the second core; start-up and shipping the columns back included);
- `pyarrow.json` / `polars.read_ndjson` — columnar readers in C++/Rust, multithreaded, outside
  the GIL, with an explicit schema of the fields the columns need. Not exact: a line they read
  differently from the entry parser (a wrong type, a duplicate key, invalid UTF-8 in a skipped
  value) is not told apart, so they would still need a full exact pass. Skipped if not installed;
- `bytes, numpy (status only)` — byte-level extraction of *one* column (the status) for lines of
  the export's shape, a lower bound for that approach (the other fields and the checks that make it
  exact cost more passes of the same kind).

Each candidate runs in a fresh process (imports not timed); its peak RSS (VmHWM, plus twice the
largest child's for the 2-process candidate) is printed too, since the viewer's footprint is a target.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from logview.files.columns import ColumnReader
from logview.files.jsonl import detect_kind, source_for_kind
from logview.files.lines import scan_lines

CHUNK = 1 << 20


def hwm_mib() -> float:
    """This process's peak RSS, plus its largest child's (the 2-process candidate has two alike)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024 + 2 * children
    return float("nan")


def orjson_per_line(path: Path, kind: str) -> int:
    reader = ColumnReader(source_for_kind(kind))
    return sum(len([reader._exact(line) for line in chunk.lines()])
               for chunk in scan_lines(path, chunk_bytes=CHUNK, with_data=True))


def msgspec_typed(path: Path, kind: str, part: int = 0, parts: int = 1) -> int:
    reader = ColumnReader(source_for_kind(kind))
    count = 0
    for index, chunk in enumerate(scan_lines(path, chunk_bytes=reader.chunk_bytes, with_data=True)):
        if index % parts == part:
            count += len(reader.read_chunk(chunk))
    return count


def _child(args: tuple[str, str, int, int]) -> int:
    path, kind, part, parts = args
    return msgspec_typed(Path(path), kind, part, parts)


def two_processes(path: Path, kind: str) -> int:
    # (interleaved megabytes, so both halves are alike; the columns come back as numpy arrays)
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        return sum(pool.map(_child, [(str(path), kind, 0, 2), (str(path), kind, 1, 2)]))


def pyarrow_json(path: Path, kind: str) -> int:
    import pyarrow as pa
    import pyarrow.json as pj

    time_key = "log_time" if kind == "supermetrics" else "created_at"
    status = pa.int64() if kind == "supermetrics" else pa.string()
    schema = pa.schema([("id", pa.string()), (time_key, pa.string()), ("status", status),
                        ("event" if kind == "supermetrics" else "credential_id", pa.string()),
                        ("duration_ms", pa.float64())])
    table = pj.read_json(path, parse_options=pj.ParseOptions(explicit_schema=schema,
                                                             unexpected_field_behavior="ignore"))
    return table.num_rows


def polars_ndjson(path: Path, kind: str) -> int:
    import polars as pl

    time_key = "log_time" if kind == "supermetrics" else "created_at"
    schema = {"id": pl.String, time_key: pl.String, "status": pl.Int64 if kind == "supermetrics" else pl.String,
              "event" if kind == "supermetrics" else "credential_id": pl.String, "duration_ms": pl.Float64}
    return pl.read_ndjson(path, schema=schema).height


def bytes_status_only(path: Path, kind: str) -> int:
    """`"status":` found with numpy, its value read as digits (Supermetrics) per line."""
    key = np.frombuffer(b'"status":', dtype=np.uint8)
    count = 0
    for chunk in scan_lines(path, chunk_bytes=CHUNK, with_data=True):
        data = np.frombuffer(chunk.data, dtype=np.uint8)
        found = np.flatnonzero(data[:len(data) - len(key) - 3] == key[0])
        for offset in range(1, len(key)):
            found = found[data[found + offset] == key[offset]]
        lines = np.searchsorted(chunk.starts - chunk.base, found, side="right") - 1
        value = found + len(key)
        digits = data[value[:, None] + np.arange(3)].astype(np.int32) - 48
        codes = np.zeros(len(chunk.starts), dtype=np.int32)
        codes[lines] = digits[:, 0] * 100 + digits[:, 1] * 10 + digits[:, 2]
        count += len(codes)
    return count


CANDIDATES: dict[str, Callable[[Path, str], int]] = {
    "orjson, per line (before)": orjson_per_line,
    "msgspec typed (now)": msgspec_typed,
    "msgspec typed, 2 processes": two_processes,
    "pyarrow.json (not exact)": pyarrow_json,
    "polars.read_ndjson (not exact)": polars_ndjson,
    "bytes, numpy (status only)": bytes_status_only,
}


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the 2-process candidate's halves)."""
    return sum(resource.getrusage(who).ru_utime + resource.getrusage(who).ru_stime
               for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))


def measure(name: str, path: Path, kind: str, runs: int) -> str:
    """One candidate in this process: `median (min–max) cpu rows hwm`."""
    times, cpus, rows = [], [], 0
    for _ in range(runs):
        started, used = time.perf_counter(), cpu_seconds()
        rows = CANDIDATES[name](path, kind)
        times.append(time.perf_counter() - started)
        cpus.append(cpu_seconds() - used)
    return (f"{statistics.median(times):.2f} ({min(times):.2f}–{max(times):.2f}) {statistics.median(cpus):.2f} "
            f"{rows} {hwm_mib():.0f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated candidate names (prefixes)")
    parser.add_argument("--child", help=argparse.SUPPRESS)  # one candidate, in a process of its own
    args = parser.parse_args(argv)
    kind = detect_kind(args.file)
    if args.child:
        print(measure(args.child, args.file, kind, args.runs))
        return 0
    args.file.read_bytes()  # warm the page cache
    print(f"{args.file} ({args.file.stat().st_size / 2**20:,.0f} MiB, {kind}); median of {args.runs}, "
          "each candidate in a fresh process (its imports not timed; VmHWM: that process's peak)")
    print(f"| candidate | seconds | CPU seconds | rows | peak RSS MiB |\n|---|---:|---:|---:|---:|")
    for name in CANDIDATES:
        if args.only and not any(name.startswith(prefix) for prefix in args.only.split(",")):
            continue
        done = subprocess.run([sys.executable, __file__, str(args.file), "--runs", str(args.runs), "--child", name],
                              capture_output=True, text=True)
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["failed"])[-1]
            print(f"| {name} | skipped: {last} | | | |", flush=True)
            continue
        median, spread, cpu, rows, hwm = done.stdout.split()
        print(f"| {name} | {median} {spread} | {cpu} | {int(rows):,} | {hwm} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
