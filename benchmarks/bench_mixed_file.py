"""Opening a mixed file (the merged tab's envelopes) in the viewer: time to every row and peak RSS.

Usage:
    python benchmarks/bench_mixed_file.py [-n 1000000] [--runs 2] [--baseline DIR] [--file PATH]

Makes (once, in the temp folder) a mixed file of N envelopes, half Aitronos and half Supermetrics
(`gen_file.py`'s entries, two sources alternating), unless `--file` names one. Each run starts a
fresh process: `LogViewApp` headless at 160x48 on the file, timed from the app's start until
every row is in the merged view, with the process's peak RSS (VmHWM). `--baseline DIR`: the same
with another checkout's `DIR/src` first on the path (e.g. `git archive HEAD~1 src styles | tar -x
-C DIR`), the two taking turns, for a before/after in the same run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

CHILD = r"""
import asyncio, json, sys, time
from pathlib import Path
from logview.files.jsonl import detect_kind, source_for_kind
from logview.model import Filters
from logview.options import ViewerOptions
from logview.ui.app import LogViewApp

def peak_mib():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024

async def main(path, expected):
    kind = detect_kind(path)
    app = LogViewApp(ViewerOptions(filters=Filters(), file=path, file_source=kind, max_entries=None),
                     source=source_for_kind(kind), file_kind=kind)
    start = time.perf_counter()
    async with app.run_test(size=(160, 48)) as pilot:
        while len(app.viewer.view) < expected:
            await pilot.pause(0.02)
        print(json.dumps({"s": time.perf_counter() - start, "rows": len(app.viewer.view), "rss": peak_mib()}))

asyncio.run(main(Path(sys.argv[1]), int(sys.argv[2])))
"""


def make_file(path: Path, count: int) -> None:
    """`count` envelopes, the two APIs' entries alternating (each source newest first)."""
    halves = {}
    for shape in ("aitronos", "supermetrics"):
        plain = path.with_name(f"{shape}-{count // 2}.jsonl")
        subprocess.run([sys.executable, str(HERE / "gen_file.py"), "--shape", shape, "-n", str(count // 2),
                        "-o", str(plain)], check=True, stdout=subprocess.DEVNULL)
        halves[shape] = plain
    with path.open("wb") as out, halves["aitronos"].open("rb") as ait, halves["supermetrics"].open("rb") as sm:
        for a, s in zip(ait, sm):
            out.write(b'{"source":"prod","api":"aitronos","entry":' + a.rstrip(b"\n") + b"}\n")
            out.write(b'{"source":"builder","api":"supermetrics","entry":' + s.rstrip(b"\n") + b"}\n")


def run(path: Path, expected: int, src: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(src))
    done = subprocess.run([sys.executable, "-c", CHILD, str(path), str(expected)], env=env, check=True,
                          capture_output=True, text=True, cwd=src.parent, timeout=600)
    import json
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--baseline", type=Path)
    parser.add_argument("--file", type=Path)
    args = parser.parse_args()
    path = args.file or Path(tempfile.gettempdir()) / f"logview-mixed-{args.n}.jsonl"
    if args.file is None and not path.exists():
        make_file(path, args.n)
    expected = sum(1 for line in path.open("rb") if line.strip())
    trees = {"logview": ROOT / "src"}
    if args.baseline is not None:
        trees["baseline"] = args.baseline.resolve() / "src"
    results: dict[str, list[dict]] = {name: [] for name in trees}
    for index in range(args.runs):
        order = list(trees) if index % 2 == 0 else list(reversed(trees))
        for name in order:
            found = run(path, expected, trees[name])
            results[name].append(found)
            print(f"  run {index + 1}: {name:9} {found['s']:6.2f} s  {found['rss']:6.0f} MiB  {found['rows']:,} rows")
    size = path.stat().st_size / 2**20
    print(f"\nA mixed file of {expected:,} envelopes ({size:,.0f} MiB), headless 160x48, median of {args.runs}")
    print(f"{'':10} {'to every row s':>15} {'peak RSS MiB':>13}")
    for name, found in results.items():
        print(f"{name:10} {statistics.median(r['s'] for r in found):15.2f} {statistics.median(r['rss'] for r in found):13.0f}")


if __name__ == "__main__":
    main()
