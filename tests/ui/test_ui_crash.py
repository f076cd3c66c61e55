"""A RecursionError that reaches Textual's handler ends the viewer at once with words, not a
freeze: Textual's report prints every frame's locals, and after a RecursionError that is ~1,000
frames each holding the deep value that caused it (minutes and gigabytes, the screen frozen, `q`
and SIGTERM ignored: found in a walk with a file whose `error` was nested 990 deep). The known
paths to it are fixed: an Aitronos `error` and a Supermetrics `log_time` nested 1,000 deep."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest

from logview.archive import Archive
from logview.ui import table_rows
from test_deep_entries import GOOD, deep_line
from test_ui_archive import archived_app
from ui_helpers import FIXED_NOW, SIZE, app_ended, detail_text, file_app, screen_text, settle, table_lines

pytestmark = pytest.mark.timeout(120)  # (without the guard the report took minutes)

DEEP = "[" * 1000 + "0" + "]" * 1000


async def test_a_recursion_error_ends_the_viewer_at_once_with_a_message(tmp_path: Path, monkeypatch, capsys) -> None:
    path = tmp_path / "deep.jsonl"
    path.write_bytes(b"\n".join([GOOD[0], deep_line(1000)]) + b"\n")
    row_cells = table_rows.row_cells

    def walking_every_value(entry):  # (a bug of the future: recursion over a value as deep as the file's)
        def walk(value):
            return [walk(item) for item in value] if isinstance(value, list) else value
        walk(entry.raw.get("deep", []) if isinstance(entry.raw, dict) else [])
        return row_cells(entry)

    monkeypatch.setattr(table_rows, "row_cells", walking_every_value)
    app = file_app(path)
    started = time.monotonic()
    with pytest.raises(RecursionError):
        async with app.run_test(size=SIZE) as pilot:
            await app_ended(pilot, timeout=20)  # (it ends: waited for)
    assert time.monotonic() - started < 20
    said = capsys.readouterr().err  # (what the user reads once the viewer has given the terminal back)
    assert said.startswith("logview stopped: a value nested too deep for it reached a part of the viewer"), said[:300]
    assert "please report it" in said and "RecursionError" in said and "walking_every_value" in said
    assert "[[[[" not in said  # (no locals: the deep value, or an API key, is not printed)
    assert app.return_code == 1


@pytest.mark.parametrize("line", [
    '{"id":"a_deep","created_at":"2025-11-15T10:00:00Z","status":"error","tool":"t.x","error":%s}' % DEEP,
    '{"id":"a_deep","created_at":"2025-11-15T10:00:00Z","status":"error","tool":"t.x","error":{"message":%s}}' % DEEP,
    '{"id":"s_deep","log_time":%s,"status":500,"event":"data.page"}' % DEEP,
], ids=["aitronos error", "aitronos error message", "supermetrics log_time"])
async def test_a_field_nested_1000_deep_is_drawn_and_its_keys_work(tmp_path: Path, line: str) -> None:
    """Drawing the row ended the viewer: the error's `str` and the time's `repr` recursed."""
    path = tmp_path / "deep-field.jsonl"
    other = ('{"id":"a_ok","created_at":"2025-11-15T09:00:00Z","status":"success","tool":"t.y"}' if "a_deep" in line
             else GOOD[0].decode())
    path.write_text(f"{line}\n{other}\n")
    app = file_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        rows = table_lines(app)[1:3]
        assert any("[[[[[[" in row or "invalid entry" in row for row in rows), rows
        for _ in range(2):  # each row's detail
            await pilot.press("enter")
            await pilot.pause(0.2)
            if "_deep" in detail_text(app):
                break
            await pilot.press("escape", "j")
        assert "_deep" in detail_text(app)
        await pilot.press("escape", "i")  # the stats (error groups, by tool), then the histogram
        await settle(pilot)
        assert "ERROR GROUPS" in screen_text(app)
        await pilot.press("h")
        await settle(pilot)
        assert app.is_running and app.viewer.histogram.display


async def test_an_aitronos_error_nested_990_deep_from_the_api_is_shown_and_archived(fresh_demo, tmp_path: Path) -> None:
    """The API's path: its page's error groups (and the archive's rows) read the error by `str`."""
    at = FIXED_NOW - timedelta(minutes=5)
    deep = "[" * 990 + "0" + "]" * 990
    # three of them: a group of three leads the error groups (the demo's others have one or two
    # entries each, and ties are in the order their rows were coded, which differs once archived)
    lines = [(at - timedelta(seconds=n),
              ('{"id":"a_deep_%d","created_at":"%s","status":"error","tool":"t.x","error":%s}'
               % (n, (at - timedelta(seconds=n)).strftime("%Y-%m-%dT%H:%M:%SZ"), deep)).encode()) for n in range(3)]
    fresh_demo.state.insert_raw("aitronos", lines)
    total = len(fresh_demo.state.aitronos_logs)
    with Archive.open(tmp_path / "archive.sqlite3") as archive:
        for _ in ("fetched", "painted from the archive"):
            app = archived_app(fresh_demo, archive, "aitronos")
            async with app.run_test(size=SIZE) as pilot:
                await settle(pilot)
                assert len(app.viewer.view) == total and "[[[[[[" in table_lines(app)[1]
                await pilot.press("i")
                await settle(pilot)
                first_group = screen_text(app).split("ERROR GROUPS")[1].splitlines()[1]
                assert "[[[[[[" in first_group.split("▏")[-1], first_group  # (the stats, right of the table)
