"""The table's columns stand in the picker's order (`f`) at every width, the last giving way first,
and the error's (or request's) column keeps room to be read before a column after it keeps any.

Found in a walk: the credential, least important, left the screen and was drawn after the error,
whatever the picker's order said; and at 100–140 columns the error held 12 cells, `Gmail API d…`,
beside the whole credential, with no `→` (nothing had left the screen)."""

from __future__ import annotations

import orjson
import pytest

from logview.demo import DemoServer
from logview.settings.column_choice import ColumnChoice
from logview.ui.table_layout import FLEX_WIDTH
from test_ui_columns import app_with, picker_rows
from test_ui_field_widths import file_app_with
from ui_helpers import settle, table_lines

SIZES = [(100, 30), (110, 30), (120, 40), (140, 40), (160, 48)]


def app_of(source: str, demo: DemoServer, tmp_path):
    choice = ColumnChoice(tmp_path / "columns.json")
    if source == "api":
        return app_with(demo, choice)
    path = tmp_path / "logs.jsonl"  # the demo's entries, as `logview export` writes them
    path.write_bytes(b"".join(orjson.dumps(entry) + b"\n" for entry in demo.state.aitronos_logs))
    return file_app_with(path, choice)


async def pickers_order(pilot, app) -> list[str]:
    """The titles the picker ticks, in its list's order (it is opened and closed again)."""
    await pilot.press("f")
    await pilot.pause()
    order = [title for title, mark in picker_rows(app).items() if mark == "[x]"]
    await pilot.press("escape")
    await pilot.pause()
    return order


async def shown_in_order(pilot, app, order: list[str]) -> None:
    """The table's titles, on screen and then scrolled to with →, are the time, the status and `order`."""
    titles = ["time", "status", *order]
    layout = app.viewer.table.table_layout()
    assert [p.column.title for p in layout.placed if p.column.title] == titles, app.size  # (the mark has none)
    header = table_lines(app)[0]
    on_screen = header.replace("→", " ").split()
    assert on_screen == titles[:len(on_screen)], (app.size, header)  # the first ones, in order
    assert header.rstrip().endswith("→") == (len(on_screen) < len(titles)), (app.size, header)
    while app.viewer.table.shift < layout.max_shift(app.viewer.table.size.width):
        await pilot.press("right")
    assert table_lines(app)[0].replace("←", " ").split()[-1] == titles[-1], app.size
    while app.viewer.table.shift:
        await pilot.press("left")


@pytest.mark.parametrize("source", ["api", "file"])
async def test_the_columns_stand_in_the_pickers_order_at_every_width(demo: DemoServer, tmp_path, source) -> None:
    app = app_of(source, demo, tmp_path)
    async with app.run_test(size=SIZES[0]) as pilot:
        await settle(pilot)
        order = await pickers_order(pilot, app)
        for size in SIZES:
            await pilot.resize_terminal(*size)
            await settle(pilot)
            await shown_in_order(pilot, app, order)
        assert order == ["tool", "duration", "error", "credential"]  # the least needed last, first to go
        await pilot.press("f")  # the credential to the top: the order the user chose, at every width
        await pilot.pause()
        await pilot.press("down", "down", "down", "K", "K", "K", "enter")
        await pilot.pause()
        order = await pickers_order(pilot, app)
        assert order == ["credential", "tool", "duration", "error"]
        for size in reversed(SIZES):
            await pilot.resize_terminal(*size)
            await settle(pilot)
            await shown_in_order(pilot, app, order)


@pytest.mark.parametrize("source", ["api", "file"])
async def test_the_error_keeps_room_to_be_read_before_a_column_after_it(demo: DemoServer, tmp_path,
                                                                        source) -> None:
    app = app_of(source, demo, tmp_path)
    async with app.run_test(size=SIZES[0]) as pilot:
        for size in SIZES:
            await pilot.resize_terminal(*size)
            await settle(pilot)
            layout = app.viewer.table.table_layout()
            widths = {p.column.key: p.width for p in layout.placed if p.column.key not in layout.off_screen}
            header = table_lines(app)[0]
            assert header.rstrip().endswith("→") == bool(layout.off_screen), (size, header)
            if "credential" in widths:
                assert widths["message"] >= FLEX_WIDTH, (size, widths)
            if size[0] in (100, 110):  # (the sidebar folded: the table has the whole width)
                row = table_lines(app)[1]
                assert "Gmail API did not respon" in row, (size, row)  # (at 100 columns, 24 letters and `…`)
