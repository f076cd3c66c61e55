"""The table's own style (its colours over its ancestors' backgrounds) is worked out once until the table
is refreshed or restyled (`styling.widget_style`), not at every line it draws: Textual works it out from
every ancestor at each read (~38 µs), a sixth of drawing a screen of rows it had cached. Kept any longer,
a theme chosen from the palette or the focus leaving the table would draw the rows in the colours before."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from logview.ui.widgets.styling import widget_style
from ui_helpers import SIZE, file_app, settle


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    path = tmp_path / "logs.jsonl"
    path.write_text("".join(json.dumps({
        "id": f"r{i}", "log_time": f"2025-11-15T11:{59 - i // 60:02d}:{59 - i % 60:02d}Z", "status": 200,
        "event": "data.page", "request": f"GET /row/{i}"}) + "\n" for i in range(200)))
    return path


def row_background(app, y: int = 5):
    """The background the table draws its row on line `y` (not the cursor's) with, and its whole style now."""
    table = app.viewer.table
    strip = table.render_line(y)
    colours = {segment.style.bgcolor for segment in strip if segment.style is not None and segment.text.strip()}
    return colours, table.rich_style


async def test_a_theme_chosen_redraws_the_rows_in_its_colours(logs: Path) -> None:
    app = file_app(logs)
    async with app.run_test(size=SIZE) as pilot:
        app.theme = "textual-dark"
        await settle(pilot)
        await pilot.pause()
        before, style = row_background(app)
        assert before == {style.bgcolor}, (before, style)
        assert widget_style(app.viewer.table) == style
        app.theme = "textual-light"
        await settle(pilot)
        await pilot.pause()
        after, style = row_background(app)
        assert after == {style.bgcolor} and after != before, (before, after)
        assert widget_style(app.viewer.table) == style  # (kept anew, not the dark one)


async def test_the_style_kept_goes_with_a_refresh_and_a_restyle(logs: Path, monkeypatch) -> None:
    from textual.dom import DOMNode

    from logview.ui.widgets.log_table import LogTable

    looked: list[object] = []
    worked_out = DOMNode.rich_style.fget
    monkeypatch.setattr(LogTable, "rich_style", property(lambda widget: looked.append(widget) or worked_out(widget)))
    app = file_app(logs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.viewer.table
        widget_style(table)
        looked.clear()
        for _ in range(3):
            widget_style(table)
        assert not looked  # (one lookup until the table changes)
        table.refresh()
        widget_style(table)
        assert looked == [table]  # (worked out again)
        table.notify_style_update()
        widget_style(table)
        assert looked == [table, table]
        looked.clear()
        table.refresh()
        await pilot.pause()
        assert len(looked) <= 2, len(looked)  # (a frame of ~46 lines drawn: once, not a line at a time)
