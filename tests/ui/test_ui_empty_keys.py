"""Keys on an empty table, and counts of one, say what is so (found in walks): `e`/`E` said "No more
errors below.", `y` said nothing, `r` on the merged tab with no failed tab said nothing, and the
stats read "1 entries"."""

from __future__ import annotations

import json
from pathlib import Path

from logview.demo import DemoServer
from test_ui_tabs import settle_all, tabs_app
from ui_helpers import SIZE, file_app, kept_toasts, screen_text, settle, wait_until


def write_file(path: Path, rows: int) -> Path:
    path.write_text("".join(json.dumps({"id": f"r{i}", "log_time": f"2025-11-15T11:00:0{i}Z", "status": 200,
                                        "event": "sync.start"}) + "\n" for i in range(rows)))
    return path


async def test_keys_on_an_empty_table_say_no_row_is_shown(tmp_path: Path) -> None:
    app = file_app(write_file(tmp_path / "few.jsonl", 3))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")  # 3xx: none
        await settle(pilot)
        assert not len(app.viewer.view)
        said = kept_toasts(app)  # (as they are said: app._notifications holds one only once its message is handled)
        for key in ("e", "E", "y"):
            said.clear()
            await pilot.press(key)
            await wait_until(pilot, lambda: said, said=lambda: said)
            assert said == {"e": ["No row is shown: no error to go to."],
                                  "E": ["No row is shown: no error to go to."],
                                  "y": ["Nothing to copy: no row is shown."]}[key]


async def test_keys_on_an_empty_histogram_say_there_is_no_bar(tmp_path: Path) -> None:
    """It was silent, the chart saying "no entries with a time to chart" (s30 walk #6)."""
    app = file_app(write_file(tmp_path / "few.jsonl", 3))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2", "h")  # 3xx: none
        await settle(pilot)
        assert not len(app.viewer.view) and "no entries with a time to chart" in screen_text(app)
        said = kept_toasts(app)
        for key, words in (("enter", "narrow the dates to"), ("left", "pick"), ("G", "pick"), ("end", "pick")):
            said.clear()
            await pilot.press(key)
            await wait_until(pilot, lambda: said, said=lambda: said)
            assert said == [f"No bar to {words}: no entry shown has a time."], key


async def test_the_stats_count_one_entry(tmp_path: Path) -> None:
    app = file_app(write_file(tmp_path / "one.jsonl", 1))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot)
        text = screen_text(app)
        assert "  1 entry" in text and "1 entries" not in text


async def test_r_on_the_merged_tab_with_no_failed_source_says_so(demo: DemoServer) -> None:
    app = tabs_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle_all(pilot, app)
        said = kept_toasts(app)
        app.show_tab(2)
        await pilot.pause(0.3)
        await pilot.press("r")
        await wait_until(pilot, lambda: said, said=lambda: said)
        assert said == ["No source failed: each tab loads its own (r in a tab loads it again), merged here."]


async def test_leaving_a_panel_goes_back_to_the_focused_detail(tmp_path: Path) -> None:
    """Enter Enter i Esc left the focus on the table, not the detail the user was reading (found in a walk)."""
    app = file_app(write_file(tmp_path / "few.jsonl", 3))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer = app.viewer
        for leave in (("i", "escape"), ("h", "escape"), ("i", "i"), ("h", "h")):
            await pilot.press(*(["enter"] if viewer.detail.display else ["enter", "enter"]))
            assert viewer.focused is viewer.detail
            await pilot.press(leave[0])
            await settle(pilot)
            assert viewer.focused in (viewer.stats, viewer.histogram)
            await pilot.press(leave[1])
            assert viewer.focused is viewer.detail, leave
        await pilot.press("escape", "i", "escape")  # (from the table: back to the table)
        assert viewer.focused is viewer.table
