"""A file's line that is JSON but not UTF-8, in the detail (found by a tester): it said "invalid
entry: not JSON: str is not valid UTF-8: surrogates not allowed: line 1 column 1 (char 0)"."""

from __future__ import annotations

from pathlib import Path

from ui_helpers import SIZE, detail_text, file_app, screen_text, settle

GOOD = b'{"id":"fine","log_time":"2025-11-15T10:00:00Z","status":200,"event":"data.page"}'
BAD = b'{"id":"bad\xff\xfeutf","log_time":"2025-11-15T09:00:00Z","status":200}'


async def test_the_detail_says_which_byte_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(GOOD + b"\n" + BAD + b"\n")
    app = file_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("G", "enter")
        await settle(pilot)
        assert "⚠ invalid entry: not UTF-8 (byte 0xFF at byte 10)" in detail_text(app)
        assert "not JSON" not in screen_text(app)
