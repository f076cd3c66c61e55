"""A backfill through the archive is done for the user once every entry is shown: the archive's
writer may still be storing the last pages ("archiving …" on the status line until it has), and
a quit meanwhile keeps every entry handed over, each span with its entries."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from logview.archive import Archive, identity_of
from logview.archive import writer as writer_module
from logview.demo import DemoServer, DemoState
from logview.model import Filters
from logview.options import ViewerOptions
from logview.ui.app import LogViewApp
from ui_helpers import FAST, SIZE, connection, screen_text, settle, wait_until

ENTRIES = 900


@pytest.fixture
def server() -> Iterator[DemoServer]:
    with DemoServer(DemoState(aitronos_entries=0, supermetrics_entries=ENTRIES, live_rate=0.0, seed=5)) as server:
        yield server


@pytest.fixture
def slow_writer(monkeypatch) -> None:
    """Each transaction takes 0.3 s more (a disk, or a writer on a busy core): the last pages are
    still being stored when the last one has been fetched and shown."""
    store = writer_module.store_transaction

    def slowly(*args, **kwargs):
        time.sleep(0.3)  # (in the writer's thread)
        return store(*args, **kwargs)

    monkeypatch.setattr(writer_module, "store_transaction", slowly)


def app_on(server: DemoServer, archive: Archive) -> LogViewApp:
    options = ViewerOptions(filters=Filters(), connection=connection(server, "supermetrics", page_limit=100))
    return LogViewApp(options, policy=FAST, archive=archive)


def status_line(app: LogViewApp) -> str:
    app.viewer.refresh_status()
    return next(line for line in screen_text(app).splitlines() if "loaded" in line)


async def test_every_entry_is_shown_before_the_last_pages_are_archived_and_the_status_line_says_so(
        server, tmp_path, slow_writer) -> None:
    with Archive.open(tmp_path / "archive.sqlite3") as archive:
        app = app_on(server, archive)
        async with app.run_test(size=SIZE) as pilot:
            session, feed = app.viewer.session, app.viewer.feed
            await wait_until(pilot, lambda: session.phase == "complete")
            assert feed.archiving and not feed.backfilling
            assert len(app.viewer.store) == ENTRIES
            stored = archive.source(identity_of(app.viewer.source))
            assert stored.count() < ENTRIES  # (the slowed writer is behind)
            await pilot.pause()
            line = status_line(app)
            assert "all loaded · archiving …" in line, line
            await wait_until(pilot, lambda: not feed.archiving)
            await settle(pilot)
            line = status_line(app)
            assert "all loaded" in line and "archiving" not in line, line
            assert stored.count() == ENTRIES
            assert not app.viewer.store.held.unarchived  # (every entry's word came: let go, read back)


async def test_a_quit_while_the_last_pages_are_archived_keeps_every_entry_and_its_span(
        server, tmp_path, slow_writer) -> None:
    with Archive.open(tmp_path / "archive.sqlite3") as archive:
        app = app_on(server, archive)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: app.viewer.session.phase == "complete")
            assert app.viewer.feed.archiving
            identity = identity_of(app.viewer.source)
            await pilot.press("q")
        stored = archive.source(identity)
        assert stored.count() == ENTRIES
        spans = stored.coverage()
        assert len(spans) == 1 and spans[0].start_us is None, spans  # (the whole history, from its start)
        assert spans[0].end_us == stored.newest()[0], spans  # (to the newest entry received)
