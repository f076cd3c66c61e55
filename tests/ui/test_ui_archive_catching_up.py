"""A backfill stored by the archive's writer process is done for the user once every entry is
shown: the process may still be storing the last pages ("archiving …" on the status line until it
has), and a quit meanwhile keeps every entry handed over, each span with its entries."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterator

import pytest

from logview.archive import Archive, identity_of
from logview.archive import writer as writer_module
from logview.archive.writer_process import WriterProcess
from logview.demo import DemoServer, DemoState
from logview.model import Filters
from logview.options import ViewerOptions
from logview.ui.app import LogViewApp
from ui_helpers import FAST, SIZE, connection, screen_text, settle, wait_until

ENTRIES = 3_000


@pytest.fixture
def server() -> Iterator[DemoServer]:
    with DemoServer(DemoState(aitronos_entries=0, supermetrics_entries=ENTRIES, live_rate=0.0, seed=5)) as server:
        yield server


@pytest.fixture
def stopped_writer(monkeypatch) -> Iterator[list[int]]:
    """Every page goes to a writer process, stopped (SIGSTOP) as it starts, as a writer far
    behind on a busy core or disk is: the last pages are still to be stored when the last one has
    been fetched and shown. Its pid, to let it go on (SIGCONT; at the end in any case)."""
    monkeypatch.setattr(writer_module, "PROCESS_AFTER", 0)
    pids: list[int] = []
    start = WriterProcess.start

    async def stopped(archived):
        process = await start(archived)
        assert process is not None
        pids.append(process._process.pid)
        os.kill(pids[-1], signal.SIGSTOP)
        return process

    monkeypatch.setattr(WriterProcess, "start", stopped)
    try:
        yield pids
    finally:
        for pid in pids:
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass


def app_on(server: DemoServer, archive: Archive) -> LogViewApp:
    options = ViewerOptions(filters=Filters(), connection=connection(server, "supermetrics", page_limit=500))
    return LogViewApp(options, policy=FAST, archive=archive)


def status_line(app: LogViewApp) -> str:
    app.viewer.refresh_status()
    return next(line for line in screen_text(app).splitlines() if "shown" in line)


@pytest.mark.parametrize("size", [SIZE, (100, 30), (80, 24)])
async def test_every_entry_is_shown_before_the_last_pages_are_archived_and_the_status_line_says_so(
        server, tmp_path, stopped_writer, size) -> None:
    """At 100 and 80 columns too: "archiving …" went first there, before "loaded 3,000" (s20 #3)."""
    with Archive.open(tmp_path / "archive.sqlite3") as archive:
        app = app_on(server, archive)
        async with app.run_test(size=size) as pilot:
            session, feed = app.viewer.session, app.viewer.feed
            await wait_until(pilot, lambda: session.phase == "complete")
            assert feed.archiving and not feed.backfilling
            assert len(app.viewer.store) == ENTRIES
            stored = archive.source(identity_of(app.viewer.source))
            assert stored.count() == 0  # (the writer process is stopped)
            await pilot.pause()
            line = status_line(app)
            assert "all loaded · archiving …" in line, line
            os.kill(stopped_writer[0], signal.SIGCONT)
            await wait_until(pilot, lambda: not feed.archiving)
            await settle(pilot)
            line = status_line(app)
            assert "all loaded" in line and "archiving" not in line, line
            assert stored.count() == ENTRIES
            store = app.viewer.store  # (every entry's word came: each row reads it back from the archive)
            assert (store.span("backing", store.head, store.tail) > 0).all()
            assert sum(entry is not None for entry in store.held.entries) == 0  # (none kept in memory)


async def test_a_quit_while_the_last_pages_are_archived_keeps_every_entry_and_its_span(
        server, tmp_path, stopped_writer) -> None:
    with Archive.open(tmp_path / "archive.sqlite3") as archive:
        app = app_on(server, archive)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: app.viewer.session.phase == "complete")
            assert app.viewer.feed.archiving
            identity = identity_of(app.viewer.source)
            # (it goes on while the quit waits for it: `Feed.aclose`)
            asyncio.get_running_loop().call_later(0.3, os.kill, stopped_writer[0], signal.SIGCONT)
            await pilot.press("q")
        stored = archive.source(identity)
        assert stored.count() == ENTRIES
        spans = stored.coverage()
        assert len(spans) == 1 and spans[0].start_us is None, spans  # (the whole history, from its start)
        assert spans[0].end_us == stored.newest()[0], spans  # (to the newest entry received)
