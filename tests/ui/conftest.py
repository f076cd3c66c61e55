"""Fixtures for the viewer's Pilot and snapshot tests: real demo servers on loopback, a fixed
clock and time zone so what is rendered is the same on every machine."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from logview.demo import DemoServer, DemoState
from logview.ui.file_reading import FileReading
from ui_helpers import FIXED_NOW


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The table shows local time: pin the zone so rendered times are deterministic."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServer]:
    """A quiet, fixed dataset shared by a module's tests (they must not insert into it)."""
    state = DemoState(aitronos_entries=600, supermetrics_entries=3000, live_rate=0.0, now=FIXED_NOW, seed=11)
    with DemoServer(state) as server:
        yield server


@pytest.fixture
def fresh_demo() -> Iterator[DemoServer]:
    """A small server of its own, for tests that insert entries or script faults."""
    state = DemoState(aitronos_entries=120, supermetrics_entries=300, live_rate=0.0, now=FIXED_NOW, seed=5)
    with DemoServer(state) as server:
        yield server


@pytest.fixture(autouse=True)
def no_local_clipboard(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """`y` must not overwrite the clipboard of the machine running the tests: no local clipboard
    command is tried (the clipboard tests put their own fake one on PATH and opt back in)."""
    if "uses_clipboard_commands" not in request.keywords:
        from logview.ui import clipboard

        monkeypatch.setattr(clipboard, "CLIPBOARD_COMMANDS", ())


@pytest.fixture
def held_reading(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """The field reading waits until the event is set (the lines are found as usual)."""
    release = threading.Event()
    original = FileReading._read_columns

    def held(self, worker, pause):
        release.wait(30)
        return original(self, worker, pause)

    monkeypatch.setattr(FileReading, "_read_columns", held)
    yield release
    release.set()
