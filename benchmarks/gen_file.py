"""Write an N-entry JSONL file shaped like `logview export` output, for the viewer benchmarks.

Usage:
    python benchmarks/gen_file.py --shape supermetrics -n 1000000 -o /tmp/sm-1m.jsonl [--seed 7]
    python benchmarks/gen_file.py --shape aitronos -n 1000000 -o /tmp/ait-1m.jsonl

One compact JSON object per line (orjson), newest first, exactly as `export` writes entries
(field order as the API sends them). Entries come from the demo server's generators
(`logview.demo.data`), so they have the same realistic mix: Supermetrics runs that share one
second (tie groups), mostly-2xx statuses with 4xx/5xx sprinkled in, non-HTTP events with null
status/request, uuid request ids; Aitronos tool executions with nested inputs/outputs, errors and
metadata. Supermetrics lines average ~215 bytes (1M ≈ 215 MB); Aitronos lines ~600 bytes.

Markers for the screen-scraping benchmark (bench_viewer.py):
- the NEWEST entry (first line) has event (Supermetrics) / tool (Aitronos) `bench.newest.marker`;
- the OLDEST entry (last line) has `bench.oldest.marker`.
They are one second newer/older than every other entry, so any viewer that sorts by time still
puts them first/last. The file holds exactly N lines (the markers replace two generated entries).

The output depends only on (shape, n, seed, --now): the same arguments give the same bytes.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import datetime, timezone
from pathlib import Path


from logview.demo.data import aitronos_entry, supermetrics_dataset
from logview.demo.store import SortedLog
from logview.demo.timeutil import dt_to_us, fmt_s

NEWEST_MARKER = "bench.newest.marker"
OLDEST_MARKER = "bench.oldest.marker"
DEFAULT_NOW = "2025-11-15T12:00:00Z"
CHUNK = 20_000  # entries serialised per orjson call (see SortedLog.serialise_many)


def _uuid4(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"


def supermetrics_marker(rng: random.Random, t_us: int, marker: str) -> dict:
    return {"id": f"{t_us // 1_000_000:x}-{rng.getrandbits(40):010x}", "log_time": fmt_s(t_us), "status": 200,
            "event": marker, "request": "GET /bench/" + marker.split(".")[1], "duration_ms": 42,
            "request_id": _uuid4(rng)}


def aitronos_marker(rng: random.Random, t_us: int, marker: str) -> dict:
    entry = dict(aitronos_entry(rng, t_us, status="success"))
    entry["tool"] = marker
    return entry


def supermetrics_entries(rng: random.Random, n: int, now_us: int, span_us: int) -> list[dict]:
    """n entries newest first (ties: id descending, as the demo server pages them)."""
    rows = supermetrics_dataset(rng, max(0, n - 2), now_us - 5_000_000, span_us)
    rows.sort(key=lambda row: (row[0], row[1]["id"]), reverse=True)
    entries = [entry for _, entry in rows]
    if n >= 1:
        newest_t = (rows[0][0] if rows else now_us) + 1_000_000
        entries.insert(0, supermetrics_marker(rng, newest_t, NEWEST_MARKER))
    if n >= 2:
        oldest_t = (rows[-1][0] if rows else now_us) - 1_000_000
        entries.append(supermetrics_marker(rng, oldest_t, OLDEST_MARKER))
    return entries


def aitronos_times(rng: random.Random, n: int, now_us: int, span_us: int) -> list[int]:
    """n millisecond timestamps newest first, the first one second newer and the last one second
    older than all the others (those two get the markers)."""
    rnd = rng.random
    times = [now_us - 2_000_000 - int(rnd() * span_us) for _ in range(max(0, n - 2))]
    times = [t - t % 1000 for t in times]
    times.sort(reverse=True)
    if n >= 1:
        times.insert(0, (times[0] if times else now_us) + 1_000_000)
    if n >= 2:
        times.append(times[-1] - 1_000_000)
    return times


def write_chunks(out, entries: list[dict]) -> int:
    blobs = SortedLog.serialise_many(entries)
    data = b"\n".join(blobs) + b"\n"
    out.write(data)
    return len(data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shape", choices=("supermetrics", "aitronos"), required=True)
    parser.add_argument("-n", type=int, required=True, help="number of entries (lines)")
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--now", default=DEFAULT_NOW, help=f"time of the newest entries (default {DEFAULT_NOW})")
    parser.add_argument("--span-days", type=float, default=30.0, help="time span the entries cover (default 30)")
    args = parser.parse_args(argv)
    if args.n < 0:
        parser.error("-n must be >= 0")

    started = time.perf_counter()
    now_us = dt_to_us(datetime.fromisoformat(args.now.replace("Z", "+00:00")).astimezone(timezone.utc))
    span_us = max(1, int(args.span_days * 86_400_000_000))
    rng = random.Random(f"bench-{args.shape}:{args.seed}")
    written = 0
    with args.output.open("wb") as out:
        if args.shape == "supermetrics":
            entries = supermetrics_entries(rng, args.n, now_us, span_us)
            for start in range(0, len(entries), CHUNK):
                written += write_chunks(out, entries[start:start + CHUNK])
        else:
            times = aitronos_times(rng, args.n, now_us, span_us)
            last = len(times) - 1
            for start in range(0, len(times), CHUNK):
                chunk = []
                for index in range(start, min(start + CHUNK, len(times))):
                    t = times[index]
                    if index == 0:
                        chunk.append(aitronos_marker(rng, t, NEWEST_MARKER))
                    elif index == last:
                        chunk.append(aitronos_marker(rng, t, OLDEST_MARKER))
                    else:
                        chunk.append(aitronos_entry(rng, t))
                written += write_chunks(out, chunk)
    elapsed = time.perf_counter() - started
    per_line = written / args.n if args.n else 0
    print(f"wrote {args.n:,} {args.shape} entries ({written / 2**20:,.1f} MiB, {per_line:.0f} B/line) "
          f"to {args.output} in {elapsed:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
