"""The sidebar's event (credential) field shows the value chosen on one line, cut where the field ends: an
event name of 200 characters wrapped over eight lines of the sidebar, pushing the search below them (found in
a walk)."""

from __future__ import annotations

import json
from pathlib import Path

from logview.model import Filters
from ui_helpers import SIZE, file_app, screen_text, settle

LONG = "sync." + "x" * 195


async def test_a_long_event_chosen_shows_on_one_line(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps({"id": f"e{i}", "log_time": f"2025-11-15T11:59:0{i}Z", "status": 200,
                                        "event": event, "request": "GET /x", "duration_ms": 5}) + "\n"
                            for i, event in enumerate((LONG, "data.page"))))
    app = file_app(path, filters=Filters(event=LONG))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        sidebar = [line[:31].rstrip() for line in screen_text(app).splitlines()]
        title = next(i for i, line in enumerate(sidebar) if line.strip().startswith("EVENT"))
        assert sidebar[title + 1].startswith("  sync.xxx") and "…" in sidebar[title + 1], sidebar[title:title + 4]
        assert sidebar[title + 2] == "" and sidebar[title + 3].strip().startswith("SEARCH"), sidebar[title:title + 4]
