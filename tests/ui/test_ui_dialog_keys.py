"""The dialogs' keys (found in walks): j/k move in their lists as in the table (only the arrows
did), and each footer names Enter (the connector picker's and the name dialog's showed only Esc)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual import events
from textual.widgets import OptionList

from logview.demo import DemoServer
from logview.ui.screens.column_picker import ColumnPicker
from logview.ui.screens.connector_picker import ConnectorPicker
from logview.ui.screens.name_dialog import NameDialog
from test_ui_palette import one_entry_file
from test_ui_saved_filters import palette
from ui_helpers import SIZE, file_app, make_app, picker_app, screen_text, settle, wait_until


def footer_line(app) -> str:
    return screen_text(app).splitlines()[-1]


async def test_the_connector_picker_moves_with_j_k_and_names_enter(demo: DemoServer) -> None:
    app = picker_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ConnectorPicker)
        assert "⏎ Read its logs" in footer_line(app) and "esc Cancel" in footer_line(app)
        options = app.screen.query_one(OptionList)
        await pilot.press("j")
        assert options.highlighted == 1
        await pilot.press("k")
        assert options.highlighted == 0


async def test_the_column_picker_moves_with_j_k(tmp_path: Path) -> None:
    app = file_app(one_entry_file(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, ColumnPicker)
        options = app.screen.query_one(OptionList)
        start = options.highlighted
        await pilot.press("j", "j")
        assert options.highlighted == start + 2
        await pilot.press("k")
        assert options.highlighted == start + 1


async def test_the_name_dialog_footer_names_enter(tmp_path: Path) -> None:
    app = file_app(one_entry_file(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await palette(pilot, "Save filters as")
        assert isinstance(app.screen, NameDialog)
        assert "⏎ Save" in footer_line(app) and "esc Cancel" in footer_line(app)


async def test_the_footer_names_the_keys_of_a_filter_field(tmp_path: Path) -> None:
    """With the search or a date focused the footer was only '^p palette' (found in a walk)."""
    app = file_app(one_entry_file(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await pilot.pause(0.2)
        assert footer_line(app).split()[:6] == ["⏎", "Apply", "esc", "Clear", "tab", "Next"]
        await pilot.press("escape", "d")
        await pilot.pause(0.2)
        assert footer_line(app).split()[:6] == ["⏎", "Apply", "esc", "Revert", "tab", "Next"]
        await pilot.press("tab")
        assert app.viewer.focused.id == "until"
        await pilot.press(*"xyz", "escape")
        assert app.viewer.focused is app.viewer.table and not app.viewer.filters.until


async def test_s_ctrl_u_and_a_name_in_one_burst_save_under_that_name(tmp_path: Path, monkeypatch) -> None:
    """`s` ctrl+u `out.jsonl⏎` sent at once left "Type a file name." and an empty field: ctrl+u's
    binding acted after the characters that followed it (found in a walk)."""
    monkeypatch.chdir(tmp_path)
    app = file_app(one_entry_file(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        keys = [("s", "s"), ("ctrl+u", "\x15"), *[({".": "full_stop"}.get(c, c), c) for c in "out.jsonl"],
                ("enter", "\r")]
        for key, character in keys:
            app.post_message(events.Key(key, character))
        await wait_until(pilot, lambda: (tmp_path / "out.jsonl").exists())
        await settle(pilot)
        assert (tmp_path / "out.jsonl").read_text().count("\n") == 1


async def test_the_event_dropdown_footer_names_enter(demo: DemoServer) -> None:
    app = make_app(demo, "supermetrics")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("d", "tab", "tab")  # since, until, then the event dropdown
        await pilot.pause(0.2)
        assert app.viewer.focused.id == "facet" and footer_line(app).split()[:2] == ["⏎", "Choose"]
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert app.viewer.focused.id != "facet"  # (its list is open)


async def test_the_open_event_dropdown_hides_the_sidebar_beneath_it(demo: DemoServer) -> None:
    """s14 C2: at 120×40 the open list let the S of SEARCH show at its left (` Sauth.token.refresh`)."""
    app = make_app(demo, "supermetrics")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("d", "tab", "tab", "enter")
        await pilot.pause(0.3)
        overlay = app.screen.query_one("SelectOverlay").region
        rows = screen_text(app).splitlines()[overlay.y:overlay.bottom]
        sidebar = [row[:overlay.right] for row in rows]
        assert any("auth.token.refresh" in row for row in sidebar) and "SEARCH" not in "".join(rows)
        assert all(row[:2] == "  " for row in sidebar), sidebar  # (the list's text where the field's is)


LONG_EVENT = "connector.sync.incremental.backfill.stage_{}.completed_with_warnings"  # (66 columns)


@pytest.mark.parametrize("size", [(160, 48), (80, 24)])
async def test_the_open_event_dropdown_fits_its_longest_entry_within_the_screen(tmp_path: Path, size) -> None:
    """Its width was the sidebar's: long event names wrapped to three lines each, at 160 columns
    as at 80, with most of the screen beside them free."""
    path = tmp_path / "long.jsonl"
    path.write_text("".join(json.dumps({"id": f"s{i}", "log_time": f"2025-11-15T10:{59 - i:02d}:00Z", "status": 200,
                                        "event": LONG_EVENT.format(i % 3) if i % 2 else "data.fetch"}) + "\n"
                            for i in range(40)))
    app = file_app(path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press(*(("b",) if size[0] < 120 else ()), "d", "tab", "tab", "enter")
        await pilot.pause(0.3)
        overlay = app.screen.query_one("SelectOverlay").region
        rows = screen_text(app).splitlines()[overlay.y:overlay.bottom]
        listed = [row[overlay.x:overlay.right].strip() for row in rows]
        assert {LONG_EVENT.format(i) for i in range(3)} | {"data.fetch"} <= set(listed), listed
        assert overlay.right <= size[0]
        assert all(row[overlay.right - 1] == " " for row in rows), rows  # (a space between it and the table)
