"""Toasts at 160x48 read "Errors are still being counted: the fields of 1,000,000   …" (s19 #15):
not a wrap cut short but the table behind showing through: Textual's toast rack keeps a hidden
scrollbar's two columns at the right, and a truncated error's "…" in the table's last column
stood just past the toast's text, a stray ellipsis mid-sentence. The toasts reach the edge."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from ui_helpers import file_app, toasts_drawn, wait_until

LINES = 3_000
LONG_ERROR = "Gmail API rate limit reached for this credential; retry after the window resets " * 2


async def test_a_toast_is_not_run_into_by_the_table_behind_it(held_reading: threading.Event, tmp_path: Path) -> None:
    source = tmp_path / "errors.jsonl"
    source.write_text("".join(json.dumps({
        "id": f"log_{i}", "created_at": f"2025-11-15T11:{59 - i // 60 % 60:02d}:{59 - i % 60:02d}Z",
        "tool": "gmail.search_messages", "credential_id": "cred_1", "status": "error",
        "duration_ms": 400, "error": LONG_ERROR}) + "\n" for i in range(LINES)))
    app = file_app(source)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:  # (toasts drawn, as a user sees them)
        await wait_until(pilot, lambda: len(app.viewer.store) == LINES)
        await pilot.pause()
        await pilot.press("e")  # (its message is long enough to wrap)
        said = f"Errors are still being counted: the fields of {LINES:,} entries are still being read …"
        await wait_until(pilot, lambda: toasts_drawn(app) == said, said=lambda: toasts_drawn(app))
        held_reading.set()
