"""`q` while the archive's writer stores what was fetched: a writer making progress was killed 2 s
after the quit as a stalled one is, and what it had not stored was lost (the next launch fetched
it again). The viewer now waits while the entries left fall, saying so; `q` again gives up."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

import logview.archive.writer
import logview.ui.quit_archiving
from logview.archive import Archive
from logview.demo import DemoServer, DemoState
from logview.model import Filters
from logview.options import ViewerOptions
from logview.ui.app import LogViewApp
from ui_helpers import FAST, SIZE, app_ended, connection, wait_until

ENTRIES = 1_500  # (below the writer process's threshold: stored by the viewer's thread)


@pytest.fixture
def server() -> Iterator[DemoServer]:
    with DemoServer(DemoState(aitronos_entries=ENTRIES, supermetrics_entries=0, live_rate=0.0, seed=31)) as served:
        yield served


def slow_transactions(monkeypatch: pytest.MonkeyPatch, seconds: float, hold: threading.Event | None = None) -> None:
    """Each archive transaction takes `seconds` more (and, with `hold`, waits for it first)."""
    store = logview.archive.writer.store_transaction

    def slow(*args, **kwargs):
        if hold is not None:
            hold.wait(30)
        time.sleep(seconds)
        return store(*args, **kwargs)

    monkeypatch.setattr(logview.archive.writer, "store_transaction", slow)


def left(feed) -> int:
    """The fetched entries its archive has not stored yet."""
    return writer.unarchived if (writer := feed.api.writer()) is not None else 0


async def quit_while_archiving(pilot, app: LogViewApp) -> None:
    """`q` once the archive has fetched entries to store: the viewer says it stays for them."""
    feed = app.viewer.feed
    await wait_until(pilot, lambda: left(feed) > 0 and len(app.viewer.store) >= 200,
                     said=lambda: (left(feed), len(app.viewer.store), app.viewer.session.phase))
    await pilot.press("q")
    await wait_until(pilot, lambda: "saving to the archive ·" in app.viewer.banner.plain(),
                     said=lambda: (app.is_running, left(feed), app.viewer.banner.plain()))
    assert "fetched entries left · q again gives up" in app.viewer.banner.plain() and app.is_running


def archived_app(server: DemoServer, archive: Archive) -> LogViewApp:
    options = ViewerOptions(filters=Filters(), connection=connection(server, "aitronos", page_limit=100))
    return LogViewApp(options, policy=FAST, archive=archive)


async def test_q_waits_for_a_writer_that_makes_progress_and_quits_once_all_is_stored(
        server, tmp_path, monkeypatch) -> None:
    slow_transactions(monkeypatch, 1.2)  # (two transactions at least: over the 2 s a quit gave it)
    monkeypatch.setattr(logview.ui.quit_archiving, "STALLED_S", 6.0)  # (a loaded machine's slow answer is no stall)
    with Archive.open(tmp_path / "archive.sqlite3") as archive:
        app = archived_app(server, archive)
        async with app.run_test(size=SIZE) as pilot:
            await quit_while_archiving(pilot, app)
            await app_ended(pilot, timeout=30)
        fetched = len(app.viewer.store)
        assert app.return_code == 0 and app.viewer.feed.unarchived == 0
        stored = archive.source(app.viewer.feed.pager.archived.identity)  # type: ignore[union-attr]
        assert stored.count() == fetched


async def test_q_again_gives_up_and_a_stalled_writer_is_given_up(server, tmp_path, monkeypatch) -> None:
    hold = threading.Event()
    slow_transactions(monkeypatch, 0.0, hold)  # (stores nothing until let go)
    try:
        with Archive.open(tmp_path / "archive.sqlite3") as archive:
            app = archived_app(server, archive)
            async with app.run_test(size=SIZE) as pilot:
                await quit_while_archiving(pilot, app)
                # (stalled: nothing stored since the quit, given up after STALLED_S and the close's 2 s)
                await app_ended(pilot, timeout=20)
            assert app.return_code == 0 and app.viewer.feed.unarchived > 0

            app = archived_app(server, archive)
            async with app.run_test(size=SIZE) as pilot:
                await quit_while_archiving(pilot, app)
                await pilot.press("q")  # gives up at once (the close's 2 s, then the writer goes)
                await app_ended(pilot, timeout=10)
            assert app.return_code == 0
    finally:
        hold.set()
