"""`r` over a file keeps the entry selected (found in a walk): a log appended to and read again with `r` put
the cursor back on the newest row, the place the user had reached in 100,000 rows lost. The entry selected
before is selected again, at the same height on the screen, once the reading holds its line (the same bytes
at the same place in the file); at the newest row, `r` stays there, on the newest now."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from test_ui_file_reload import demo_entries
from test_ui_mixed_file import envelope
from ui_helpers import SIZE, file_app, settle, wait_until


def lines(entries: list[dict]) -> str:
    return "".join(json.dumps(entry) + "\n" for entry in entries)


async def moved_down(pilot, pages: int) -> tuple[str, int]:
    """Pages down, then a few rows: the entry selected and its height on the screen."""
    for keys in ["pagedown"] * pages + ["jjjjj"]:
        await pilot.press(*[keys] if keys == "pagedown" else keys)
        await settle(pilot)
    table = pilot.app.viewer.table
    height = table.cursor_row - round(table.scroll_y)
    assert table.cursor_row > 20 * pages and 0 < height, (table.cursor_row, height)
    return pilot.app.viewer.selected_entry().id, height


@pytest.mark.parametrize("written", ["oldest first", "newest first"])
async def test_r_over_a_file_appended_to_keeps_the_entry_selected(tmp_path: Path, written: str) -> None:
    entries = demo_entries(400, seed=6)  # (newest first)
    path = tmp_path / "logs.jsonl"
    if written == "oldest first":  # (a log appended to: the newer lines come at its end)
        first, added = entries[:49:-1], entries[49::-1]
    else:  # (older lines added at its end)
        first, added = entries[:350], entries[350:]
    path.write_text(lines(first))
    app = file_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table, (chosen, height) = app.viewer.table, await moved_down(pilot, pages=3)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(lines(added))
        await pilot.press("r")
        await settle(pilot)
        await wait_until(pilot, lambda: len(app.viewer.view) == 400, said=lambda: len(app.viewer.view))
        assert app.viewer.selected_entry().id == chosen
        assert table.cursor_row - round(table.scroll_y) == height  # (at the same height on the screen)
        assert {e.id for e in app.viewer.store.entries(app.viewer.view.index)} == {e["id"] for e in entries}


async def test_r_at_the_newest_row_shows_the_newest_after_it(tmp_path: Path) -> None:
    entries = demo_entries(300, seed=7)
    path = tmp_path / "logs.jsonl"
    path.write_text(lines(entries[:249:-1]))
    app = file_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(lines(entries[249::-1]))
        await pilot.press("r")
        await settle(pilot)
        assert app.viewer.selected_entry().id == entries[0]["id"] and app.viewer.table.cursor_row == 0


async def test_r_over_a_merged_tabs_save_appended_to_keeps_the_entry_selected(tmp_path: Path) -> None:
    """The same over a merged tab's save (`mixed_file.py`): it went back to the newest row."""
    entries = demo_entries(400, seed=8)
    path = tmp_path / "all.jsonl"
    path.write_text("".join(envelope("sm", "supermetrics", entry) + "\n" for entry in entries[:49:-1]))
    app = file_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: len(app.viewer.view) == 350, said=lambda: len(app.viewer.view))
        await settle(pilot)
        table, (chosen, height) = app.viewer.table, await moved_down(pilot, pages=2)
        with path.open("a", encoding="utf-8") as handle:
            handle.write("".join(envelope("sm", "supermetrics", entry) + "\n" for entry in entries[49::-1]))
        await pilot.press("r")
        await wait_until(pilot, lambda: len(app.viewer.view) == 400, said=lambda: len(app.viewer.view))
        await settle(pilot)
        assert app.viewer.selected_entry().id == chosen
        assert table.cursor_row - round(table.scroll_y) == height
