"""An archive's older gap, fetched at a relaunch (or on coming back to a connector with `c`) while the API's
budget paces the backfill: its first page waits as the backfill's pages do, and the line says when it goes."""

from __future__ import annotations

from logview.archive import Archive
from logview.demo import DemoServer, DemoState
from logview.model import Filters
from logview.options import ViewerOptions
from logview.ui.app import LogViewApp
from ui_helpers import FAST, SIZE, connection, screen_text, wait_until


def status_line(app: LogViewApp) -> str:
    app.viewer.refresh_status()
    return screen_text(app).splitlines()[0]


async def test_an_older_gaps_first_page_says_when_it_goes(tmp_path) -> None:
    """Found in a walk: back on a connector whose first pages were archived, with the tail on, the line read
    `◌ loading page 2 · 9,136 so far · shared with the tail (t pauses it) …` for minutes, no `next page ~…`:
    the older gap's first page waited at the tail's priority, where nothing counts the backfill's wait
    (and the budget took it for one of the tail's polls)."""
    state = DemoState(aitronos_entries=0, supermetrics_entries=20_000, live_rate=0.0, seed=23,
                      budget={"supermetrics": "20/60"})
    with DemoServer(state) as server, Archive.open(tmp_path / "archive.sqlite3") as archive:
        def app(follow: bool) -> LogViewApp:
            options = ViewerOptions(filters=Filters(), connection=connection(server, "supermetrics"), follow=follow)
            return LogViewApp(options, policy=FAST, archive=archive)

        first = app(follow=False)
        async with first.run_test(size=SIZE) as pilot:  # (the window's burst, then the pace: the rest waits)
            await wait_until(pilot, lambda: "next page ~" in status_line(first), timeout=30,
                             said=lambda: status_line(first))
        again = app(follow=True)
        async with again.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: "next page ~" in status_line(again), timeout=10,
                             said=lambda: status_line(again))
            line = status_line(again)
            assert "shared with the tail (t pauses it)" in line and "● live" in line, line
