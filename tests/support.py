"""Helpers shared by the test modules (imported by name: `conftest` is ambiguous with tests/ui/)."""

from __future__ import annotations

import os
import select

from logview.demo import DEMO_AITRONOS_KEY, DEMO_CONNECTOR, DEMO_ORG, DEMO_SUPERMETRICS_KEY, DEMO_TEAM, DemoServer
from logview.api.client import ApiClient, RetryPolicy
from logview.sources import AitronosSource, SupermetricsSource

# Retries in tests wait milliseconds, not seconds; Retry-After values are still honoured.
FAST_RETRIES = RetryPolicy(max_retries=5, initial_backoff_s=0.01, max_backoff_s=0.05)


def aitronos(server: DemoServer, page_limit: int | None = None) -> tuple[AitronosSource, ApiClient]:
    source = AitronosSource(DEMO_ORG, base_url=server.url, page_limit=page_limit)
    return source, ApiClient(source.base_url, source.auth_headers(DEMO_AITRONOS_KEY), policy=FAST_RETRIES)


def supermetrics(server: DemoServer, page_limit: int | None = None) -> tuple[SupermetricsSource, ApiClient]:
    source = SupermetricsSource(DEMO_TEAM, DEMO_CONNECTOR, base_url=server.url, page_limit=page_limit)
    return source, ApiClient(source.base_url, source.auth_headers(DEMO_SUPERMETRICS_KEY), policy=FAST_RETRIES)

# `logview` run as `python -c FAST_BACKOFF ARGS...`: its retries back off in milliseconds (Retry-After
# is still honoured as sent); the CLI's own 0.5 s doubling to 8 s slept ~15 s through five retries.
FAST_BACKOFF = ("import sys, functools, logview.cli.export as export; "
                "export.RetryPolicy = functools.partial(export.RetryPolicy, initial_backoff_s=0.01, max_backoff_s=0.05); "
                "from logview.cli import main; sys.exit(main(sys.argv[1:]))")


def readable(fd: int, timeout_s: float) -> bool:
    """Whether `fd` has something to read (or its writers are gone) within `timeout_s`. By poll, not
    select: select refuses a descriptor numbered 1024 or more, which a worker late in a run reaches
    (a CI run's pty leader was descriptor 5958: four terminal tests failed with ValueError)."""
    waiting = select.poll()
    waiting.register(fd, select.POLLIN)
    return bool(waiting.poll(timeout_s * 1000))


def drained(leader: int) -> bytes:
    """What a pseudo-terminal's writers (ended: wait for them first) left for its leader to read."""
    said = b""
    while readable(leader, 0.2):
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # (EIO: its last writer closed it)
            break
        if not chunk:
            break
        said += chunk
    return said
