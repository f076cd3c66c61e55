"""`b`'s choice holds across resizes (found by a tester): the sidebar hidden with `b` at 130 columns was shown
again after a resize to 100 and back, the choice dropped at every crossing of 120 columns. Hidden, it stays
hidden at any width; shown, until a width where it would cover the table (a drawer, below 80)."""

from __future__ import annotations

from logview.demo import DemoServer
from ui_helpers import make_app, settle


async def resized(pilot, width: int, height: int = 40) -> None:
    await pilot.resize_terminal(width, height)
    await pilot.pause()


async def test_the_sidebar_hidden_with_b_stays_hidden_after_resizes(demo: DemoServer) -> None:
    app = make_app(demo)
    async with app.run_test(size=(130, 40)) as pilot:
        await settle(pilot)
        viewer = app.viewer
        assert viewer.sidebar.display
        await pilot.press("b")
        await pilot.pause()
        assert not viewer.sidebar.display
        for width in (100, 130, 70, 160):
            await resized(pilot, width)
            assert not viewer.sidebar.display and viewer.browser.filter_line.display, width
        await pilot.press("b")  # (b again: shown, and it holds too)
        await pilot.pause()
        assert viewer.sidebar.display
        for width in (100, 130):
            await resized(pilot, width)
            assert viewer.sidebar.display and viewer.table.region.x == viewer.sidebar.region.right, width


async def test_a_sidebar_shown_with_b_folds_where_it_would_cover_the_table(demo: DemoServer) -> None:
    app = make_app(demo)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        viewer = app.viewer
        assert not viewer.sidebar.display  # (below 120 columns it folds away by itself)
        await pilot.press("b")
        await pilot.pause()
        assert viewer.sidebar.display
        await resized(pilot, 70)  # (a drawer over the table: not opened by a resize)
        assert not viewer.sidebar.display
        await resized(pilot, 100)
        assert not viewer.sidebar.display
        await resized(pilot, 160)  # (no choice held: wide, it is shown by itself)
        assert viewer.sidebar.display
