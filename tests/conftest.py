"""Shared fixtures: a real demo server on loopback, and sources/clients pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from logview.demo import (DEMO_AITRONOS_KEY, DEMO_CONNECTOR, DEMO_ORG, DEMO_SUPERMETRICS_KEY, DEMO_TEAM,
                          DemoServer, DemoState)
from logview.http import ApiClient, RetryPolicy
from logview.sources import AitronosSource, SupermetricsSource

# Retries in tests wait milliseconds, not seconds; Retry-After values are still honoured.
FAST_RETRIES = RetryPolicy(max_retries=5, initial_backoff_s=0.01, max_backoff_s=0.05)


@pytest.fixture
def fresh_server() -> Iterator[DemoServer]:
    """An empty, quiet server each test can fill exactly as it needs."""
    with DemoServer(DemoState(aitronos_entries=0, supermetrics_entries=0, live_rate=0.0)) as server:
        yield server


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    """A populated, quiet server shared by a module's read-only tests."""
    with DemoServer(DemoState(aitronos_entries=1500, supermetrics_entries=4000, live_rate=0.0)) as server:
        yield server


def aitronos(server: DemoServer, page_limit: int | None = None) -> tuple[AitronosSource, ApiClient]:
    source = AitronosSource(DEMO_ORG, base_url=server.url, page_limit=page_limit)
    return source, ApiClient(source.base_url, source.auth_headers(DEMO_AITRONOS_KEY), policy=FAST_RETRIES)


def supermetrics(server: DemoServer, page_limit: int | None = None) -> tuple[SupermetricsSource, ApiClient]:
    source = SupermetricsSource(DEMO_TEAM, DEMO_CONNECTOR, base_url=server.url, page_limit=page_limit)
    return source, ApiClient(source.base_url, source.auth_headers(DEMO_SUPERMETRICS_KEY), policy=FAST_RETRIES)
