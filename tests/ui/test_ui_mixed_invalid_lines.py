"""A mixed file's invalid lines (s21 walk #15): a line whose envelope names an unknown `api` was
shown under "(unreadable)", not the source it names, and without its entry's time and status;
a bare entry (status 200) counted under *ok*, the other invalid lines under *other*. Each now
shows the source it names and the status its entry holds, and every line, invalid or not,
counts under the status it shows (*other* when it shows none)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from test_ui_mixed_file import envelope
from ui_helpers import SIZE, file_app, screen_text, settle, table_lines

LINES = [
    envelope("ait", "aitronos", {"id": "a1", "created_at": "2025-11-15T12:00:00Z", "status": "success"}),
    envelope("sm", "supermetrics", {"id": "s1", "log_time": "2025-11-15T11:59:00Z", "status": 503,
                                    "event": "data.page"}),
    envelope("s2", "martian", {"id": "m1", "log_time": "2025-11-15T11:58:00Z", "status": 200, "event": "data.page"}),
    envelope("s3", "aitronos", "notanobject"),
    json.dumps({"id": "bare", "log_time": "2025-11-15T11:57:00Z", "status": 200, "event": "data.page"}),
    '{"source":"ait","api":"aitronos","entry":{"id":"torn"',
]


def sidebar_counts(app) -> dict[str, int]:
    found = re.findall(r"\d ○ (ok|info|warning|error|other)\s+([\d,]+)", screen_text(app))
    return {name: int(count.replace(",", "")) for name, count in found}


async def test_invalid_lines_show_the_source_they_name_and_count_by_the_status_they_show(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(LINES) + "\n")
    app = file_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        rows = table_lines(app)[1:7]
        martian = next(row for row in rows if "unknown api 'martian'" in row)
        # (read by its fields as a Supermetrics entry: its time in whole seconds, the milliseconds' place blank)
        assert re.search(r"^ !\s+11:58:00 {6}200\s+s2\s+data\.page", martian), martian
        assert "(unreadable)" not in martian
        assert [row for row in rows if "(unreadable)" in row] == [
            row for row in rows if "not an envelope" in row or "not JSON" in row]
        assert len([row for row in rows if "(unreadable)" in row]) == 2
        # every row counted under the status it shows: ok a1, m1 and the bare 200; error s1;
        # other the string entry and the torn line, which show none
        assert sidebar_counts(app) == {"ok": 3, "info": 0, "warning": 0, "error": 1, "other": 2}
        for key, status, wanted in (("1", "ok", 3), ("5", "other", 2)):
            await pilot.press(key)
            await settle(pilot)
            shown = [row for row in table_lines(app)[1:] if row.strip()]
            assert len(shown) == wanted, (status, shown)
            await pilot.press(key)
            await settle(pilot)
