"""A relaunch over the archive opens at the newest entry, whatever posts bring what is newer: the rows
that come before the user has moved keep the view at the top."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from logview.archive import Archive
from logview.demo import DemoServer, DemoState
from logview.model import Filters
from logview.options import ViewerOptions
from logview.ui.app import LogViewApp
from ui_helpers import FAST, SIZE, connection, screen_text, settle, wait_until


def archived_app(server: DemoServer, archive: Archive, statuses: tuple[str, ...] = (), follow: bool = False) -> LogViewApp:
    options = ViewerOptions(filters=Filters(statuses=statuses), connection=connection(server, "aitronos"),
                            follow=follow)
    return LogViewApp(options, policy=FAST, archive=archive)


@pytest.mark.parametrize("follow", [False, True])
async def test_a_relaunch_with_two_statuses_opens_at_the_newest_entry(tmp_path, follow) -> None:
    """Found in a walk: relaunched with `--status error --status timeout` (two streams, merged) after
    the server had added entries of both, the viewer opened on the archive's newest row under
    `▲ +6 new · g to jump`: the second stream's post was taken into the view before the first's rows
    were shown, and the rows above the user's place, counted then, held the first's too."""
    with DemoServer(DemoState(aitronos_entries=400, supermetrics_entries=0, live_rate=0.0, seed=12)) as server, \
            Archive.open(tmp_path / "archive.sqlite3") as archive:
        async with archived_app(server, archive).run_test(size=SIZE) as pilot:
            await settle(pilot)
        moment = datetime.now(UTC) - timedelta(seconds=10)
        for n in range(6):  # (one of each status in turn: the two streams' rows interleave)
            server.state.insert_aitronos(1, at=moment + timedelta(seconds=n), status=("error", "timeout")[n % 2])
        app = archived_app(server, archive, ("error", "timeout"), follow=follow)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: app.viewer.session.phase == "complete")
            await settle(pilot)
            table, view = app.viewer.table, app.viewer.view
            newest = max(app.viewer.store.entries(view.index[:8]), key=lambda entry: entry.time)
            assert newest.time > moment + timedelta(seconds=4)  # (the last inserted)
            assert (table.cursor_row, round(table.scroll_y), table.new_rows) == (0, 0, 0)  # (on the first row: the newest)
            assert app.viewer.store.entries(view.index[:1])[0].id == newest.id
            assert "new · g to jump" not in screen_text(app)
