"""A source chosen in the merged tab's dropdown gives the focus back to the table, as a field's Enter
does: the focus stayed on the dropdown after a choice by mouse (its footer `⏎ Choose`), and `e` or
Enter pressed next opened it again instead of going to an error or opening the detail (s26 walk #6)."""

from __future__ import annotations

from textual.widgets import Select
from textual.widgets._select import SelectOverlay

from logview.demo import DemoServer
from ui_helpers import SIZE, screen_text, settle, two_tabs_app, wait_until

SUPERMETRICS = "demo data (supermetrics)"


async def merged_tab(pilot) -> None:
    app = pilot.app
    await wait_until(pilot, lambda: all(viewer.session.phase == "complete" for viewer in app.viewers[:2]))
    await pilot.press("right_square_bracket", "right_square_bracket")
    await wait_until(pilot, lambda: app.viewer is app.viewers[2])
    await settle(pilot)


def supermetrics_row(source: Select) -> int:
    return next(index for index, (prompt, _) in enumerate(source._options) if str(prompt) == SUPERMETRICS)


async def table_has_the_focus_on_the_source_chosen(pilot, demo: DemoServer) -> None:
    merged, source = pilot.app.viewer, pilot.app.viewer.sidebar.query_one("#facet", Select)
    await wait_until(pilot, lambda: len(merged.view) == len(demo.state.supermetrics_logs),
                     said=lambda: (source.value, len(merged.view)))
    await wait_until(pilot, lambda: merged.focused is merged.table, said=lambda: merged.focused)
    assert not source.expanded


async def test_a_source_chosen_by_mouse_gives_the_focus_back_to_the_table(demo: DemoServer) -> None:
    app = two_tabs_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await merged_tab(pilot)
        merged = app.viewer
        source = merged.sidebar.query_one("#facet", Select)
        await pilot.click(source)
        overlay = source.query_one(SelectOverlay)
        await wait_until(pilot, lambda: source.expanded and SUPERMETRICS in screen_text(app))
        await pilot.click(overlay, offset=(2, supermetrics_row(source)))
        await table_has_the_focus_on_the_source_chosen(pilot, demo)
        await pilot.press("enter")  # the first row's detail, not the dropdown again
        await wait_until(pilot, lambda: merged.detail.display, said=lambda: (source.expanded, merged.focused))
        assert not source.expanded


async def test_a_source_chosen_by_keys_gives_the_focus_back_to_the_table(demo: DemoServer) -> None:
    app = two_tabs_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await merged_tab(pilot)
        merged = app.viewer
        source = merged.sidebar.query_one("#facet", Select)
        source.focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: source.expanded)
        await pilot.press(*["down"] * supermetrics_row(source), "enter")
        await table_has_the_focus_on_the_source_chosen(pilot, demo)
