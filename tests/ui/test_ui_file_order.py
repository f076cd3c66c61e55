"""A file written oldest first (or in any order) opens newest first, once its fields are read."""

from __future__ import annotations

import json
import random
from pathlib import Path

from ui_helpers import SIZE, file_app, settle, table_lines


async def test_a_file_written_out_of_order_is_shown_newest_first(tmp_path: Path) -> None:
    rng = random.Random(11)
    entries = [{"id": f"e{i:03d}", "log_time": f"2025-01-01T{i // 60:02d}:{i % 60:02d}:00Z", "status": 200,
                "event": f"event.{i:03d}"} for i in range(300)]
    rng.shuffle(entries)
    path = tmp_path / "shuffled.jsonl"
    path.write_text("".join(json.dumps(entry) + "\n" for entry in entries), encoding="utf-8")
    app = file_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        ids = [entry.id for entry in app.viewer.store.entries(app.viewer.view.index)]
        assert ids == [f"e{i:03d}" for i in range(299, -1, -1)]
        assert "event.299" in table_lines(app)[1]  # the newest on the first row
        await pilot.press("G")
        await settle(pilot)
        assert "event.000" in "\n".join(table_lines(app))
