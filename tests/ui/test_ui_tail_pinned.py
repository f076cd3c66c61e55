"""The live tail never takes the user's entry away: an open detail pins it, and `t` resuming the
tail keeps the place (new rows are counted above it: `▲ +N new · g to jump`)."""

from __future__ import annotations

from logview.demo import DemoServer
from logview.model import Filters
from logview.options import ViewerOptions
from logview.ui.app import LogViewApp
from test_ui_tabs import settle_all
from test_ui_tail import poll
from ui_helpers import FAST, SIZE, connection, detail_text, make_app, screen_text, settle, wait_until


def status_line(app) -> str:
    return screen_text(app).splitlines()[0]


async def test_an_open_detail_keeps_its_entry_while_new_ones_come(fresh_demo: DemoServer) -> None:
    """Enter Enter PgDn on the newest row while tailing: the focused, scrolled detail was swapped
    for the next new entry at the next poll, back at its top (found in a walk)."""
    app = make_app(fresh_demo, follow=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await wait_until(pilot, lambda: app.viewer.feed.tailing)
        await pilot.press("enter", "enter", "pagedown")
        reading = app.viewer.selected_entry()
        assert app.viewer.focused is app.viewer.detail and detail_text(app).startswith(reading.id)
        scrolled = app.viewer.detail.scroll_offset
        fresh_demo.state.insert_aitronos(3)
        await poll(pilot, app, 123)
        assert app.viewer.selected_entry().id == reading.id and detail_text(app).startswith(reading.id)
        assert app.viewer.detail.scroll_offset == scrolled  # still where the user scrolled to
        assert app.viewer.table.cursor_row == 3 and "+3 new · g to jump" in status_line(app)
        await pilot.press("escape", "g")  # the detail closed, g jumps to the newest and follows again
        assert app.viewer.table.cursor_row == 0 and "new" not in status_line(app)
        fresh_demo.state.insert_aitronos(2)
        await poll(pilot, app, 125)
        assert app.viewer.selected_entry().id == fresh_demo.state.aitronos_logs[0]["id"]


async def test_g_with_the_detail_open_shows_the_newest_and_keeps_it(fresh_demo: DemoServer) -> None:
    app = make_app(fresh_demo, follow=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await wait_until(pilot, lambda: app.viewer.feed.tailing)
        await pilot.press("enter")
        fresh_demo.state.insert_aitronos(2)
        await poll(pilot, app, 122)
        assert "+2 new" in status_line(app)
        await pilot.press("g")
        newest = fresh_demo.state.aitronos_logs[0]["id"]
        assert detail_text(app).startswith(newest) and "new" not in status_line(app)
        fresh_demo.state.insert_aitronos(1)
        await poll(pilot, app, 123)
        assert detail_text(app).startswith(newest) and "+1 new" in status_line(app)


async def test_the_merged_tab_keeps_an_open_detail_on_the_newest_row(fresh_demo: DemoServer) -> None:
    tailing = ViewerOptions(filters=Filters(), connection=connection(fresh_demo, "aitronos"), follow=True,
                            interval_s=60.0)
    app = LogViewApp(tailing, ViewerOptions(filters=Filters(), connection=connection(fresh_demo, "supermetrics")),
                     policy=FAST)
    async with app.run_test(size=SIZE) as pilot:
        await settle_all(pilot, app)
        first, _, merged = app.viewers
        await wait_until(pilot, lambda: first.feed.tailing)
        app.show_tab(2)
        await wait_until(pilot, lambda: app.viewer is merged and len(merged.view) == 420, said=lambda: len(merged.view))
        await pilot.press("enter")
        await wait_until(pilot, lambda: merged.detail.display)
        reading = merged.selected_entry()
        fresh_demo.state.insert_aitronos(3)
        first.feed.poll_now()
        await wait_until(pilot, lambda: len(merged.view) == 423 and "+3 new" in " ".join(screen_text(app).splitlines()[:2]),
                         said=lambda: (len(merged.view), screen_text(app).splitlines()[:2]))
        assert merged.selected_entry().id == reading.id and reading.id in detail_text(app).splitlines()[0]
        assert merged.table.cursor_row == 3 and "+3 new" in " ".join(screen_text(app).splitlines()[:2])


async def test_t_resuming_the_tail_keeps_the_place_and_the_open_detail(fresh_demo: DemoServer) -> None:
    """t t j j j t: the selection jumped to the newest row and followed it, an open detail with it
    (found in a walk). The entry stays; new rows are counted above it."""
    app = make_app(fresh_demo, interval_s=60.0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await wait_until(pilot, lambda: app.viewer.feed.tailing)
        await pilot.press("t", "j", "j", "j", "enter")
        assert "tail paused" in status_line(app)
        reading = app.viewer.selected_entry()
        await pilot.press("t")
        await wait_until(pilot, lambda: app.viewer.feed.tailing)
        assert app.viewer.table.cursor_row == 3 and detail_text(app).startswith(reading.id)
        fresh_demo.state.insert_aitronos(2)
        await poll(pilot, app, 122)
        assert app.viewer.selected_entry().id == reading.id and detail_text(app).startswith(reading.id)
        assert "live" in status_line(app) and "+2 new · g to jump" in status_line(app)
