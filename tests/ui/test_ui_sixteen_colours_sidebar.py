"""16 colours (the ANSI theme `run_viewer` picks for TERM=xterm): a selected status option kept
each part's own colour on its green bar: `5xx` red on green, its `●` green on green, hard to read
and meaningless to the red-green colour-blind (s19 #14). Its text is now one colour, as the
table's cursor row's is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from logview.ui.widgets.sidebar import StatusOption
from ui_helpers import file_app, settle

ROWS = [{"id": f"r{i}", "log_time": f"2025-11-15T11:{59 - i:02d}:00Z", "status": status, "event": "data.page"}
        for i, status in enumerate((200, 301, 404, 503, 500, None))]


def colours(option: StatusOption) -> set[tuple[object, object]]:
    """The (text colour, background) of each visible character the option draws."""
    line = option.render_line(0)
    return {(segment.style.color, segment.style.bgcolor) for segment in line
            if segment.style is not None and segment.text.strip()}


@pytest.mark.parametrize("theme", ["ansi-dark", "ansi-light"])
async def test_a_selected_status_option_is_one_colour_on_its_bar(tmp_path: Path, theme: str) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in ROWS))
    app = file_app(path)
    app.theme = theme
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("4")  # 5xx
        await settle(pilot)
        options = list(app.viewer.sidebar.query(StatusOption))
        selected = [option for option in options if option.selected]
        assert [option.option for option in selected] == ["5xx"]
        drawn = colours(selected[0])
        assert len(drawn) == 1, drawn  # key, ●, name and count alike
        (colour, background), = drawn
        assert colour is not None and colour != background
        assert len(colours(options[0])) > 1  # (an option not selected keeps its colours)
        await pilot.press("4")  # (and so does this one, once no longer selected)
        await settle(pilot)
        assert not selected[0].selected and len(colours(selected[0])) > 1
