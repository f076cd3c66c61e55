"""Live tail: new entries arrive at the top without moving what the user reads."""

from __future__ import annotations

import pytest

from logview.demo import DemoServer, Fault
from ui_helpers import SIZE, cursor_line, kept_toasts, make_app, screen_text, settle, table_lines, wait_until


async def poll(pilot, app, size: int) -> None:
    app.viewer.feed.poll_now()
    await wait_until(pilot, lambda: len(app.viewer.store) >= size)
    await pilot.pause()


async def test_following_at_the_top_moves_the_cursor_to_the_newest(fresh_demo: DemoServer) -> None:
    app = make_app(fresh_demo, follow=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await wait_until(pilot, lambda: app.viewer.feed.tailing)
        assert "live · every 60 s" in screen_text(app).splitlines()[0]
        new = fresh_demo.state.insert_aitronos(3)
        await poll(pilot, app, 123)
        assert app.viewer.table.cursor_row == 0
        assert app.viewer.selected_entry().id == app.viewer.store.entry(app.viewer.store.head).id  # type: ignore[union-attr]
        assert app.viewer.selected_entry().id in {e["id"] for e in new}  # type: ignore[union-attr]
        assert "new" not in table_lines(app)[0]
        assert "shown 123" in screen_text(app)


async def test_scrolled_away_the_view_stays_and_a_badge_counts_new_rows(fresh_demo: DemoServer) -> None:
    app = make_app(fresh_demo, follow=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await wait_until(pilot, lambda: app.viewer.feed.tailing)
        await pilot.press(*["j"] * 10)
        reading = app.viewer.selected_entry()
        line = cursor_line(app)
        top = round(app.viewer.table.scroll_y)
        visible = table_lines(app)[1:]
        fresh_demo.state.insert_aitronos(5)
        await poll(pilot, app, 125)
        assert app.viewer.selected_entry() is reading and app.viewer.table.cursor_row == 15
        assert cursor_line(app) == line
        assert table_lines(app)[1:] == visible or round(app.viewer.table.scroll_y) == top + 5
        assert "+5 new" in screen_text(app).splitlines()[0]
        await pilot.press("g")
        assert app.viewer.table.cursor_row == 0 and "new" not in screen_text(app).splitlines()[0]
        assert app.viewer.selected_entry().id == fresh_demo.state.aitronos_logs[0]["id"]  # type: ignore[union-attr]


def header_on_screen(app) -> str:
    """The table's header row as the screen shows it (less the scrollbar)."""
    region = app.viewer.table.scrollable_content_region
    return screen_text(app).splitlines()[region.y][region.x:region.right]


@pytest.mark.parametrize("size", [SIZE, (90, 30)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_new_rows_count_covers_no_header_and_stays_while_scrolled_away(fresh_demo: DemoServer,
                                                                                 size) -> None:
    app = make_app(fresh_demo, follow=True)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await wait_until(pilot, lambda: app.viewer.feed.tailing)
        await pilot.press("pagedown", "pagedown")  # reading further down: the table has scrolled
        assert round(app.viewer.table.scroll_y) > 0
        header, rows = header_on_screen(app), table_lines(app)[1:]
        assert "time" in header and "status" in header and "tool" in header
        fresh_demo.state.insert_aitronos(4)
        await poll(pilot, app, 124)
        assert header_on_screen(app) == header  # every column title still there, whole
        assert table_lines(app)[1:] == rows  # and every row the user was reading
        status = screen_text(app).splitlines()[0]
        # (at 90 columns the label gives way before `shown` does: s17 K3)
        assert "+4 new · g to jump" in status and ("demo data (aitronos)" in status or size[0] < 160)
        assert "shown 124" in status
        await pilot.press("j", "pagedown")  # still away from the top: the count stays
        status = screen_text(app).splitlines()[0]
        assert "+4 new" in status and header_on_screen(app) == header
        await pilot.click(offset=(status.index("+4 new"), 0))  # a click on the count jumps to the new rows
        await pilot.pause()
        assert app.viewer.table.cursor_row == 0 and "new" not in screen_text(app).splitlines()[0]
        assert app.viewer.selected_entry().id == fresh_demo.state.aitronos_logs[0]["id"]  # type: ignore[union-attr]


async def test_t_toggles_the_tail(fresh_demo: DemoServer) -> None:
    app = make_app(fresh_demo, "supermetrics", interval_s=0.05)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not app.viewer.feed.tailing and "all loaded" in screen_text(app).splitlines()[0]
        await pilot.press("j", "j")
        reading = app.viewer.selected_entry()
        await pilot.press("t")
        assert app.viewer.table.cursor_row == 2  # the user's place is kept (g jumps)
        await wait_until(pilot, lambda: app.viewer.feed.tailing)
        fresh_demo.state.insert_supermetrics(4, same_time=True)
        await wait_until(pilot, lambda: len(app.viewer.store) == 304)
        await pilot.pause()
        assert "live" in screen_text(app).splitlines()[0] and "+4 new · g to jump" in screen_text(app).splitlines()[0]
        assert app.viewer.selected_entry().id == reading.id and app.viewer.table.cursor_row == 6
        ids = {e["id"] for e in fresh_demo.state.supermetrics_logs[:4]}
        assert {e.id for e in app.viewer.store.entries(app.viewer.view.index[:4])} == ids
        await pilot.press("t")
        await pilot.pause()
        assert not app.viewer.feed.tailing and "tail paused" in screen_text(app).splitlines()[0]
        fresh_demo.state.insert_supermetrics(2, same_time=False)
        await pilot.pause(0.2)
        assert len(app.viewer.store) == 304


async def test_the_tail_keeps_memory_bounded_by_dropping_the_oldest(fresh_demo: DemoServer) -> None:
    app = make_app(fresh_demo, follow=True, max_entries=100)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "the cap (--max-entries) was reached" in text and "capped at 100" in text.splitlines()[0]
        oldest_kept = app.viewer.store.entry(app.viewer.store.tail - 1).id
        new = fresh_demo.state.insert_aitronos(10)
        app.viewer.feed.poll_now()
        new_ids = {e["id"] for e in new}
        await wait_until(pilot, lambda: app.viewer.store.entry(app.viewer.store.head).id in new_ids)
        await pilot.pause()
        assert len(app.viewer.store) == 100 and len(app.viewer.view) == 100
        ids = [e.id for e in app.viewer.store.entries(app.viewer.view.index)]
        assert oldest_kept not in ids and set(ids[:10]) == new_ids


async def test_a_failing_tail_says_so_and_keeps_going(fresh_demo: DemoServer) -> None:
    app = make_app(fresh_demo, follow=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await wait_until(pilot, lambda: app.viewer.feed.tailing)
        await pilot.pause(0.1)
        fresh_demo.state.add_fault(Fault(kind="status", status=500, count=6, api="aitronos"))
        app.viewer.feed.poll_now()
        await wait_until(pilot, lambda: app.viewer.banner.has("tail"))
        text = screen_text(app)
        assert "live tail: HTTP 500" in text and "polling again in" in text
        fresh_demo.state.insert_aitronos(1)
        app.viewer.feed.poll_now()
        await wait_until(pilot, lambda: len(app.viewer.store) == 121)
        await pilot.pause()
        assert not app.viewer.banner.has("tail") and len(app.viewer.view) == 121


async def test_the_api_going_away_mid_tail_is_shown_and_the_tail_recovers_by_itself(fresh_demo: DemoServer) -> None:
    """Every request of a tail cycle fails (retries too): the banner says the tail failed and when it
    tries again; when the API answers again, new entries arrive and the banner clears on its own."""
    app = make_app(fresh_demo, "supermetrics", follow=True, interval_s=0.1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await wait_until(pilot, lambda: app.viewer.feed.tailing)
        loaded = len(app.viewer.store)
        fresh_demo.state.add_fault(Fault(kind="status", status=503, count=6))  # one whole cycle
        await wait_until(pilot, lambda: "live tail: HTTP 503" in screen_text(app))
        assert app.viewer.feed.tailing  # the tail goes on
        fresh_demo.state.insert_supermetrics(3, same_time=True)
        await wait_until(pilot, lambda: len(app.viewer.store) == loaded + 3, timeout=15)
        await wait_until(pilot, lambda: "live tail:" not in screen_text(app))
        assert "live · every 0.1 s" in screen_text(app).splitlines()[0]


async def test_t_while_loading_says_the_tail_is_on(fresh_demo: DemoServer) -> None:
    """The status line speaks of the loading until it is done: `t` then changed nothing visible
    (found in a walk), so it says what it did."""
    fresh_demo.state.add_fault(Fault(kind="latency", delay=1.5, count=2, api="supermetrics"))
    app = make_app(fresh_demo, "supermetrics", interval_s=0.05)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.viewer.feed.backfilling)
        said = kept_toasts(app)
        await pilot.press("t")
        await pilot.pause(0.1)
        assert app.viewer.feed.backfilling and any("Live tail on" in toast for toast in said), said
        await pilot.press("t")
        await pilot.pause(0.1)
        assert "Live tail paused (t resumes)." in said, said
