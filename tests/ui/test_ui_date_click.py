"""A click into the date field selects the range in force, as `d` does, so a range typed replaces it
(s26 walk #4: a click put the cursor after `1d`, and `2h` typed read `1d2h`, "not a time"); a second
click, into the field being edited, places the cursor, as in a browser's address bar."""

from __future__ import annotations

from logview.demo import DemoServer
from logview.model import Filters
from ui_helpers import SIZE, make_app, screen_text, settle, wait_until


async def test_a_click_into_the_date_field_selects_the_range_so_typing_replaces_it(demo: DemoServer) -> None:
    app = make_app(demo, filters=Filters().with_time_range("1d", ""))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        since = app.viewer.sidebar.query_one("#since")
        assert since.value == "1d" and not since.has_focus
        await pilot.click("#since", offset=(1, 0))  # (on the `d` of `1d`)
        await wait_until(pilot, lambda: since.has_focus)
        assert since.selected_text == "1d"
        await pilot.press(*"2h", "enter")
        await wait_until(pilot, lambda: app.viewer.session.filters.since_text == "2h",
                         said=lambda: (since.value, app.viewer.session.filters.since_text))
        await settle(pilot)
        assert "not a time" not in screen_text(app)


async def test_a_click_into_the_date_field_being_edited_places_the_cursor(demo: DemoServer) -> None:
    app = make_app(demo, filters=Filters().with_time_range("12h", ""))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        since = app.viewer.sidebar.query_one("#since")
        await pilot.click("#since", offset=(1, 0))
        await wait_until(pilot, lambda: since.has_focus)
        assert since.selected_text == "12h"
        await pilot.click("#since", offset=(2, 0))
        await wait_until(pilot, lambda: since.selection.is_empty, said=lambda: since.selection)
        await pilot.press("4")
        assert since.value == "124h"  # (typed where the second click placed the cursor)
