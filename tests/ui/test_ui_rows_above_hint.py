"""A view that keeps the user's entry with newer rows above it off screen says so on the status line
(`▲ N newer · g to jump`, as the tail's `▲ +N new`): after a search over a big file the table stayed on
the entry last selected while newer matches were above it, with nothing saying so (s25 walk #9). The
count is of the rows above the screen not scrolled to since; it goes once they are seen, at `g`, or
with a view that starts at the top."""

from __future__ import annotations

import re
from pathlib import Path

from logview.demo import DEMO_ORG, DemoServer
from logview.model import Filters
from test_ui_file_reload import demo_entries, write_entries
from test_ui_tabs import settle_all, shown_merged, tabs_app
from test_ui_tail import poll
from ui_helpers import SIZE, file_app, make_app, screen_text, settle, wait_until

NEWER = re.compile(r"▲ (?:\+([\d,]+) new, )?([\d,]+) newer · g to jump")


def status_line(app) -> str:
    """The status line as the user reads it (under the tabs, when there are tabs)."""
    lines = screen_text(app).splitlines()
    return next(line for line in lines[:2] if line.startswith(" logview"))


def newer_said(app) -> int | None:
    """The newer rows the status line counts above the screen (None: it says none)."""
    found = NEWER.search(status_line(app))
    return None if found is None else int(found.group(2).replace(",", ""))


def rows_above_screen(viewer) -> int:
    return round(viewer.table.scroll_y)


async def searched(pilot, viewer, text: str) -> None:
    """`/text` Enter, waited for until the view shows its matches (a big search runs in a thread)."""
    await pilot.press("slash", "ctrl+u", *text, "enter")
    await wait_until(pilot, lambda: viewer.session.filters.search == text and viewer.session.save_waits_for() is None,
                     said=lambda: (viewer.session.filters.search, viewer.session.save_waits_for()))
    await settle(pilot)


async def kept_below_gmail_matches(pilot, app):
    """The viewer, a search for `gmail` made eight pages down: the user's entry kept, newer matches above it."""
    await settle(pilot)
    viewer = app.viewer
    await pilot.press(*["pagedown"] * 8)
    await searched(pilot, viewer, "gmail")
    return viewer


def aitronos_file(tmp_path: Path) -> Path:
    from logview.demo import DemoState
    from ui_helpers import FIXED_NOW

    state = DemoState(aitronos_entries=3000, supermetrics_entries=0, live_rate=0.0, now=FIXED_NOW, seed=3)
    path = tmp_path / "ait.jsonl"
    write_entries(path, state.aitronos_logs)
    return path


async def test_a_search_that_keeps_the_entry_says_the_newer_matches_above_and_forgets_them_once_seen(
        tmp_path: Path) -> None:
    app = file_app(aitronos_file(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer = app.viewer
        assert "newer" not in status_line(app) and "▲" not in status_line(app)  # (a plain launch: at the top)
        await pilot.press(*["pagedown"] * 8)
        assert "▲" not in status_line(app)  # (moved down by the user: nothing hidden from them)
        await searched(pilot, viewer, "gmail")
        kept = viewer.selected_entry()
        above = rows_above_screen(viewer)
        assert above > 40 and viewer.table.cursor_row >= above  # the user's entry kept, matches above it
        assert newer_said(app) == above, status_line(app)
        assert f"▲ {above:,} newer · g to jump" in status_line(app)
        await pilot.press("pageup")  # some of them seen: counted no more
        seen_to = rows_above_screen(viewer)
        assert 0 < seen_to < above
        await wait_until(pilot, lambda: newer_said(app) == seen_to, said=lambda: status_line(app))
        await pilot.press("pagedown", "pagedown")  # (seen ones stay seen)
        await settle(pilot)
        assert newer_said(app) == seen_to
        await pilot.press(*["pageup"] * 6)
        assert rows_above_screen(viewer) == 0
        await wait_until(pilot, lambda: "▲" not in status_line(app), said=lambda: status_line(app))
        # another search: the count is of its own rows above; g goes to them and it goes
        await pilot.press(*["pagedown"] * 6)
        await searched(pilot, viewer, "slack")
        assert newer_said(app) == rows_above_screen(viewer) > 0
        await pilot.press("g")
        assert viewer.table.cursor_row == 0 and viewer.selected_entry() is not kept
        await wait_until(pilot, lambda: "▲" not in status_line(app), said=lambda: status_line(app))
        # a time range, as the sidebar sets it, from the oldest entry on: the entry kept, rows above it
        await pilot.press("escape", *["pagedown"] * 6)
        oldest = viewer.store.entry(viewer.view.ordinal(len(viewer.view) - 1)).time
        viewer.apply_filters(viewer.filters.with_time_range(oldest.isoformat(), ""))
        await settle(pilot)
        assert viewer.session.filters.since is not None
        assert newer_said(app) == rows_above_screen(viewer) > 0, status_line(app)


async def test_a_click_on_the_newer_count_jumps_to_them_and_a_view_from_the_top_says_none(tmp_path: Path) -> None:
    app = file_app(aitronos_file(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        viewer = await kept_below_gmail_matches(pilot, app)
        line = status_line(app)
        assert newer_said(app) == rows_above_screen(viewer) > 0
        await pilot.click(offset=(line.index("▲") + 2, 0))
        await wait_until(pilot, lambda: viewer.table.cursor_row == 0 and "▲" not in status_line(app),
                         said=lambda: (viewer.table.cursor_row, status_line(app)))
        # a search for the entry's own tool: its matches above it were on screen, none is left off it
        await pilot.press(*["j"] * 10)
        reading = viewer.selected_entry()
        await searched(pilot, viewer, reading.raw["tool"])
        assert viewer.selected_entry().id == reading.id and 0 < viewer.table.cursor_row <= 10
        assert rows_above_screen(viewer) == 0 and "▲" not in status_line(app)


async def test_a_search_over_an_api_source_says_the_newer_rows_above_and_a_new_load_none(demo: DemoServer) -> None:
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer = app.viewer
        assert "▲" not in status_line(app)
        await pilot.press(*["pagedown"] * 6)
        await searched(pilot, viewer, "gmail")
        assert len(viewer.view) < len(viewer.store)
        assert newer_said(app) == rows_above_screen(viewer) > 0, status_line(app)
        await pilot.press("escape", "1")  # a status, asked of the server: loaded again, from the top
        await wait_until(pilot, lambda: viewer.session.phase == "complete" and viewer.session.filters.statuses)
        await settle(pilot)
        assert viewer.table.cursor_row == 0 and "▲" not in status_line(app)


async def newer_above_while_tailing(pilot, app) -> int:
    """The tail running, the user two pages down, then a search for every entry's org (the new ones'
    too): the entry kept, with newer rows above the screen; how many."""
    await settle(pilot)
    viewer = app.viewer
    await wait_until(pilot, lambda: viewer.feed.tailing)
    await pilot.press(*["pagedown"] * 2)
    await searched(pilot, viewer, DEMO_ORG)
    return rows_above_screen(viewer)


async def test_the_tail_says_both_its_new_rows_and_the_newer_ones_a_search_left_above(fresh_demo: DemoServer) -> None:
    app = make_app(fresh_demo, follow=True)
    async with app.run_test(size=SIZE) as pilot:
        viewer = app.viewer
        above = await newer_above_while_tailing(pilot, app)
        assert above > 0 and newer_said(app) == above, status_line(app)
        fresh_demo.state.insert_aitronos(4)
        await poll(pilot, app, 124)
        assert f"▲ +4 new, {above:,} newer · g to jump" in status_line(app)
        await pilot.press("g")
        assert viewer.table.cursor_row == 0
        await wait_until(pilot, lambda: "▲" not in status_line(app), said=lambda: status_line(app))


async def test_the_tails_new_rows_stay_counted_as_a_relative_range_moves_on(fresh_demo: DemoServer) -> None:
    """`since 3000d` moves on every second while the tail runs: its refilter took the `+N new` away
    within a second, and must not count the rows above as newer ones either."""
    app = make_app(fresh_demo, follow=True, filters=Filters().with_time_range("3000d", ""))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer = app.viewer
        await wait_until(pilot, lambda: viewer.feed.tailing)
        await pilot.press(*["pagedown"] * 2)
        assert "▲" not in status_line(app)
        fresh_demo.state.insert_aitronos(4)
        await poll(pilot, app, 124)
        assert "▲ +4 new · g to jump" in status_line(app)
        since = viewer.session.filters.since
        await wait_until(pilot, lambda: viewer.session.filters.since != since)  # the range has moved on
        await settle(pilot)
        assert "▲ +4 new · g to jump" in status_line(app) and "newer" not in status_line(app)


async def test_the_merged_tab_says_the_newer_rows_a_search_left_above_and_keeps_them_across_merges(
        fresh_demo: DemoServer) -> None:
    app = tabs_app(fresh_demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle_all(pilot, app)
        first, _, merged = app.viewers
        app.show_tab(2)
        await shown_merged(pilot, app)
        assert "▲" not in status_line(app)
        await pilot.press(*["pagedown"] * 2)
        await pilot.press("1")
        await wait_until(pilot, lambda: len(merged.view) < len(merged.store))
        await settle(pilot)
        above, row = rows_above_screen(merged), merged.table.cursor_row
        assert above > 0 and newer_said(app) == above, status_line(app)
        before = len(merged.view)
        fresh_demo.state.insert_aitronos(3, status="success")
        first.action_reload()  # the tab finds them: the merged tab merges again, on the same entry
        await wait_until(pilot, lambda: first.session.phase == "complete" and len(merged.view) == before + 3,
                         said=lambda: (first.session.phase, len(merged.view)))
        await settle(pilot)
        came = merged.table.cursor_row - row  # (as the merged tab counts the rows come above its entry)
        assert came > 0 and f"▲ +{came} new, {above:,} newer · g to jump" in status_line(app)
        await pilot.press("g")
        await wait_until(pilot, lambda: "▲" not in status_line(app), said=lambda: status_line(app))


async def test_a_search_while_tailing_under_a_relative_range_keeps_the_entry_and_loads_nothing_again(
        fresh_demo: DemoServer) -> None:
    """The range moves on every second while the tail runs; the sidebar's copy of it, resolved when
    it was shown, made the search's filters differ from the server's: every search loaded the
    range again from the server, the table back at the top, the user's entry gone from view."""
    app = make_app(fresh_demo, follow=True, filters=Filters().with_time_range("3000d", ""))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer = app.viewer
        await wait_until(pilot, lambda: viewer.feed.tailing)
        since = viewer.session.filters.since
        await wait_until(pilot, lambda: viewer.session.filters.since != since)  # the range has moved on
        await pilot.press(*["pagedown"] * 2)
        reading, requests = viewer.selected_entry(), fresh_demo.state.request_log
        await searched(pilot, viewer, DEMO_ORG)  # (every entry's)
        assert fresh_demo.state.request_log == requests  # nothing asked of the server again
        assert viewer.selected_entry().id == reading.id and viewer.session.filters.since_text == "3000d"
        assert newer_said(app) == rows_above_screen(viewer) > 0, status_line(app)


async def test_a_jump_to_the_oldest_entry_forgets_the_newer_rows_a_search_left_above(tmp_path: Path) -> None:
    """s29 walk #2: after `G` the line went on saying `▲ 225 newer · g to jump` where 74,341 rows were
    newer than the screen: the count is of the rows a view put above the user's entry, and `G` leaves it,
    as `g` does. The line says none once at the oldest entry, and `k` or `PgUp` there does not bring it back."""
    app = file_app(aitronos_file(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        viewer = await kept_below_gmail_matches(pilot, app)
        assert newer_said(app) == rows_above_screen(viewer) > 40, status_line(app)
        await pilot.press("G")
        await settle(pilot)
        assert viewer.table.cursor_row == len(viewer.session.view) - 1
        assert "▲" not in status_line(app) and "newer" not in status_line(app), status_line(app)
        await pilot.press("k", "k", "pageup")
        await settle(pilot)
        assert "▲" not in status_line(app), status_line(app)
