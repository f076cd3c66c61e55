"""`e` pressed before the fields that tell errors are read: it said "No more errors below." and did
not move, at 'reading fields · 0%' with 120,461 errors in the file (found in a walk). It says the
errors are still being counted, and moves once they are."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from ui_helpers import SIZE, file_app, kept_toasts, settle, wait_until

LINES = 30_000


async def test_e_while_the_fields_are_read_says_errors_are_still_being_counted(
        held_reading: threading.Event, tmp_path: Path) -> None:
    source = tmp_path / "big.jsonl"
    source.write_text("".join(json.dumps({
        "id": f"r{i}", "log_time": f"2025-11-15T{11 - i // 3600:02d}:{59 - i // 60 % 60:02d}:{59 - i % 60:02d}Z",
        "status": 503 if i == 2 else 200, "event": "data.page"}) + "\n" for i in range(LINES)))
    app = file_app(source)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: len(app.viewer.store) == LINES)
        said = kept_toasts(app)
        await pilot.press("e")
        await pilot.pause()
        assert said == [f"Errors are still being counted: the fields of {LINES:,} entries are still being read …"], said
        assert app.viewer.table.cursor_row == 0
        held_reading.set()
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        assert app.viewer.table.cursor_row == 2
