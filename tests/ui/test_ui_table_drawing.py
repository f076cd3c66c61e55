"""The table draws each entry's row once and keeps it while its columns are laid out the same way
(`ui/table_drawing.py`): a resize that keeps the width draws no row again (a big file's first frame is
followed by one of the same size, and the frame of its lines found drew the screen's rows again, the
frame a `G` pressed then waits behind); a new width lays the columns out again and draws the rows anew,
cut to it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from logview.ui import table_drawing
from ui_helpers import SIZE, file_app, settle


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    path = tmp_path / "logs.jsonl"
    path.write_text("".join(json.dumps({
        "id": f"r{i}", "log_time": f"2025-11-15T11:{59 - i // 60:02d}:{59 - i % 60:02d}Z", "status": 200,
        "event": "data.page", "request": f"GET /reports/campaign_performance?page={i}&fields=all"}) + "\n"
        for i in range(200)))
    return path


def screen_text(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def test_a_resize_that_keeps_the_width_draws_no_row_again_and_a_new_width_draws_them_cut_to_it(
        logs: Path, monkeypatch) -> None:
    drawn: list[int] = []
    row_strip = table_drawing.row_strip
    monkeypatch.setattr(table_drawing, "row_strip", lambda store, ordinal, *args, **kwargs: (
        drawn.append(ordinal), row_strip(store, ordinal, *args, **kwargs))[1])
    app = file_app(logs)
    width, height = SIZE
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.pause()
        assert drawn and "page=0&fields=all" in screen_text(app)
        drawn.clear()
        for size in ((width, height), (width, height - 8), (width, height)):  # (the same, shorter, taller again)
            await pilot.resize_terminal(*size)
            await pilot.pause()
            await pilot.pause()
        assert "page=0&fields=all" in screen_text(app)  # (the rows shown all along)
        assert drawn == [], f"{len(drawn)} rows drawn again for a size with the same width"
        await pilot.resize_terminal(90, height)
        await pilot.pause()
        await pilot.pause()
        assert drawn, "a new width draws the rows again"
        text = screen_text(app)
        assert "page=0&fields=all" not in text and "GET /reports/campaign" in text  # (cut to the narrower column)
