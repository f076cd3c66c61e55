"""A load whose archive writer stops (or is starved) stands still once the backlog is full: the
status line says the archive is behind, at every width it supports, not a bare "loading page N"
(s20 #4); a writer that dies lets the load go on without the archive, said once."""

from __future__ import annotations

import os
import re
import signal
from collections.abc import Iterator

import pytest

from logview.archive import Archive
from logview.archive import writer as writer_module
from logview.demo import DemoServer, DemoState
from test_ui_archive_catching_up import app_on, stopped_writer  # noqa: F401 (a fixture)
from ui_helpers import SIZE, screen_text, settle, wait_until

ENTRIES = 12_000
BEHIND = r"archive writer behind \(\d+ KiB waiting\)"  # (the backlog, and the page that went over it)


@pytest.fixture
def server() -> Iterator[DemoServer]:
    with DemoServer(DemoState(aitronos_entries=0, supermetrics_entries=ENTRIES, live_rate=0.0, seed=43)) as server:
        yield server


@pytest.fixture
def small_backlog(monkeypatch) -> None:
    """A backlog of 256 KiB (a few thousand of the demo's entries) that the load waits on, said after 0.3 s."""
    monkeypatch.setattr(writer_module, "BACKLOG_BYTES", 256 << 10)
    monkeypatch.setattr(writer_module, "BEHIND_AFTER_S", 0.3)


def status_line(app) -> str:
    app.viewer.refresh_status()
    return screen_text(app).splitlines()[0]


def behind(app) -> bool:
    return "archive" in status_line(app) and app.viewer.session.phase == "loading"


@pytest.mark.parametrize(("size", "said"), [
    (SIZE, rf"◌ loading page \d+ · [\d,]+ so far · {BEHIND} …"),
    ((120, 30), r"◌ loading page \d+ · [\d,]+ so far · archive behind …"),
    ((100, 30), r"◌ (loading page \d+ · [\d,]+ so far|page \d+) · archive behind …"),  # (as the counts' lengths allow)
    ((80, 24), r"◌ (page \d+ · )?archive behind …"),
])
async def test_a_stopped_writer_is_said_on_the_status_line_until_it_goes_on(
        server, tmp_path, stopped_writer, small_backlog, size, said) -> None:
    with Archive.open(tmp_path / "archive.sqlite3") as archive:
        app = app_on(server, archive)
        async with app.run_test(size=size) as pilot:
            await wait_until(pilot, lambda: behind(app), timeout=20)
            loaded = len(app.viewer.store)
            assert loaded < ENTRIES  # (it stands still: the backlog is full)
            line = status_line(app)
            assert re.search(said, line), line
            assert f"shown {loaded:,}" in line, line
            os.kill(stopped_writer[0], signal.SIGCONT)
            await wait_until(pilot, lambda: app.viewer.session.phase == "complete", timeout=30)
            await settle(pilot)
            line = status_line(app)
            assert "behind" not in line and "all loaded" in line, line
            assert len(app.viewer.store) == ENTRIES


async def test_a_killed_writer_lets_the_load_go_on_without_the_archive_and_says_so_once(
        server, tmp_path, stopped_writer, small_backlog) -> None:
    with Archive.open(tmp_path / "archive.sqlite3") as archive:
        app = app_on(server, archive)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: behind(app), timeout=20)
            os.kill(stopped_writer[0], signal.SIGKILL)
            await wait_until(pilot, lambda: app.viewer.session.phase == "complete", timeout=30)
            await settle(pilot)
            assert len(app.viewer.store) == ENTRIES  # (every entry shown, none lost with the writer)
            line = status_line(app)
            assert "behind" not in line and "archiving" not in line and "all loaded" in line, line
            said = app.viewer.banner.plain()
            gone = "Without the archive from now on: the archive's writer process ended unexpectedly (killed by SIGKILL)"
            assert said.count(gone) == 1, said
