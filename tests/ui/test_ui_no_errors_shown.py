"""`e` / `E` where the rows shown hold no error at all (a status filter of 2xx): it said "No more errors
below." (or "above."), which sent the user scrolling the other way for one (s28 walk #12). It says there
are none in the rows shown; with one shown, it still says there is none further that way."""

from __future__ import annotations

import json
from pathlib import Path

from ui_helpers import SIZE, file_app, kept_toasts, settle


def write_log(path: Path, statuses: list[int]) -> Path:
    path.write_text("".join(json.dumps({
        "id": f"r{i}", "log_time": f"2025-11-15T11:{59 - i:02d}:00Z", "status": status, "event": "data.page"}) + "\n"
        for i, status in enumerate(statuses)))
    return path


async def test_e_with_no_error_shown_says_there_is_none_in_the_rows_shown(tmp_path: Path) -> None:
    app = file_app(write_log(tmp_path / "log.jsonl", [200, 200, 503, 200, 200]))
    async with app.run_test(size=SIZE) as pilot:
        said = kept_toasts(app)
        await settle(pilot)
        await pilot.press("1")  # (2xx: the 503 is not shown)
        await settle(pilot)
        assert len(app.viewer.view) == 4
        for key in ("e", "E"):
            await pilot.press(key)
            await pilot.pause()
            assert said[-1] == "No errors, warnings or invalid entries in the rows shown.", said
        await pilot.press("0")  # (every status: the 503 is the third row)
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        assert app.viewer.table.cursor_row == 2
        await pilot.press("e")
        await pilot.pause()
        assert said[-1] == "No more errors below.", said
