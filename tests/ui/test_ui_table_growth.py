"""Rows that arrive below the screen move the scrollbar, not the layout: a big file's reading or a
long backfill adds rows dozens of times, and each layout of the whole screen stalls the keys."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.screen import Screen

import logview.ui.feed as feed_module
from logview.demo import DemoServer
from ui_helpers import SIZE, make_app, settle, supermetrics_server

ENTRIES, PAGE = 6000, 200


@pytest.fixture
def paged() -> Iterator[DemoServer]:
    with supermetrics_server(ENTRIES, seed=9) as server:
        yield server


async def test_appended_rows_move_the_scrollbar_without_laying_out_the_screen(
        paged: DemoServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feed_module, "POST_ENTRIES_EVERY_S", 0.0)  # every page reaches the table alone
    layouts: list[int] = []  # rows in the store at each layout of the screen
    appends: list[int] = []
    lay_out = Screen._refresh_layout

    def counting(screen: Screen, *args, **kwargs):
        layouts.append(len(app.viewer.store))
        return lay_out(screen, *args, **kwargs)

    monkeypatch.setattr(Screen, "_refresh_layout", counting)
    app = make_app(paged, "supermetrics", page_limit=PAGE)
    async with app.run_test(size=SIZE) as pilot:
        table = app.viewer.table
        apply_change = table.apply_change

        def recording(change) -> None:
            apply_change(change)
            if change.appended:
                appends.append(len(app.viewer.store))

        monkeypatch.setattr(table, "apply_change", recording)
        await settle(pilot)
        assert len(app.viewer.store) == ENTRIES
        assert table.vertical_scrollbar.window_virtual_size == table.row_count + 1 == ENTRIES + 1
        assert table.max_scroll_y == ENTRIES + 1 - table.scrollable_content_region.height
        await pilot.press("G")
        await settle(pilot)
        assert table.cursor_row == ENTRIES - 1
    while_growing = [rows for rows in layouts if PAGE < rows < ENTRIES]
    assert len(appends) >= 10, appends  # the rows did come in many steps
    assert len(while_growing) <= 3, (len(while_growing), len(appends))
