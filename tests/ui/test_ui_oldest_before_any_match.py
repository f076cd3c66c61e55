"""`G` pressed while a filtered view is still empty, its rows' fields not read yet: the intent to
follow the oldest row was dropped, and after loading the cursor sat on the newest match (s19 #5:
`4` then `G` at 'reading fields · 0 of 1,000,000' ended on the top 5xx, the oldest a month below).
README: `G` goes to the "oldest loaded entry (keeps following as pages arrive)"."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from ui_helpers import cursor_line, file_app, settle, wait_until

LINES = 30_000


def stamp(i: int) -> str:
    return f"2025-11-{15 - i // 3000:02d}T{11 - i // 3600 % 12:02d}:{59 - i // 60 % 60:02d}:{59 - i % 60:02d}Z"


@pytest.mark.parametrize("then", [(), ("g",)], ids=["G", "G then g"])
async def test_G_before_any_row_matches_ends_on_the_oldest_match(
        held_reading: threading.Event, tmp_path: Path, then: tuple[str, ...]) -> None:
    source = tmp_path / "big.jsonl"
    source.write_text("".join(json.dumps({"id": f"r{i}", "log_time": stamp(i), "status": 503 if i % 11 == 0 else 200,
                                          "event": "data.page", "request": f"GET /x?page={i}"}) + "\n"
                              for i in range(LINES)))
    oldest_match = max(i for i in range(LINES) if i % 11 == 0)
    app = file_app(source)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: len(app.viewer.store) == LINES)
        await pilot.press("4", "G", *then)  # (5xx: no row's status is read yet, nothing is shown)
        await pilot.pause()
        assert len(app.viewer.view) == 0
        held_reading.set()
        await settle(pilot)
        await wait_until(pilot, lambda: len(app.viewer.view) == len(range(0, LINES, 11)))
        await settle(pilot)
        table = app.viewer.table
        if then:  # (g afterwards: the newest, as if G had not been pressed)
            assert table.cursor_row == 0, cursor_line(app)
        else:
            assert table.cursor_row == len(app.viewer.view) - 1, cursor_line(app)
            assert f"page={oldest_match}" in cursor_line(app)
