"""Shared fixtures: a real demo server on loopback, empty or populated."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import pytest

from logview.api.budgets import forget_budgets
from logview.demo import DemoServer, DemoState


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto` (the README's command): two workers a core this process may use, at most 16. The
    suite waits about half its time (answers a demo server holds, budget windows, tails' intervals,
    Pilot pauses): its CPU is ~850 s whatever the workers, about one core's worth of its wall at one a
    core. In the 28th session, back to back on 2 cores: 9:46 at -n 4 (load 3.5-4.3) against 15:55 at
    -n 2 (load 4.3-1.6), CPU 840 s against 859. Its timing-bound tests wait for settled states (the
    names' budget test reads the windows the server counted, not the log's order): green three runs
    in a row at -n 4, once with a core kept busy by another process (16:15) and once at load 7-8 (21:48).
    29th session, fresh clones: 9:18 at load ~3 (3,097 tests); 24:32 at load ~9 beside four other sessions' suites,
    where three failed: a product bug the hypothesis suite found, and two tests that compared a frame drawn late
    (fixed to read what the widgets say, and the toasts as said)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return min(2 * cores, 16)


@pytest.fixture(autouse=True)
def own_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Saved filters and column choices go to a folder of each test's own, never the user's (and
    the styles a launch keeps, to a cache folder of its own)."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("data")))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture(autouse=True)
def interruptible() -> None:
    """Ctrl-C reaches the processes a test starts, however the suite was launched: a shell runs a
    background job with SIGINT ignored, the workers inherit that, and so would every logview a
    test starts and then interrupts (it would never stop)."""
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, []):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGINT])


@pytest.fixture(autouse=True)
def fresh_budgets() -> Iterator[None]:
    """Every test starts with no request budget learned: a server that reuses an earlier test's
    port must not inherit its pace or a 429's block."""
    forget_budgets()
    yield
    forget_budgets()


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
