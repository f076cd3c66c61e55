"""The viewer over the local archive: a relaunch paints what was fetched before without asking the
server for it, says how much came from the archive, shows what is new on top, and an archive that
cannot be opened is said once while the viewer goes on without it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from logview.archive import Archive
from logview.demo import DemoServer, DemoState
from logview.model import Filters
from logview.options import ViewerOptions
from logview.ui.app import LogViewApp, open_archive
from ui_helpers import FAST, SIZE, connection, screen_text, settle


@pytest.fixture
def quiet_server() -> Iterator[DemoServer]:
    with DemoServer(DemoState(aitronos_entries=640, supermetrics_entries=900, live_rate=0.0, seed=12)) as server:
        yield server


def log_requests(server: DemoServer) -> int:
    return sum("/logs" in path for _, path, _ in server.state.request_log)


def archived_app(server: DemoServer, archive: Archive, kind: str = "aitronos", **kwargs) -> LogViewApp:
    options = ViewerOptions(filters=Filters(), connection=connection(server, kind, page_limit=100), **kwargs)
    return LogViewApp(options, policy=FAST, archive=archive)


@pytest.mark.parametrize("kind", ["aitronos", "supermetrics"])
async def test_a_relaunch_paints_the_archive_and_fetches_only_what_is_new(quiet_server, tmp_path, kind) -> None:
    total = 640 if kind == "aitronos" else 900
    with Archive.open(tmp_path / "archive.sqlite3") as archive:
        first = archived_app(quiet_server, archive, kind)
        async with first.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert len(first.viewer.store) == total
            assert "from the archive" not in screen_text(first)
        fetched = log_requests(quiet_server)

        new = (quiet_server.state.insert_aitronos(2) if kind == "aitronos"
               else quiet_server.state.insert_supermetrics(2, same_time=False))
        again = archived_app(quiet_server, archive, kind)
        async with again.run_test(size=SIZE) as pilot:
            await settle(pilot)
            session = again.viewer.session
            assert len(again.viewer.store) == total + 2
            assert session.from_archive == total
            assert log_requests(quiet_server) - fetched == 1  # only: what is newer than the archive?
            screen = screen_text(again)
            assert f"all loaded · {total:,} from the archive" in screen
            view = again.viewer.view
            shown_first = again.viewer.store.entries(view.index[:2])  # the two rows on top
            assert {e.id for e in shown_first} == {e["id"] for e in new}
            # the server's count, the two new ones once (not again as if the tail had found them)
            assert session.total == (total + 2 if kind == "aitronos" else None)
            if kind == "aitronos":
                assert f"total {total + 2:,}" in screen.splitlines()[0]


async def test_a_server_filter_is_answered_from_the_archive(quiet_server, tmp_path) -> None:
    with Archive.open(tmp_path / "archive.sqlite3") as archive:
        first = archived_app(quiet_server, archive)
        async with first.run_test(size=SIZE) as pilot:
            await settle(pilot)
        before = log_requests(quiet_server)
        app = archived_app(quiet_server, archive)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("2")  # status: error (a server-side filter: a new query)
            await settle(pilot)
            errors = sum(e["status"] == "error" for e in quiet_server.state.aitronos_logs)
            assert len(app.viewer.view) == errors
            assert log_requests(quiet_server) - before <= 2  # the head of each query, no page of the range


async def test_an_archive_that_cannot_be_opened_is_said_once_and_the_viewer_goes_on(quiet_server, tmp_path,
                                                                                   monkeypatch) -> None:
    broken = tmp_path / "data" / "logview"
    broken.mkdir(parents=True)
    (broken / "archive.sqlite3").write_bytes(b"this is not a database at all" * 100)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    archive, problem = open_archive(True, None)
    assert archive is None and problem is not None and "archive.sqlite3" in problem
    options = ViewerOptions(filters=Filters(), connection=connection(quiet_server, "aitronos"))
    app = LogViewApp(options, policy=FAST, archive=None, archive_problem=problem)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "⚠ Without the archive this run: the archive " in screen_text(app)  # what it means first
        assert "is damaged (not a SQLite file)" in app.viewer.banner.plain()
        assert len(app.viewer.store) == 640
