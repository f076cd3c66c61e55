"""Several logviews on one API key: the 429s they meet and the share of the budget they use.

Usage:
    python benchmarks/bench_shared_key.py [--viewers 2] [--budget 10/5] [--interval 2] [--seconds 60]

Each "viewer" is what one logview process has: its own `Budget` (budgets are per process), a
client, and a pager that backfills 3,000 Aitronos entries (100 a page) while it tails every
`--interval` seconds, started a second apart. The demo server on loopback enforces `--budget` for
the key (Aitronos headers, 429 when over) and gains an entry every 2 s. After `--seconds`, it
reports the requests the server accepted and refused (target 0), the accepted against what the
budget allowed in the time (limit × seconds ÷ window), and when each backfill ended.

Run it on an older checkout too (`PYTHONPATH=that/src`) to compare, in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from logview.api.budget import Budget  # noqa: E402
from logview.api.client import ApiClient  # noqa: E402
from logview.api.paging import EntriesLoaded, Pager  # noqa: E402
from logview.demo import DEMO_AITRONOS_KEY, DEMO_ORG, DemoServer, DemoState  # noqa: E402
from logview.sources import AitronosSource  # noqa: E402
from support import FAST_RETRIES  # noqa: E402


async def viewer(server: DemoServer, interval_s: float, seconds: float, done: dict[int, float], index: int) -> None:
    await asyncio.sleep(index * 1.0)
    started = time.monotonic()
    source = AitronosSource(DEMO_ORG, base_url=server.url, page_limit=100)
    async with ApiClient(source.base_url, source.auth_headers(DEMO_AITRONOS_KEY), policy=FAST_RETRIES,
                         budget=Budget("aitronos", host=f"process {index}")) as client:
        pager = Pager(source, client)

        async def load() -> None:
            async for event in pager.backfill():
                if isinstance(event, EntriesLoaded):
                    pass
            done[index] = time.monotonic() - started

        async def tail() -> None:
            async for _ in pager.follow(interval_s):
                pass

        tasks = [asyncio.ensure_future(load()), asyncio.ensure_future(tail())]
        await asyncio.sleep(seconds - index * 1.0)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def arrivals(server: DemoServer, seconds: float) -> None:
    for _ in range(int(seconds / 2)):
        server.state.insert_aitronos(1)
        await asyncio.sleep(2.0)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--viewers", type=int, default=2)
    parser.add_argument("--budget", default="10/5")
    parser.add_argument("--interval", type=float, default=2.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    limit, window_s = (float(part) for part in args.budget.split("/"))
    done: dict[int, float] = {}
    with DemoServer(DemoState(aitronos_entries=3000, supermetrics_entries=0, live_rate=0.0,
                              budget={"aitronos": args.budget})) as server:
        await asyncio.gather(arrivals(server, args.seconds),
                             *(viewer(server, args.interval, args.seconds, done, i) for i in range(args.viewers)))
        served = server.state.served("aitronos")
    allowed = limit * args.seconds / window_s
    print(f"{args.viewers} viewer(s), budget {args.budget}, tail every {args.interval:g} s, {args.seconds:g} s:")
    accepted = served.requests - served.throttled
    print(f"  requests accepted {accepted} ({accepted / allowed:.0%} of the {allowed:.0f} allowed), "
          f"429s {served.throttled}")
    for index in range(args.viewers):
        print(f"  viewer {index}: backfill " + (f"done in {done[index]:.1f} s" if index in done else "not done"))


if __name__ == "__main__":
    asyncio.run(main())
