"""What the viewer's process would save if a backfill's HTTP exchange ran in a worker process:
the main process's CPU for 100 pages of 1,000 Supermetrics entries from a loopback demo server,
three ways, in fresh processes taking turns, with no Textual (the UI's share is measured by
`bench_ingest.py`; this is the fetching's alone).

Usage:
    python benchmarks/bench_fetch_offload.py [-n 100000] [--rounds 5]

- inline: httpx + `SupermetricsSource.parse_page` in the one process, as the viewer does now;
- bytes: a forked worker does the HTTP exchange with its own httpx client and writes each body
  to a pipe; the main process reads it with asyncio and parses it (no httpx in the main process);
- transport: the same worker behind an `httpx.AsyncBaseTransport`, so the main process still goes
  through httpx's client (requests, headers, responses built) and only the connection moves out:
  the seam `ApiClient` offers today (its `transport=`).

Every way pages with the same naive `before` cursor; the main process's CPU is what the viewer's
UI thread would have to spend, the wall clock what one load takes (the worker and the server on
the other core).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import pickle
import statistics
import struct
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_ingest import PAGE, start_server  # noqa: E402

WAYS = ("inline", "bytes", "transport")


def _logs_path() -> tuple[str, dict[str, str]]:
    from logview.demo import DEMO_CONNECTOR, DEMO_SUPERMETRICS_KEY, DEMO_TEAM

    return (f"/v1/teams/{DEMO_TEAM}/connector_builder/connectors/{DEMO_CONNECTOR}/logs",
            {"Authorization": f"Bearer {DEMO_SUPERMETRICS_KEY}"})


def _oldest_time(body: bytes) -> str:
    """The last entry's `log_time` (the demo's pages are newest first): the next page's cursor."""
    at = body.rfind(b'"log_time":"') + len(b'"log_time":"')
    return body[at:body.index(b'"', at)].decode()


async def _page_through(url: str, n: int, get: Callable[[str, dict[str, str]], Awaitable[bytes]],
                        on_body: Callable[[bytes], None]) -> None:
    path, _ = _logs_path()
    before: str | None = None
    for _ in range(0, n, PAGE):
        body = await get(path, {"limit": str(PAGE), **({"before": before} if before else {})})
        on_body(body)
        before = _oldest_time(body)


async def _read_frames(fd: int) -> asyncio.StreamReader:
    reader = asyncio.StreamReader(limit=1 << 26)
    loop = asyncio.get_running_loop()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(fd, "rb", buffering=0))
    return reader


def _serve(url: str, requests_fd: int, answers_fd: int) -> None:
    """The worker: each request read from the pipe sent with its own httpx client, each answer's
    status, headers and body written back."""
    import httpx

    async def serve() -> None:
        reader = await _read_frames(requests_fd)
        out = os.fdopen(answers_fd, "wb", buffering=0)
        async with httpx.AsyncClient(base_url=url) as client:
            while True:
                try:
                    (size,) = struct.unpack("<I", await reader.readexactly(4))
                except asyncio.IncompleteReadError:
                    return
                ident, path, params, headers = pickle.loads(await reader.readexactly(size))
                response = await client.get(path, params=params or None, headers=headers)  # (None: the path's own query)
                head = pickle.dumps((ident, response.status_code, response.headers.raw), 5)
                out.write(struct.pack("<II", len(head), len(response.content)) + head + response.content)

    asyncio.run(serve())


class _Worker:
    """A forked worker and the two pipes to it; `get` asks it for one page."""

    def __init__(self, url: str) -> None:
        requests_read, self._requests = os.pipe()
        self._answers, answers_write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            os.close(self._requests)
            os.close(self._answers)
            _serve(url, requests_read, answers_write)
            os._exit(0)
        os.close(requests_read)
        os.close(answers_write)
        self._out = os.fdopen(self._requests, "wb", buffering=0)
        self._reader: asyncio.StreamReader | None = None
        self._asked = 0

    async def get(self, path: str, params: dict[str, str], headers: object = ()) -> tuple[int, list, bytes]:
        if self._reader is None:
            self._reader = await _read_frames(self._answers)
        self._asked += 1
        message = pickle.dumps((self._asked, path, params, headers), 5)
        self._out.write(struct.pack("<I", len(message)) + message)
        head_size, body_size = struct.unpack("<II", await self._reader.readexactly(8))
        _, status, raw_headers = pickle.loads(await self._reader.readexactly(head_size))
        return status, raw_headers, await self._reader.readexactly(body_size)

    def close(self) -> None:
        self._out.close()
        os.waitpid(self.pid, 0)


def run_way(way: str, url: str, n: int) -> dict:
    from logview.demo import DEMO_CONNECTOR, DEMO_TEAM
    from logview.sources import SupermetricsSource

    source = SupermetricsSource(DEMO_TEAM, DEMO_CONNECTOR, base_url=url)
    _, auth = _logs_path()
    parsed = [0]

    def parse(body: bytes) -> None:
        parsed[0] += len(source.parse_page(body).entries)

    import httpx  # noqa: F401 - before the clock: the viewer's import of it (~55 ms at its first request) is not the question here

    cpu, wall = time.process_time(), time.perf_counter()
    worker = _Worker(url) if way != "inline" else None

    async def load() -> None:
        if way == "bytes":
            assert worker is not None

            async def get_bytes(path: str, params: dict[str, str]) -> bytes:
                return (await worker.get(path, params, auth))[2]

            await _page_through(url, n, get_bytes, parse)
            return
        import httpx

        transport = None
        if worker is not None:
            class WorkerTransport(httpx.AsyncBaseTransport):
                async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
                    status, headers, body = await worker.get(request.url.raw_path.decode(), {}, request.headers.raw)
                    return httpx.Response(status, headers=headers, content=body, request=request)

            transport = WorkerTransport()
        async with httpx.AsyncClient(base_url=url, headers=auth, transport=transport) as client:
            async def get(path: str, params: dict[str, str]) -> bytes:
                return (await client.get(path, params=params)).content

            await _page_through(url, n, get, parse)

    asyncio.run(load())
    if worker is not None:
        worker.close()
    return {"cpu_s": time.process_time() - cpu, "seconds": time.perf_counter() - wall, "entries": parsed[0]}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        print(json.dumps(run_way(argv[1], argv[2], int(argv[3]))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    server, url = start_server(args.n)
    results: dict[str, list[dict]] = {way: [] for way in WAYS}
    try:
        for round_ in range(args.rounds):
            order = WAYS[round_ % len(WAYS):] + WAYS[:round_ % len(WAYS)]  # (each way first in turn)
            for way in order:
                done = subprocess.run([sys.executable, __file__, "--child", way, url, str(args.n)],
                                      check=True, capture_output=True, text=True)
                results[way].append(json.loads(done.stdout.strip().splitlines()[-1]))
            print(f"  round {round_ + 1}: " + ", ".join(f"{way} {results[way][-1]['cpu_s']:.3f} s CPU" for way in order)
                  + f" (load {os.getloadavg()[0]:.1f})", file=sys.stderr)
    finally:
        server.terminate()
        server.wait()
    print(f"\nmain process per {args.n:,} entries, median (min-max) of {args.rounds} rounds:")
    print("| way | main CPU s | wall s | entries |\n|---|---:|---:|---:|")
    for way, runs in results.items():
        cpu = [run["cpu_s"] for run in runs]
        wall = [run["seconds"] for run in runs]
        print(f"| {way} | {statistics.median(cpu):.3f} ({min(cpu):.3f}–{max(cpu):.3f}) "
              f"| {statistics.median(wall):.2f} ({min(wall):.2f}–{max(wall):.2f}) | {runs[0]['entries']:,} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
