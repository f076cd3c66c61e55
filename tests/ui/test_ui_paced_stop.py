"""Esc while the API's budget paces the backfill (s29 walk 2 #4: it did nothing and said nothing):
the backfill stops where it is, the live tail goes on with the whole budget, and `r` loads the rest."""

from __future__ import annotations

import pytest

from logview.archive import Archive
from logview.demo import DemoServer, DemoState
from logview.model import Filters
from logview.options import ViewerOptions
from logview.ui.app import LogViewApp
from ui_helpers import FAST, SIZE, connection, screen_text, wait_until


def status_line(app: LogViewApp) -> str:
    app.viewer.refresh_status()
    return screen_text(app).splitlines()[0]


@pytest.mark.parametrize("size, archived", [(SIZE, False), ((80, 24), True)], ids=["160x48", "80x24-archive"])
async def test_esc_stops_a_paced_backfill_and_the_tail_goes_on(tmp_path, size: tuple[int, int], archived: bool) -> None:
    state = DemoState(aitronos_entries=1000, supermetrics_entries=0, live_rate=0.0, seed=23,
                      budget={"aitronos": "2/2"})
    with DemoServer(state) as server, Archive.open(tmp_path / "archive.sqlite3") as archive:
        app = LogViewApp(ViewerOptions(filters=Filters(), connection=connection(server, "aitronos", page_limit=100),
                                       follow=True, interval_s=60.0), policy=FAST, archive=archive if archived else None)
        async with app.run_test(size=size) as pilot:
            viewer = app.viewer
            await wait_until(pilot, lambda: "budget 0/2" in status_line(app) and len(viewer.store) >= 200,
                             timeout=20, said=lambda: status_line(app))
            await pilot.press("escape")
            stopped = len(viewer.store)
            assert viewer.session.phase == "cancelled" and not viewer.feed.backfilling
            await pilot.pause()
            said = " ".join(screen_text(app).replace("▌", " ").split())  # (the banner wraps at 80 columns)
            again = "load the rest (what came is archived)" if archived else "load again from the newest"
            assert f"Loading stopped where the API's budget held it; the live tail goes on. Press r to {again}." \
                in said, said
            await pilot.pause(3.0)  # (a window and a half: the backfill would have had two more pages)
            line = status_line(app)
            assert len(viewer.store) == stopped < 1000, (stopped, line)
            assert "stopped" in line and "● live" in line, line
            await pilot.press("r")
            await wait_until(pilot, lambda: len(viewer.store) > stopped, timeout=10, said=lambda: status_line(app))
