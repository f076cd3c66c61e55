"""The viewer within an enforced API budget, and a relaunch from the archive (issue 13's targets).

Usage:
    python benchmarks/bench_budget.py [--entries 3000] [--budget 10/5] [--arrival-s 2] [--interval 2]

Everything runs in this process: the demo server on loopback enforcing `--budget` (requests per
window, Aitronos headers, 429 when over), new entries arriving every `--arrival-s` seconds, and
the whole viewer app headless (`App.run_test`, 160×48) with `--follow` over a fresh archive.

1. Tail during a backfill: the viewer backfills `--entries` entries at 100 a page while it tails.
   Reported: 429s the server served (target 0); for every entry that arrived while the backfill
   was still running, its lag from arrival to being in the viewer's view (target ≤ interval + 1 s);
   the backfill's time against the budget's floor, pages ÷ rate (target ≤ 1.2×), and every
   request the run made (the tail's share of the budget is why the backfill cannot reach it).
2. Relaunch: the viewer opened again on the same archive. Reported: time to every archived entry
   in the view (target ≤ 1 s) and the requests it took (target ≤ 2).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "ui"))

from logview.archive import Archive  # noqa: E402
from logview.demo import DEMO_AITRONOS_KEY, DEMO_ORG, DemoServer, DemoState  # noqa: E402
from logview.model import Filters  # noqa: E402
from logview.options import Connection, ViewerOptions  # noqa: E402
from logview.sources import AitronosSource  # noqa: E402
from logview.ui.app import LogViewApp  # noqa: E402

SIZE = (160, 48)


def log_requests(state: DemoState) -> int:
    return sum("/logs" in path for _, path, _ in state.request_log)


def make_app(server: DemoServer, archive: Archive, interval: float) -> LogViewApp:
    source = AitronosSource(DEMO_ORG, base_url=server.url, page_limit=100)
    options = ViewerOptions(filters=Filters(), connection=Connection(source, DEMO_AITRONOS_KEY, "bench"),
                            follow=True, interval_s=interval, max_entries=1_000_000)
    return LogViewApp(options, archive=archive)


async def tail_during_backfill(server: DemoServer, archive: Archive, args: argparse.Namespace) -> dict:
    state = server.state
    app = make_app(server, archive, args.interval)
    seen: dict[str, float] = {}
    started = time.monotonic()
    backfill_s = None
    during_backfill: list = []
    async with app.run_test(size=SIZE) as pilot:
        arrivals: dict[str, float] = {}
        next_arrival = time.monotonic() + args.arrival_s
        while True:
            now = time.monotonic()
            if now >= next_arrival and (backfill_s is None or now - started < backfill_s + 2 * args.interval):
                for entry in state.insert_aitronos(1):
                    arrivals[entry["id"]] = now
                next_arrival += args.arrival_s
            session = app.viewer.session
            store = session.store
            if arrivals:
                ids = {e.id for e in store.entries(app.viewer.view.index[:50])}
                for entry_id in arrivals:
                    if entry_id not in seen and entry_id in ids:
                        seen[entry_id] = now
            if backfill_s is None and session.phase == "complete" and not app.viewer.feed.backfilling:
                backfill_s = now - started
                during_backfill = state.request_log
            if backfill_s is not None and all(i in seen for i in arrivals) and now - started > backfill_s + 1:
                break
            if now - started > 600:
                break
            await pilot.pause(0.05)
    during = [seen[i] - t for i, t in arrivals.items() if i in seen and t - started < (backfill_s or 1e9)]
    served = state.served("aitronos")
    window, per = args.window_s, args.requests
    pages = -(-args.entries // 100)
    polls = sum("start_date=" in path for _, path, _ in during_backfill)
    return {
        "429s served": served.throttled,
        "requests": served.requests,
        "arrivals during backfill": len(during),
        "lag mean s": statistics.mean(during) if during else float("nan"),
        "lag max s": max(during) if during else float("nan"),
        "missed": len([i for i in arrivals if i not in seen]),
        "backfill s": backfill_s,
        "floor (pages ÷ rate) s": pages * window / per,
        "pages": pages,
        "tail polls during the backfill": polls,
        "floor with them s": (pages + polls) * window / per,
    }


async def relaunch(server: DemoServer, archive: Archive, args: argparse.Namespace, expected: int) -> dict:
    before = log_requests(server.state)
    app = make_app(server, archive, args.interval)
    started = time.monotonic()
    shown_s = None
    async with app.run_test(size=SIZE) as pilot:
        while time.monotonic() - started < 30:
            if len(app.viewer.view) >= expected:
                shown_s = time.monotonic() - started
                break
            await pilot.pause(0.01)
        requests_at_shown = log_requests(server.state) - before
        await pilot.pause(1.0)
    return {"all archived entries shown s": shown_s, "requests when shown": requests_at_shown,
            "requests in the first second after": log_requests(server.state) - before}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=3000)
    parser.add_argument("--budget", default="10/5")
    parser.add_argument("--arrival-s", type=float, default=2.0)
    parser.add_argument("--interval", type=float, default=2.0)
    args = parser.parse_args()
    requests, window = args.budget.split("/")
    args.requests, args.window_s = int(requests), float(window)
    state = DemoState(aitronos_entries=args.entries, supermetrics_entries=0, live_rate=0.0, seed=13,
                      budget={"aitronos": args.budget})
    with tempfile.TemporaryDirectory() as folder, DemoServer(state) as server:
        with Archive.open(Path(folder) / "archive.sqlite3") as archive:
            first = await tail_during_backfill(server, archive, args)
            total_requests = first["requests"]
            print("1. tail during a backfill")
            for name, value in first.items():
                if value is not None:
                    print(f"   {name:32} {value:.2f}" if isinstance(value, float) else f"   {name:32} {value}")
            if first["backfill s"]:
                ratio = first["backfill s"] / first["floor (pages ÷ rate) s"]
                print(f"   backfill / floor                 {ratio:.2f}×  (target ≤ 1.2×)")
                ratio = first["backfill s"] / first["floor with them s"]
                print(f"   backfill / floor with the polls  {ratio:.2f}×")
            print(f"   every request of the run: {total_requests} (tail, listings and backfill)")
            expected = len(state.aitronos_logs)
            second = await relaunch(server, archive, args, expected)
            print("2. relaunch from the archive")
            for name, value in second.items():
                print(f"   {name:32} {value:.2f}" if isinstance(value, float) else f"   {name:32} {value}")


if __name__ == "__main__":
    asyncio.run(main())
