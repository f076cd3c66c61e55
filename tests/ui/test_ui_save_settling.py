"""`s` while a big file's fields are still being read: the dialog says the rows shown are not all
yet (the status line counts them: one count on screen), and the file is written once every field is read, holding every
entry the filters pick (it once saved the 3,013 read so far, of 37,918, without a word)."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

from logview.ui.screens.save_dialog import SaveDialog
from ui_helpers import file_app, kept_toasts, screen_text, toast_said, wait_until

LINES = 30_000


def five_hundreds(path: Path) -> list[bytes]:
    lines = path.read_bytes().splitlines()
    return [line for line in lines if (json.loads(line).get("status") or 0) >= 500]


async def test_a_save_while_fields_are_read_waits_for_them_and_holds_every_match(
        held_reading: threading.Event, tmp_path: Path) -> None:
    source = tmp_path / "big.jsonl"
    rows = [{"id": f"r{i}", "log_time": f"2025-11-15T{11 - i // 3600 % 12:02d}:{59 - i // 60 % 60:02d}:"
                                        f"{59 - i % 60:02d}Z", "status": 500 + i % 4 if i % 7 == 0 else 200,
             "event": "data.page", "request": f"GET /x?page={i}", "duration_ms": i % 900} for i in range(LINES)]
    source.write_text("".join(json.dumps(row) + "\n" for row in rows))
    wanted = five_hundreds(source)
    target = tmp_path / "errors.jsonl"
    app = file_app(source)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: len(app.viewer.store) == LINES)
        await pilot.press("4")  # 5xx: needs every row's status
        await pilot.pause()
        assert app.viewer.session.view_settling()
        await pilot.press("s")
        await wait_until(pilot, lambda: isinstance(app.screen, SaveDialog))
        text = screen_text(app)
        assert "Save the entries shown (saved once every field is read)" in text, text
        app.screen.query_one("#save-path").value = str(target)  # type: ignore[attr-defined]
        said = kept_toasts(app)
        await pilot.press("enter")
        await toast_said(pilot, said, "once every field is read")
        await pilot.pause(0.3)
        assert not target.exists()  # nothing written while the fields are still being read
        held_reading.set()
        await toast_said(pilot, said, f"Saved {len(wanted):,} entries")
    assert target.read_bytes() == b"".join(line + b"\n" for line in wanted)


async def test_the_dialog_count_follows_the_reading(held_reading: threading.Event, tmp_path: Path) -> None:
    """While the fields are read the dialog names no count (it counted the table's rows, the
    status line those whose fields are read: 25,588 beside 15,296, s28 walk #8): the status line's
    `shown` is the one count on screen; once they are read, the dialog names the rows it saves."""
    source = tmp_path / "some.jsonl"
    source.write_text("".join(json.dumps({"id": f"r{i}", "log_time": "2025-11-15T11:00:00Z", "status": 503,
                                          "event": "e"}) + "\n" for i in range(LINES)))
    app = file_app(source)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: len(app.viewer.store) == LINES)
        await pilot.press("4", "s")
        await wait_until(pilot, lambda: isinstance(app.screen, SaveDialog))
        await pilot.pause(0.3)  # (the dialog's title is asked again every 0.25 s)
        lines = screen_text(app).splitlines()
        title = next(line for line in lines if "Save the entries shown" in line)
        assert "Save the entries shown (saved once every field is read)" in title, title
        assert not re.search(r"\d", title.split("Save the entries shown")[1].split("│")[0]), title
        assert re.search(r"shown \d", lines[0]), lines[0]
        held_reading.set()
        await wait_until(pilot, lambda: f"Save the {LINES:,} entries shown" in screen_text(app))
