"""A time range that misses every entry loaded says so (s29 walk #3): `d` `2h` over last month's export
showed "No loaded entries match the filters." and nothing of why, the file's entries all older than the
range. The table says when the entries loaded run (at 60 columns too), and the key that changes the range; a range that
holds entries, the other filters matching none of them, says nothing of the sort."""

from __future__ import annotations

import re
from pathlib import Path

from test_ui_empty_keys import write_file
from ui_helpers import SIZE, file_app, screen_text, settle


async def ranged(pilot, app, since: str, until: str = "") -> str:
    """The screen once the range `since` … `until` is typed into the sidebar (`d`) and applied."""
    await pilot.press("d", "ctrl+u", *since, "tab", "ctrl+u", *until, "enter")
    await settle(pilot)
    assert app.viewer.session.filters.since_text == (since or None), app.viewer.session.filters
    return screen_text(app)


async def test_a_range_after_every_entry_of_a_file_says_when_they_run_and_d(tmp_path: Path) -> None:
    app = file_app(write_file(tmp_path / "few.jsonl", 3))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await ranged(pilot, app, "2h")
        assert not len(app.viewer.view)
        assert "No loaded entries match the filters." in screen
        assert "Entries loaded: 2025-11-15" in screen and "d changes the time range" in screen, screen
        await pilot.resize_terminal(60, 20)
        await settle(pilot)
        screen = screen_text(app)
        assert re.search(r"Entries loaded: 2025-11-15 \d\d:\d\d … 2025-11-15 \d\d:\d\d", screen), screen
        assert "d changes the time range." in screen, screen


async def test_a_range_before_every_entry_says_it_too_and_one_that_holds_them_does_not(tmp_path: Path) -> None:
    app = file_app(write_file(tmp_path / "few.jsonl", 3))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await ranged(pilot, app, "2025-11-01", "2025-11-02")
        assert "Entries loaded: 2025-11-15" in screen, screen
        screen = await ranged(pilot, app, "2025-11-15", "")
        assert len(app.viewer.view) == 3
        await pilot.press("2")  # (3xx: the range holds them all, the status matches none)
        await settle(pilot)
        screen = screen_text(app)
        assert "No loaded entries match the filters." in screen and "Entries loaded" not in screen, screen
