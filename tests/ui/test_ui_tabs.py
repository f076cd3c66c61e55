"""Several sources side by side: one tab each, all loading from the start, each with its own
filters; `[`/`]` or a click switch tabs."""

from __future__ import annotations

from logview.demo import DemoServer
from logview.model import Filters
from logview.options import ViewerOptions
from logview.ui.app import LogViewApp
from logview.ui.viewer import ViewerScreen
from ui_helpers import FAST, SIZE, connection, screen_text, settle


def tabs_app(server: DemoServer) -> LogViewApp:
    first = ViewerOptions(filters=Filters(), connection=connection(server, "aitronos"))
    second = ViewerOptions(filters=Filters(statuses=("5xx",)), connection=connection(server, "supermetrics"))
    return LogViewApp(first, second, policy=FAST)


async def settle_all(pilot, app) -> None:
    for _ in range(50):
        await settle(pilot)
        if all(viewer.phase == "complete" for viewer in app.viewers):
            return
        await pilot.pause(0.05)


async def test_every_tab_loads_from_the_start_and_keys_switch_between_them(demo: DemoServer) -> None:
    app = tabs_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle_all(pilot, app)
        first, second = app.viewers
        assert app.screen is first
        assert len(first.view) == len(demo.state.aitronos_logs)
        fives = [e for e in demo.state.supermetrics_logs if e["status"] is not None and e["status"] >= 500]
        assert len(second.view) == len(fives)  # loaded while hidden, with its own filters
        text = screen_text(app)
        assert "1 demo data (aitronos)" in text and "2 demo data (supermetrics)" in text
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert app.screen is second and app.view is second.view
        assert f"shown {len(fives):,}" in screen_text(app)
        await pilot.press("2")  # a filter in this tab only (3xx besides 5xx)
        await pilot.pause()
        assert second.filters.statuses == ("3xx", "5xx") and first.filters.statuses == ()
        await pilot.press("right_square_bracket")  # wraps around
        await pilot.pause()
        assert app.screen is first and first.filters.statuses == ()


async def test_a_click_on_a_tab_shows_it(demo: DemoServer) -> None:
    app = tabs_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle_all(pilot, app)
        strip = app.viewers[0].tab_strip
        start, _ = strip._spans[1]
        await pilot.click(strip, offset=(start + 2, 0))
        await pilot.pause()
        assert app.screen is app.viewers[1]


async def test_one_source_has_no_tab_strip(demo: DemoServer) -> None:
    app = LogViewApp(ViewerOptions(filters=Filters(), connection=connection(demo, "aitronos")), policy=FAST)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ViewerScreen) and app.screen.tab_strip is None
        assert "switch tabs" not in screen_text(app)
        await pilot.press("right_square_bracket")
        assert app.screen is app.viewers[0]
