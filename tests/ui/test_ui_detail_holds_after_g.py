"""After `G` while an API's budget paces the backfill, Enter opened a detail that switched to
another entry with every page (s30 walk #1): the open detail holds its entry, as against the live
tail; the chase of the oldest row ends when the detail opens, and `G` there starts it again."""

from __future__ import annotations

from logview.demo import DemoServer, DemoState
from logview.model import Filters
from logview.options import ViewerOptions
from logview.ui.app import LogViewApp
from ui_helpers import FAST, SIZE, connection, wait_until


async def test_an_open_detail_holds_its_entry_while_paced_pages_come_after_g() -> None:
    state = DemoState(aitronos_entries=1000, supermetrics_entries=0, live_rate=0.0, seed=31,
                      budget={"aitronos": "2/1"})
    with DemoServer(state) as server:
        app = LogViewApp(ViewerOptions(filters=Filters(), connection=connection(server, "aitronos", page_limit=100)),
                         policy=FAST)
        async with app.run_test(size=SIZE) as pilot:
            viewer = app.viewer
            await wait_until(pilot, lambda: len(viewer.store) >= 200, timeout=20)
            await pilot.press("G", "enter")
            await pilot.pause()
            opened = viewer.detail.entry.id
            assert viewer.selected_entry().id == opened
            loaded = len(viewer.store)
            await wait_until(pilot, lambda: len(viewer.store) >= loaded + 200, timeout=20)  # two pages more
            await pilot.pause()
            assert viewer.detail.entry.id == opened and viewer.selected_entry().id == opened
            assert viewer.table.cursor_row < len(viewer.view) - 1  # (older rows came below it)
            await pilot.press("escape", "G")  # (G again: the oldest row now, and its chase again)
            await pilot.pause()
            assert viewer.table.cursor_row == len(viewer.view) - 1
