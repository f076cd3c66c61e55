"""Soak: an hour of live tailing on a compressed clock, with memory that stays flat.

The tail's pauses are skipped (an injected sleep), so 720 five-second cycles run in seconds, each
a real request to the demo server, which gains entries every cycle and fails now and then. The
store behind it is capped, as the viewer's is. Memory is measured with tracemalloc, counting only
the client side (the pager, the store, httpx and friends), not the demo server sharing the process.
It runs in a fresh interpreter: threads other tests left in a pytest worker would be counted too.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

from logview.demo import DemoServer, DemoState
from logview.demo.state import Fault
from logview.api.paging import EntriesLoaded, Pager, TailFailed
from logview.store import EntryStore
from support import supermetrics

CYCLES = 720  # an hour at a 5 s interval
WARM = CYCLES // 3  # tracemalloc (slow) runs for the last two thirds only: by the first sample
# (cycle 2 * WARM) the capped store has turned over, so both samples count a full store
CAP = 500  # reached by cycle 150, before memory is measured (from cycle 480)
CLIENT_SIDE = ("*/logview/*", "*/httpx/*", "*/httpcore/*", "*/anyio/*", "*/tenacity/*", "*/h11/*",
               "*/pydantic/*", "*/msgspec/*")
SERVER_SIDE = "*/logview/demo/*"  # the demo server shares the process; its growth is not the client's


def client_bytes() -> int:
    """Client-side bytes still reachable. Collected first: every httpx response is in a reference
    cycle with its own stream, so until the cyclic collector runs, a varying number of bodies
    (200 KB each here) is garbage still counted — noise of up to 2 MB, not retention."""
    gc.collect()
    snapshot = tracemalloc.take_snapshot()
    kept = snapshot.filter_traces([*(tracemalloc.Filter(True, pattern) for pattern in CLIENT_SIDE),
                                   tracemalloc.Filter(False, SERVER_SIDE)])
    return sum(stat.size for stat in kept.statistics("filename"))


async def soak(fresh_server: DemoServer) -> dict[str, int]:
    state = fresh_server.state
    state.insert_supermetrics(50, same_time=False)
    source, client = supermetrics(fresh_server)
    store = EntryStore(source, max_entries=CAP)

    async def no_sleep(_seconds: float) -> None:
        return None

    cycles = failures = received = 0
    samples: dict[int, int] = {}
    try:
        async with client:
            pager = Pager(source, client, sleep=no_sleep)
            async for event in pager.backfill():
                if isinstance(event, EntriesLoaded):
                    store.append(event.entries)
            async for event in pager.follow(5.0):
                if isinstance(event, TailFailed):
                    failures += 1
                if isinstance(event, (EntriesLoaded, TailFailed)) and getattr(event, "live", True):
                    if isinstance(event, EntriesLoaded) and event.entries:
                        store.prepend(event.entries)
                        received += len(event.entries)
                    cycles += 1
                    if cycles == WARM:
                        tracemalloc.start()
                    if cycles in (2 * WARM, CYCLES):
                        samples[cycles] = client_bytes()
                    if cycles >= CYCLES:
                        break
                    state.insert_supermetrics(3)  # new entries every cycle (a tie group, now)
                    if cycles % 100 == 0:
                        state.add_fault(Fault("status", status=503, count=6))  # a cycle that fails
    finally:
        tracemalloc.stop()
    served = {entry["id"] for entry in state.supermetrics_logs}
    return {"failures": failures, "received": received, "served": len(served), "stored": len(store),
            "growth": samples[CYCLES] - samples[2 * WARM]}


async def main() -> None:
    with DemoServer(DemoState(aitronos_entries=0, supermetrics_entries=0, live_rate=0.0)) as server:
        print(json.dumps(await soak(server)))


def test_an_hour_of_tailing_keeps_memory_flat() -> None:
    here = Path(__file__).parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(here), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, str(Path(__file__))], capture_output=True, text=True, env=env,
                          timeout=300, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["failures"] >= CYCLES // 100 - 1  # the faults happened and the tail went on
    assert result["received"] == result["served"] - 50  # every entry inserted was received exactly once
    assert result["stored"] == CAP
    growth = result["growth"]
    assert growth < 64 * 1024, f"client-side memory grew by {growth:,} bytes over {CYCLES - 2 * WARM} cycles"


if __name__ == "__main__":
    asyncio.run(main())
