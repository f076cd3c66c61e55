"""Every key of the viewer, driven through Pilot against a real demo server on loopback."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import orjson
import pytest

from logview.demo import DemoServer
from logview.demo.data import CREDENTIALS
from logview.ui.screens.help import HelpScreen
from logview.ui.screens.save_dialog import SaveDialog
from ui_helpers import SIZE, cursor_line, hold_the_backfill, make_app, screen_text, settle, table_lines, wait_until


async def test_loaded_view_shows_rows_newest_first_with_counts(demo: DemoServer) -> None:
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        logs = demo.state.aitronos_logs
        text = screen_text(app)
        assert "demo data (aitronos)" in text
        assert "shown 600" in text and "loaded 600" in text and "total 600" in text
        assert "all loaded" in text
        header, first = table_lines(app)[:2]
        assert "time" in header and "credential" in header and "error" in header
        names = {c.id: c.display_name for c in CREDENTIALS}  # credentials are shown by name
        assert names[logs[0]["credential_id"]] in first and logs[0]["tool"] in first
        assert first.strip().startswith("2025-11-")  # the first row carries its date
        ids = [e.id for e in app.viewer.store.entries(app.viewer.view.index)]
        assert ids == [e["id"] for e in logs]


async def test_cursor_keys_move_and_scroll(demo: DemoServer) -> None:
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.viewer.table
        await pilot.press("j", "j", "down")
        assert table.cursor_row == 3
        await pilot.press("k", "up")
        assert table.cursor_row == 1
        page = table.page_rows
        await pilot.press("pagedown")
        assert table.cursor_row == 1 + page
        assert round(table.scroll_y) > 0
        await pilot.press("pageup")
        assert table.cursor_row == 1
        await pilot.press("G")
        assert table.cursor_row == 599
        last = demo.state.aitronos_logs[-1]
        assert last["tool"] in cursor_line(app)
        await pilot.press("g")
        assert table.cursor_row == 0 and round(table.scroll_y) == 0
        await pilot.press("end")
        assert table.cursor_row == 599
        await pilot.press("home")
        assert table.cursor_row == 0


async def test_G_keeps_going_to_the_oldest_as_pages_arrive(demo: DemoServer, monkeypatch) -> None:
    release = hold_the_backfill(monkeypatch, after_pages=1)  # (G pressed while loading, whatever the pace)
    app = make_app(demo, page_limit=50)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: len(app.viewer.store) >= 50)
        assert len(app.viewer.store) == 50
        await pilot.press("G")
        release.set()
        await settle(pilot)
        assert len(app.viewer.view) == 600
        assert app.viewer.table.cursor_row == 599
        assert demo.state.aitronos_logs[-1]["tool"] in cursor_line(app)


async def test_mouse_click_selects_and_second_click_opens_the_detail(demo: DemoServer) -> None:
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.click("#table", offset=(20, 4))
        assert app.viewer.table.cursor_row == 3
        assert not app.viewer.detail.display
        await pilot.click("#table", offset=(20, 4))
        await pilot.pause()
        assert app.viewer.detail.display
        assert demo.state.aitronos_logs[3]["id"] in screen_text(app)


async def test_enter_opens_then_focuses_the_detail_and_escape_closes_it(demo: DemoServer) -> None:
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "enter")
        await pilot.pause()
        entry = demo.state.aitronos_logs[1]
        assert app.viewer.detail.display and app.focused is app.viewer.table
        text = screen_text(app)
        assert entry["id"] in text and "entry detail" in text
        await pilot.press("enter")
        assert app.focused is app.viewer.detail
        await pilot.press("escape")
        assert not app.viewer.detail.display and app.focused is app.viewer.table
        # with the pane open, moving the cursor follows in the pane
        await pilot.press("enter", "j")
        await pilot.pause()
        assert demo.state.aitronos_logs[2]["id"] in screen_text(app)


async def test_e_and_E_jump_between_problem_entries(demo: DemoServer) -> None:
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        logs = demo.state.aitronos_logs
        problems = [i for i, e in enumerate(logs) if e["status"] != "success" and i > 0]
        await pilot.press("e")
        assert app.viewer.table.cursor_row == problems[0]
        await pilot.press("e")
        assert app.viewer.table.cursor_row == problems[1]
        await pilot.press("E")
        assert app.viewer.table.cursor_row == problems[0]
        assert logs[problems[0]]["status"] in cursor_line(app)


@pytest.mark.parametrize("panel", ["i", "h"])
async def test_e_from_a_panel_goes_to_the_next_error_in_the_table(demo: DemoServer, panel: str) -> None:
    """s27 walk #5: `e` with the stats panel focused (80×24) moved the table's cursor unseen, drawn
    as an unfocused table's: nothing on the screen said it had."""
    app = make_app(demo)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        logs = demo.state.aitronos_logs
        problems = [i for i, e in enumerate(logs) if e["status"] != "success" and i > 0]
        await pilot.press(panel)
        await wait_until(pilot, lambda: app.focused is not app.viewer.table, said=lambda: app.focused)
        await pilot.press("e")
        await wait_until(pilot, lambda: app.focused is app.viewer.table, said=lambda: app.focused)
        assert app.viewer.table.cursor_row == problems[0]
        assert logs[problems[0]]["status"] in cursor_line(app)


async def test_y_copies_the_selected_entry_exactly_as_received(demo: DemoServer) -> None:
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "y")
        assert json.loads(app.clipboard) == demo.state.aitronos_logs[1]


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
async def test_s_saves_the_filtered_view(demo: DemoServer, tmp_path: Path, suffix: str) -> None:
    app = make_app(demo, "supermetrics")
    target = tmp_path / f"view{suffix}"
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")  # 5xx, a local filter
        await settle(pilot)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SaveDialog)
        dialog_input = app.screen.query_one("#save-path")
        dialog_input.value = str(target)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)
    expected = [e for e in demo.state.supermetrics_logs if isinstance(e["status"], int) and e["status"] >= 500]
    if suffix == ".jsonl":
        lines = target.read_bytes().splitlines()
        assert [orjson.loads(line) for line in lines] == expected
    else:
        rows = list(csv.reader(target.open(newline="")))
        assert rows[0] == ["id", "log_time", "status", "event", "request", "duration_ms", "request_id"]
        assert [row[0] for row in rows[1:]] == [e["id"] for e in expected]


async def test_save_dialog_escape_cancels(demo: DemoServer) -> None:
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await pilot.pause()
        assert "Save the 600 entries shown" in screen_text(app)
        await pilot.press("escape")
        assert not isinstance(app.screen, SaveDialog)


async def test_help_screen_and_command_palette(demo: DemoServer) -> None:
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert "toggle the n-th status option" in text and "command palette" in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"live tail")
        await pilot.pause(0.3)
        assert "Toggle live tail" in screen_text(app)
        await pilot.press("escape")


async def test_footer_shows_the_main_keys(demo: DemoServer) -> None:
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        footer = screen_text(app).splitlines()[-1]
        for hint in ("Quit", "Help", "Search", "Tail", "Reload", "Save", "Detail"):
            assert hint in footer


async def test_q_quits_with_exit_code_zero(demo: DemoServer) -> None:
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
    client = app.viewer.feed.api.client_made
    assert client is not None and client._http.is_closed  # one client, made by the first request, closed on exit


async def test_r_reloads_keeping_rows_until_the_new_ones_arrive(demo: DemoServer) -> None:
    app = make_app(demo, "supermetrics")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        requests_before = len([r for r in demo.state.request_log if "connector_builder" in r[1]])
        await pilot.press("r")
        assert len(app.viewer.store) == 3000  # still on screen while reloading
        await settle(pilot)
        assert len(app.viewer.store) == 3000 and "all loaded" in screen_text(app)
        assert len([r for r in demo.state.request_log if "connector_builder" in r[1]]) > requests_before


async def test_a_local_filter_keeps_the_selected_entry_at_the_same_height(demo: DemoServer) -> None:
    app = make_app(demo, "supermetrics")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("pagedown", "pagedown", *["k"] * 5)
        entry = app.viewer.selected_entry()
        assert entry is not None and entry.status is not None and entry.status < 300
        screen_y = app.viewer.table.cursor_row - round(app.viewer.table.scroll_y)
        await pilot.press("1")  # 2xx: the selected entry stays in the view
        await pilot.pause()
        assert app.viewer.selected_entry() is entry
        assert app.viewer.table.cursor_row - round(app.viewer.table.scroll_y) == screen_y
