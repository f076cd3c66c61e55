"""The detail's match count counts the entry's text once (s26 walk #6): the summary under the title
repeats the request (`data.page · 736 ms · needle needle …`), so thirty needles in the request were
"match 3 of 60", `n` going through the summary's copies first. The summary's copies are still
marked, but `n` steps through the entry's fields only."""

from __future__ import annotations

import json
from pathlib import Path

from test_ui_detail_search import current_match_cells, detail_focused, marked_cells
from ui_helpers import file_app, settle, wait_until

NEEDLES = " ".join(["needle"] * 30)


async def test_n_counts_the_needles_of_the_request_once_not_again_in_the_summary(tmp_path: Path) -> None:
    entry = {"id": "sm-1", "log_time": "2026-12-01T10:00:00Z", "status": 200, "event": "data.page",
             "duration_ms": 736, "request": f"GET /v2/reports?q={NEEDLES}"}
    (tmp_path / "long.jsonl").write_text(json.dumps(entry) + "\n")
    app = file_app(tmp_path / "long.jsonl")
    async with app.run_test(size=(160, 48)) as pilot:
        viewer = app.viewer
        await detail_focused(pilot, app, "needle", rows=1)
        summary = marked_cells(app)[0]
        assert summary.count("needle") >= 2  # the summary's copies are marked all the same
        await pilot.press("n")
        await wait_until(pilot, lambda: "match 1 of 30 · n N" in str(viewer.detail.border_title),
                         said=lambda: viewer.detail.border_title)
        await pilot.press("N")
        await wait_until(pilot, lambda: "match 30 of 30 · n N" in str(viewer.detail.border_title),
                         said=lambda: viewer.detail.border_title)
        await settle(pilot)
        assert current_match_cells(app) == ["needle"], current_match_cells(app)
