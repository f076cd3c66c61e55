"""An id the server sends again with other fields (a re-run that keeps its id, a test server
restarted: s22 walk #5) shows once, as the newer answer: the archive's row is replaced in place, and
the row that showed the older answer goes. It showed twice, the newer row's detail (and a save of
it) giving the archive's older entry."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import orjson
import pytest

from logview.archive import Archive
from logview.demo import DemoServer, DemoState
from logview.model import Filters
from logview.options import ViewerOptions
from logview.ui.app import LogViewApp
from ui_helpers import FAST, SIZE, connection, detail_text, screen_text, settle, table_lines, wait_until

TOTAL = 300


@pytest.fixture
def server() -> Iterator[DemoServer]:
    with DemoServer(DemoState(aitronos_entries=TOTAL, supermetrics_entries=0, live_rate=0.0, seed=23)) as served:
        yield served


def viewer_app(server: DemoServer, archive: Archive, **kwargs) -> LogViewApp:
    options = ViewerOptions(filters=Filters(), connection=connection(server, "aitronos", page_limit=100), **kwargs)
    return LogViewApp(options, policy=FAST, archive=archive)


def send_again(server: DemoServer, at: datetime) -> dict:
    """An entry the server sent before (the 40th newest), sent again at `at` with other fields."""
    older = server.state.aitronos_logs[40]
    newer = {**older, "created_at": at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
             "status": "timeout" if older["status"] != "timeout" else "blocked", "duration_ms": 98_765}
    server.state.insert_raw("aitronos", [(at, newer)])
    return newer


def once_as(app: LogViewApp, entry: dict) -> bool:
    """The id is one row, on top (the newest), the newer answer's, and every other entry once."""
    viewer = app.viewer
    top = viewer.store.entries(viewer.view.index[:1])
    return (viewer.session.phase == "complete" and len(viewer.store) == TOTAL and len(top) == 1
            and top[0].id == entry["id"] and top[0].status == entry["status"])


async def test_a_relaunch_shows_an_id_sent_again_once_as_its_newer_answer(server, tmp_path) -> None:
    data = tmp_path / "data"
    with Archive.open(data / "logview" / "archive.sqlite3") as archive:
        first = viewer_app(server, archive)
        async with first.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert len(first.viewer.store) == TOTAL
        newer = send_again(server, datetime.now(UTC) - timedelta(milliseconds=5))
        again = viewer_app(server, archive)
        async with again.run_test(size=SIZE) as pilot:
            # (painted from the archive: 300 rows, the old answer among them; then the head brings the
            # newer one, a row more, until the archive has replaced its row)
            await wait_until(pilot, lambda: once_as(again, newer), timeout=20,
                             said=lambda: (len(again.viewer.store), screen_text(again).splitlines()[0]))
            await settle(pilot)
            assert len(again.viewer.store) == TOTAL and len(again.viewer.view) == TOTAL
            assert f"shown {TOTAL}" in screen_text(again).splitlines()[0]
            assert "timeout" in table_lines(again)[1] or "blocked" in table_lines(again)[1]
            await pilot.press("enter")  # the detail of the row on top: the newer answer's
            await wait_until(pilot, lambda: newer["created_at"] in detail_text(again))
            assert "98765" in detail_text(again).replace(",", "")
        stored = archive.source(again.viewer.feed.pager.archived.identity)  # type: ignore[union-attr]
        assert stored.count() == TOTAL
        rowid = stored.rowids([newer["id"]])[newer["id"]]
        assert orjson.loads(stored.raw([rowid])[0])["created_at"] == newer["created_at"]
    # `logview sql` over that archive: the id once, its columns the newer answer's
    env = {**os.environ, "XDG_DATA_HOME": str(data)}
    query = f"SELECT count(*), max(status) FROM logs WHERE id = '{newer['id']}'"
    done = subprocess.run([sys.executable, "-m", "logview", "sql", query, "--format", "csv"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1:] == [f"1,{newer['status']}"]


async def test_the_tail_shows_an_id_sent_again_once_as_its_newer_answer(server, tmp_path) -> None:
    with Archive.open(tmp_path / "archive.sqlite3") as archive:
        app = viewer_app(server, archive, follow=True, interval_s=0.5)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: app.viewer.session.phase == "complete" and len(app.viewer.store) == TOTAL)
            await settle(pilot)
            newer = send_again(server, datetime.now(UTC) - timedelta(milliseconds=5))
            app.viewer.feed.poll_now()
            await wait_until(pilot, lambda: once_as(app, newer), timeout=20,
                             said=lambda: (len(app.viewer.store), screen_text(app).splitlines()[0]))
            assert len(app.viewer.view) == TOTAL
            await wait_until(pilot, lambda: f"loaded {TOTAL}   total {TOTAL}" in screen_text(app).splitlines()[0],
                             said=lambda: screen_text(app).splitlines()[0])  # (an update, not a new entry)
            await pilot.press("slash", *newer["id"], "enter")  # searched for: one row
            await wait_until(pilot, lambda: len(app.viewer.view) == 1)
            await pilot.press("enter")
            await wait_until(pilot, lambda: newer["created_at"] in detail_text(app))
