"""The stats panel's page keys move its highlight, not just the view: Enter chooses the row the user
sees highlighted (a walk found End scrolled to the error groups while the highlight stayed on the
first tool, off the screen, and Enter filtered by that tool)."""

from __future__ import annotations

from logview.demo import DemoServer
from ui_helpers import make_app, settle, widget_text

SMALL = (80, 24)


async def stats_open(pilot):
    """The stats panel opened (focused) over a settled viewer."""
    await settle(pilot)
    await pilot.press("i")
    await settle(pilot)
    return pilot.app.viewer.stats


def highlighted_on_screen(stats) -> bool:
    top = round(stats.scroll_y)
    rows_shown = stats.scrollable_content_region.height - 2  # (the title and the headings stay)
    return top <= stats.cursor < top + rows_shown


async def test_end_highlights_the_last_error_group_and_enter_filters_by_it(demo: DemoServer) -> None:
    app = make_app(demo)
    async with app.run_test(size=SMALL) as pilot:
        stats = await stats_open(pilot)
        last = stats.data.errors[-1]
        await pilot.press("end")
        await settle(pilot)
        assert highlighted_on_screen(stats)
        lines = widget_text(stats).splitlines()
        assert "ERROR GROUPS" in lines[1] and "tool" not in lines[1]  # the headings say what is below them
        await pilot.press("enter")
        await settle(pilot)
        assert app.viewer.filters.error == last.group and app.viewer.filters.tool is None
        await pilot.press("home")
        await settle(pilot)
        assert stats.cursor == 0 and round(stats.scroll_y) == 0
        assert "tool" in widget_text(stats).splitlines()[1]
        await pilot.press("G")  # (as in the histogram and the detail)
        await settle(pilot)
        assert stats._rows[stats.cursor].item == last and highlighted_on_screen(stats)
        await pilot.press("g")
        await settle(pilot)
        assert stats.cursor == 0


async def test_page_down_and_up_move_the_highlight_with_the_view(demo: DemoServer) -> None:
    app = make_app(demo)
    async with app.run_test(size=SMALL) as pilot:
        stats = await stats_open(pilot)
        assert len(stats._rows) > stats.scrollable_content_region.height  # (the list is longer than the panel)
        seen = [stats.cursor]
        for _ in range(len(stats._rows)):
            await pilot.press("pagedown")
            await settle(pilot)
            assert highlighted_on_screen(stats)
            if stats.cursor == seen[-1]:
                break
            seen.append(stats.cursor)
        assert seen == sorted(seen) and len(seen) > 3
        page = stats.scrollable_content_region.height - 2
        assert all(0 < b - a <= page for a, b in zip(seen, seen[1:]))  # a screen's rows at most, never nothing
        assert seen[-1] == max(i for i in range(len(stats._rows)) if stats._selectable(i))  # then the last row
        await pilot.press("pageup")
        await settle(pilot)
        assert stats.cursor < seen[-1] and highlighted_on_screen(stats)
        await pilot.press("down")
        await settle(pilot)
        assert highlighted_on_screen(stats)


async def test_a_resize_keeps_the_highlighted_row_on_the_screen(demo: DemoServer) -> None:
    """60×15 → 40×10 left the highlighted row out of view, the rows shown unhighlighted (found in a walk)."""
    app = make_app(demo)
    async with app.run_test(size=(60, 15)) as pilot:
        stats = await stats_open(pilot)
        await pilot.press("end")
        await settle(pilot)
        assert highlighted_on_screen(stats)
        await pilot.resize_terminal(40, 10)
        await settle(pilot)
        await settle(pilot)
        assert stats.display and highlighted_on_screen(stats), (round(stats.scroll_y), stats.cursor)
