"""How long `logview export` takes for N demo entries, against a bare httpx loop over the same pages.

Usage: python benchmarks/bench_export.py [N]   (default 100000)

Starts a quiet demo server in this process, then times the real CLI in a subprocess (what a user
runs, imports included) and an in-process bare loop that only fetches and splits the pages.
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


def main() -> None:
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
