"""Untrusted text is shown literally and never reaches the terminal as control sequences; the
detail pane shows every field, nested and unknown ones included; broken entries are marked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from logview.ui.widgets.detail_pane import DetailPane
from ui_helpers import SIZE, detail_text, file_app, kept_toasts, screen_text, settle, table_lines, wait_until

HOSTILE = [
    {"id": "log_nested", "created_at": "2025-11-15T10:00:00.000Z", "status": "error", "credential_id": "tcred_n",
     "tool": "gmail.send_email", "duration_ms": 1234, "error": {"code": "X", "message": "boom"},
     "inputs": {"deep": {"list": [1, {"k": None}], "flag": True}},
     "mystery_field": {"a": [True, 2.5]}, "huge": 123456789012345678901234567890},
    {"id": "log_hostile", "created_at": "2025-11-15T09:00:00.000Z", "status": "success",
     "credential_id": "\x1b]2;pwned\x07tcred_h", "tool": "[bold]bold?[/]",
     "error": {"message": "[@click=app.quit]click me[/]"},
     "inputs": {"text": "\x1b[31mred\x1b[0m and \x9b2J and \x1b]52;c;SGVsbG8=\x07"}},
    {"id": "log_no_time", "status": "success", "tool": "slack.post_message"},
    {"id": "log_odd_types", "created_at": "2025-11-15T08:00:00.000Z", "status": "success", "credential_id": 12345,
     "tool": {"name": "nested tool"}, "duration_ms": 90061000, "error": "plain string error\nsecond line",
     "extra": [None, {"x": "y"}]},
]
NOT_JSON = "this line is {not json"


@pytest.fixture
def hostile_file(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.jsonl"
    lines = [json.dumps(entry) for entry in HOSTILE]
    lines.insert(2, NOT_JSON)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def no_controls(text: str) -> bool:
    return not any(ch in text for ch in ("\x1b", "\x07", "\x9b"))


async def test_markup_and_escape_sequences_are_shown_literally(hostile_file: Path) -> None:
    app = file_app(hostile_file)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lines = table_lines(app)
        hostile_row = next(line for line in lines if "tcred_h" in line)
        assert "[bold]bold?[/]" in hostile_row
        assert "[@click=app.quit]click me[/]" in hostile_row
        assert "]2;pwnedtcred_h" in hostile_row
        text = screen_text(app)
        assert no_controls(text)
        for y in range(app.viewer.table.size.height):
            for segment in app.viewer.table.render_line(y):
                assert no_controls(segment.text)
                assert not (segment.style and segment.style.meta.get("@click"))
        # clicking the would-be link does nothing but select the row
        row = lines.index(hostile_row)
        await pilot.click("#table", offset=(100, row))
        await pilot.pause()
        assert app.is_running
        await pilot.press("enter")
        await pilot.pause()
        detail = screen_text(app)
        # inside nested JSON, escapes stay visible as JSON escapes; C1 controls are removed
        assert '"\\u001b[31mred\\u001b[0m and 2J and \\u001b]52;c;SGVsbG8=\\u0007"' in detail
        assert no_controls(detail)
        assert app.is_running


async def test_detail_shows_nested_and_unknown_fields(hostile_file: Path) -> None:
    app = file_app(hostile_file)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await pilot.pause()
        pane = app.screen.query_one(DetailPane)
        assert pane.entry is not None and pane.entry.id == "log_nested"
        text = detail_text(app)
        assert "log_nested" in screen_text(app)
        for expected in ('"deep": {', '"list": [', '"k": null', "mystery_field", '"a": [', "2.5",
                         "123456789012345678901234567890", "created_at", "2025-11-15T10:00:00.000Z",
                         "local 2025-11-15 10:00:00.000 UTC"):
            assert expected in text, expected


async def test_invalid_entries_are_shown_marked(hostile_file: Path) -> None:
    app = file_app(hostile_file)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert len(app.viewer.view) == 5
        lines = table_lines(app)
        broken = [line for line in lines if "invalid entry" in line]
        assert len(broken) == 2
        assert all(line.lstrip().startswith("!") for line in broken)
        assert any("not JSON" in line for line in broken)
        assert any("created_at" in line for line in broken)
        await pilot.press("G", "k", "enter")
        await pilot.pause()
        assert "⚠ invalid entry: created_at" in screen_text(app)


async def test_unexpected_field_types_are_shown_not_fatal(hostile_file: Path) -> None:
    app = file_app(hostile_file)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        row = next(line for line in table_lines(app) if "12345" in line)
        assert '{"name":"nested tool"}' in row and "25h 01m" in row
        assert "plain string error second li" in row  # one line: the newline became a space


async def test_a_file_is_filtered_locally_and_has_no_tail(hostile_file: Path) -> None:
    app = file_app(hostile_file)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # (the reading's last message may still be on its way: 1 in ~50 runs saw "reading fields")
        await wait_until(pilot, lambda: "file loaded" in screen_text(app).splitlines()[0])
        text = screen_text(app)
        assert "file hostile.jsonl" in text.splitlines()[0]
        assert "All filters run locally" in text
        assert "server" not in text.splitlines()[1]
        await pilot.press("2")
        assert [e.id for e in app.viewer.store.entries(app.viewer.view.index)] == ["log_nested"]
        await pilot.press("0")
        await pilot.click("StatusOption", offset=(3, 0))  # the first option, "success", by mouse
        await pilot.pause()
        assert app.viewer.filters.statuses == ("success",)
        assert "● success" in screen_text(app)
        said = kept_toasts(app)
        await pilot.press("t")
        await pilot.pause()
        assert not app.viewer.feed.tailing and app.is_running
        assert said and said[-1].startswith("A file has no live tail"), said  # (it was silent: found in a walk)


WAY_ON = ("Showing the file's first 120 entries: the cap (--max-entries) was reached, the rest of the file was "
          "not read. Launch without --max-entries (or with a larger one) to read it.")


async def test_a_file_over_the_cap_says_so(tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl"
    rows = [{"id": f"sm{i}", "log_time": f"2025-11-15T10:{59 - i // 60:02d}:{59 - i % 60:02d}Z", "status": 200,
             "event": "data.fetch", "request": "GET /x", "duration_ms": 3, "request_id": None} for i in range(300)]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    app = file_app(path, max_entries=120)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # (the reading's last message may still be on its way: "reading fields · 120 of 120 …")
        await wait_until(pilot, lambda: "capped at 120" in screen_text(app).splitlines()[0])
        text = screen_text(app)
        assert len(app.viewer.store) == 120 and "capped at 120" in text.splitlines()[0]
        assert "the cap (--max-entries) was reached" in text
        banner = app.viewer.banner
        await wait_until(pilot, lambda: WAY_ON in " ".join(banner.plain().split()), 30, said=banner.plain)
        assert "Narrow the filters" not in screen_text(app)  # (a file's filters are local: s27 walk #9)
        await pilot.press("2")  # (3xx: none of the rows; narrowed, the words stay the file's)
        await wait_until(pilot, lambda: "shown 0 " in screen_text(app).splitlines()[0],
                         30, said=lambda: screen_text(app))
        assert "Narrow the filters" not in screen_text(app)
        assert WAY_ON in " ".join(banner.plain().split())
