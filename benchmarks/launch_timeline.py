"""One `logview --file` launch accounted for: what each process and thread does, when, and its CPU.

Usage:
    python benchmarks/launch_timeline.py FILE [--src DIR] [--runs 1] [--no-end-key] [--keep DIR]

Runs logview (this checkout's, or DIR/src's) on FILE in a private tmux 160x48, as `bench_viewer.py`
does (first rows, the end key every 100 ms until the oldest entry shows, then the file's final
failure count on screen), with `timeline_hook/` on PYTHONPATH and LOGVIEW_TIMELINE set: the hook
logs the launch's events in each process with the thread's CPU (see its docstring). Meanwhile every
thread of the process tree is sampled from /proc every 10 ms. Prints per launch:
- the timeline: the fork, the child's index and end, the reader's start, the meeting with the child,
  `Finished`, each with the time since the hook's start and the thread's CPU then;
- each thread's CPU at the final count (the child's too), and what the UI thread did after its
  first frame (frames, layouts, the feed's handlers, each widget's renders);
- the CPU each thread used in each 0.1 s (from /proc, in ticks of 10 ms): which core idled when.

The hook's wrappers cost a little of each call they time (a few µs); compare launches taken with it.
"""

from __future__ import annotations

import argparse
import collections
import glob
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import bench_viewer as bench

HERE = Path(__file__).resolve().parent
CACHE = Path(tempfile.gettempdir()) / f"logview-timeline-cache-{os.getuid()}"  # (the styles kept, as a user's)
KEY_EVENTS = ("child.forked", "child.write_index", "reader.begin", "reader.wait_first_paint", "ui.lines_found",
              "viewer.wait_child", "reader.read_columns", "ui.finished", "threads_at_finished", "child.end")


def thread_ticks(pid: int) -> dict[int, int]:
    ticks = {}
    for stat in glob.glob(f"/proc/{pid}/task/*/stat"):
        try:
            raw = Path(stat).read_text()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2:].split()
        ticks[int(stat.split("/")[4])] = int(fields[11]) + int(fields[12])
    return ticks


def launch(file: Path, src: Path, log: Path, end_key: bool) -> tuple[dict[str, float | None], list]:
    option, count = bench.failures_in(file)
    exact, needles = bench.exact_count_shown(option, count), bench.needles_for(file)
    tmux = bench.Tmux()
    home = Path(tempfile.mkdtemp(prefix="timeline-home-"))
    env = {"HOME": str(home), "XDG_CACHE_HOME": str(CACHE),
           "COLORTERM": "truecolor", "LANG": "C.UTF-8", "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    code = "import sys; sys.argv[0] = 'logview'; from logview.cli import main; sys.exit(main())"
    argv = ["/usr/bin/env", f"PYTHONPATH={HERE / 'timeline_hook'}:{src}", f"LOGVIEW_TIMELINE={log}",
            sys.executable, "-c", code, "--file", str(file)]
    name = f"timeline-{os.getpid()}"
    started = time.perf_counter()
    tmux.new_session(name, argv, env)
    pid, _ = tmux.pane(name)
    seen: dict[str, float | None] = {"first rows": None, "oldest": None, "exact": None, "tree CPU": None}
    samples, next_key = [], 0.0
    try:
        while time.perf_counter() - started < 60 and seen["exact"] is None:
            now = time.perf_counter() - started
            samples.append((now, {p: thread_ticks(p) for p in bench.process_tree(pid)}))
            screen = tmux.capture(name)
            if seen["first rows"] is None and bench.visible(screen, needles.first):
                seen["first rows"] = now
            if seen["first rows"] is not None and seen["oldest"] is None and bench.visible(screen, needles.oldest):
                seen["oldest"] = now
            if seen["first rows"] is not None and exact(screen):
                seen["exact"], seen["tree CPU"] = now, bench.cpu_seconds(pid)
            elif end_key and seen["first rows"] is not None and seen["oldest"] is None \
                    and time.perf_counter() >= next_key:
                tmux.send(name, "G")
                next_key = time.perf_counter() + 0.1
            time.sleep(0.01)
        time.sleep(0.2)
        samples.append((time.perf_counter() - started, {p: thread_ticks(p) for p in bench.process_tree(pid)}))
    finally:
        tmux.send(name, "q")
        time.sleep(0.3)
        tmux.kill_session(name)
        tmux.close()
    return seen, samples


def report(log: Path, seen: dict[str, float | None], samples: list) -> None:
    events = [(line.split(" ", 6) + [""] * 7)[:7] for line in log.read_text().splitlines()]
    start = float(events[0][0])
    print("  terminal: " + ", ".join(f"{k} {v:.2f}" if v is not None else f"{k} -" for k, v in seen.items()))
    first_frame, finished = None, None
    ui = collections.defaultdict(lambda: [0, 0.0])
    segments = collections.Counter()
    for at, pid, _tid, thread, cpu, what, extra in events:
        if what == "ui.display" and first_frame is None:
            first_frame = float(cpu)
            print(f"  {float(at) - start:6.3f}  {thread:10} cpu {float(cpu):.3f}  first frame written")
        if what in KEY_EVENTS:
            print(f"  {float(at) - start:6.3f}  {thread:10} cpu {float(cpu):.3f}  {what} {extra[:110]}")
        if what == "threads_at_finished":
            finished = float(cpu)
        if what in ("child.write_segment", "read_chunk", "viewer.child_segment_mapped"):
            segments[what] += 1
        spent = re.search(r"cpu_ms=([\d.]+)", extra)
        if first_frame is not None and finished is None and thread == "MainThread" and what.startswith("ui.") and spent:
            ui[what][0] += 1
            ui[what][1] += float(spent.group(1))
        if what == "ui.renders_while_reading":
            print(f"  renders while reading: {extra[:400]}")
    print(f"  segments: the child wrote {segments['child.write_segment']}, the viewer read "
          f"{segments['read_chunk']} and mapped {segments['viewer.child_segment_mapped']} of the child's")
    if first_frame is not None and finished is not None:
        print(f"  UI thread: {first_frame:.3f} s to its first frame, {finished - first_frame:.3f} s from there to Finished:")
        for what, (n, ms) in sorted(ui.items(), key=lambda item: -item[1][1]):
            print(f"    {what:22} {n:3} calls {ms:7.1f} ms")
    buckets: dict[tuple[int, int], dict[int, int]] = collections.defaultdict(dict)
    last: dict[tuple[int, int], int] = {}
    for at, tree in samples:
        for pid, threads in tree.items():
            for tid, ticks in threads.items():
                key = (pid, tid)
                used = ticks - last.get(key, 0)
                last[key] = ticks
                if used:
                    slot = buckets[key]
                    slot[int(at * 10)] = slot.get(int(at * 10), 0) + used
    print("  CPU ticks (10 ms) per 0.1 s, per thread (pid/tid: total):")
    for (pid, tid), slot in sorted(buckets.items(), key=lambda item: min(item[1])):
        line = " ".join(f"{slot.get(i, 0):d}" for i in range(min(slot), max(slot) + 1))
        print(f"    {pid}/{tid}: {sum(slot.values()) / 100:.2f} s from {min(slot) / 10:.1f} s: {line}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--src", type=Path, default=HERE.parent / "src", help="the logview to run (a src/ folder)")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--no-end-key", action="store_true", help="do not press G (no oldest entry sought)")
    parser.add_argument("--keep", type=Path, help="keep each launch's event log in this folder")
    args = parser.parse_args()
    bench.compiled(args.src)
    bench.compiled(HERE / "timeline_hook")
    for run in range(args.runs):
        folder = args.keep or Path(tempfile.mkdtemp(prefix="timeline-"))
        folder.mkdir(parents=True, exist_ok=True)
        log = folder / f"launch-{run + 1}.log"
        log.unlink(missing_ok=True)
        print(f"launch {run + 1} ({os.getloadavg()[0]:.1f} load), events in {log}")
        seen, samples = launch(args.file, args.src.resolve(), log, not args.no_end_key)
        report(log, seen, samples)
    return 0


if __name__ == "__main__":
    sys.exit(main())
