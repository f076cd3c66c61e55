"""Rows that arrive below the screen move the scrollbar, not the layout: a big file's reading or a
long backfill adds rows dozens of times, and each layout of the whole screen stalls the keys."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.screen import Screen
from textual.scrollbar import ScrollBar

import logview.ui.feed as feed_module
from logview.demo import DemoServer
from logview.files import columns, columns_pass
from logview.ui import file_reading
from logview.ui.widgets.log_table import LogTable
from test_ui_bigfile import status_in
from test_ui_file_reload import demo_entries, write_entries
from ui_helpers import SIZE, file_app, make_app, screen_text, settle, supermetrics_server, wait_until

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


async def test_a_files_columns_repaint_neither_the_table_nor_its_scrollbar(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file's filter columns, read after its lines, add no row: a post of them repainted the
    scrollbar and the table's rows under it (2–6 ms of the UI thread a post, beside the reader on
    its core). The rows reach the scrollbar as before, and the counts are the file's."""
    path = tmp_path / "logs.jsonl"
    entries = demo_entries(8_000, seed=3)
    write_entries(path, entries)
    monkeypatch.setattr(columns, "CHUNK_BYTES", 64 << 10)
    monkeypatch.setattr(columns_pass, "GATHER_ROWS", 300)  # (posts of columns)
    monkeypatch.setattr(file_reading, "POST_COLUMNS_EVERY_S", 0.0)
    posts: list[tuple[int, int]] = []  # (rows the post added, repaints of the table's scrollbar it made)
    repaints = [0]
    repaint, apply_change = ScrollBar.refresh, LogTable.apply_change

    def counted(bar: ScrollBar, *args, **kwargs):
        repaints[0] += bar.parent is app.viewer.table and bar.vertical
        return repaint(bar, *args, **kwargs)

    def recording(table: LogTable, change) -> None:
        before = repaints[0]
        apply_change(table, change)
        posts.append((change.appended + change.prepended, repaints[0] - before))

    monkeypatch.setattr(ScrollBar, "refresh", counted)
    monkeypatch.setattr(LogTable, "apply_change", recording)
    app = file_app(path, max_entries=None)
    async with app.run_test(size=SIZE) as pilot:
        table, bar = app.viewer.table, app.viewer.table.vertical_scrollbar
        await wait_until(pilot, lambda: app.viewer.session.phase == "complete", said=lambda: posts)
        assert bar.window_virtual_size == table.row_count + 1 == len(entries) + 1
        failed = sum(1 for entry in entries if status_in("supermetrics", entry.get("status"), "5xx"))
        await pilot.press("4")  # 5xx
        await wait_until(pilot, lambda: f"shown {failed:,} " in screen_text(app), said=lambda: screen_text(app))
    columns_only = [repainted for added, repainted in posts if not added]
    assert len(columns_only) >= 2, posts  # (the columns did come in posts of their own)
    assert not any(columns_only), posts
