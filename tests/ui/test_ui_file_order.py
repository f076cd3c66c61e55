"""A file written oldest first (or in any order) opens newest first, once its fields are read,
keeping the entry the user picked meanwhile (and `G`'s oldest)."""

from __future__ import annotations

import json
import random
from pathlib import Path

from ui_helpers import SIZE, cursor_line, file_app, settle, table_lines, wait_until


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


def oldest_first(tmp_path: Path, n: int = 3000) -> Path:
    path = tmp_path / "appended.jsonl"  # the order of an appended log: oldest first
    path.write_text("".join(json.dumps({"id": f"e{i:04d}", "log_time": f"2025-01-01T{i // 3600:02d}:"
                                        f"{i // 60 % 60:02d}:{i % 60:02d}Z", "status": 200,
                                        "event": f"event.{i:04d}"}) + "\n" for i in range(n)))
    return path


def selected_id(app) -> str:
    return app.viewer.store.entry(app.viewer.table.cursor_ordinal).id


async def test_the_selected_entry_and_its_detail_stay_when_the_rows_are_put_newest_first(
        held_reading, tmp_path: Path) -> None:
    """Picked while the fields are read (the rows still in the file's order), an entry stays
    selected, its detail open, when the rows are put newest first (it jumped to the newest)."""
    app = file_app(oldest_first(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: len(app.viewer.view) == 3000)
        await pilot.press("j", "j", "enter")
        await pilot.pause()
        picked = selected_id(app)
        assert picked == "e0002"  # (the file's third line)
        held_reading.set()
        await settle(pilot)
        assert app.viewer.store.entry(app.viewer.view.ordinal(0)).id == "e2999"  # newest first now
        assert selected_id(app) == picked and app.viewer.detail.entry.id == picked
        assert "event.0002" in cursor_line(app)


async def test_g_while_the_fields_are_read_ends_on_the_oldest_entry(held_reading, tmp_path: Path) -> None:
    app = file_app(oldest_first(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: len(app.viewer.view) == 3000)
        await pilot.press("G")
        await pilot.pause()
        held_reading.set()
        await settle(pilot)
        assert selected_id(app) == "e0000" and app.viewer.table.cursor_row == 2999
