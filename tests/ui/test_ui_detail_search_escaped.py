"""The detail's `n` finds the search where a nested value shows it escaped (s26, left for s27): an error's
message `bad value "foo"` is shown in the `error` field as JSON (`"message": "bad value \\"foo\\""`), so
a search for `"foo"` was marked in the summary under the title only, and `n` said "No match in the lines
shown of this entry" for the one entry the table had kept. The escaped form is now its match there."""

from __future__ import annotations

import json
from pathlib import Path

from test_ui_detail_search import current_match_cells, detail_focused, marked_cells
from ui_helpers import file_app, kept_toasts, settle, wait_until

NO_MATCH = "No match in the lines shown of this entry."


def two_entries(path: Path, error: dict) -> None:
    """The newest entry holds `error` (its detail is the one opened); the other matches no search."""
    entry = {"id": "ai-1", "created_at": "2026-12-01T10:00:00Z", "status": "error", "tool": "crm.sync",
             "duration_ms": 736, "error": error}
    other = {"id": "ai-2", "created_at": "2026-12-01T09:00:00Z", "status": "success", "tool": "crm.sync"}
    path.write_text(json.dumps(entry) + "\n" + json.dumps(other) + "\n")


async def test_n_goes_to_a_quoted_needle_a_nested_error_shows_escaped(tmp_path: Path) -> None:
    two_entries(tmp_path / "quoted.jsonl", {"code": "E_VALUE", "message": 'bad value "foo" in field'})
    app = file_app(tmp_path / "quoted.jsonl")
    async with app.run_test(size=(160, 48)) as pilot:
        toasts = kept_toasts(app)
        detail = app.viewer.detail
        await detail_focused(pilot, app, '"foo"')
        assert marked_cells(app) == ['"foo"', '\\"foo\\"'], marked_cells(app)  # the summary's, the field's
        await pilot.press("n")
        await wait_until(pilot, lambda: "the only match · n N" in str(detail.border_title),
                         said=lambda: (detail.border_title, toasts))
        await settle(pilot)
        assert current_match_cells(app) == ['\\"foo\\"'], current_match_cells(app)
        await pilot.press("N")
        await settle(pilot)
        assert "the only match · n N" in str(detail.border_title) and NO_MATCH not in toasts, toasts


async def test_n_counts_a_backslash_needle_once_in_a_nested_value(tmp_path: Path) -> None:
    """`C:\\data` is written `C:\\\\data` in the JSON of a nested value: one match a copy, counted once."""
    two_entries(tmp_path / "path.jsonl", {"message": "cannot open C:\\data\\in.csv", "paths": ["C:\\data\\out"]})
    app = file_app(tmp_path / "path.jsonl")
    async with app.run_test(size=(160, 48)) as pilot:
        toasts = kept_toasts(app)
        detail = app.viewer.detail
        await detail_focused(pilot, app, "c:\\data")
        await pilot.press("n")
        await wait_until(pilot, lambda: "match 1 of 2 · n N" in str(detail.border_title),
                         said=lambda: (detail.border_title, toasts))
        await pilot.press("n")
        await wait_until(pilot, lambda: "match 2 of 2 · n N" in str(detail.border_title),
                         said=lambda: (detail.border_title, toasts))
        await settle(pilot)
        assert current_match_cells(app) == ["C:\\\\data"], current_match_cells(app)
        assert NO_MATCH not in toasts, toasts


async def test_a_match_in_the_summary_only_is_said_to_be_there(tmp_path: Path) -> None:
    """No search the table filters by reaches this today (each summary's text is a field's too, and
    an escaped field is now matched); should one, `n`'s words say where the marks are, not "no match".
    The needle here, the summary's duration as it is written (`736 ms`), is in no field."""
    two_entries(tmp_path / "summary.jsonl", {"code": "E_VALUE", "message": "bad value"})
    app = file_app(tmp_path / "summary.jsonl")
    async with app.run_test(size=(160, 48)) as pilot:
        toasts = kept_toasts(app)
        detail = app.viewer.detail
        await detail_focused(pilot, app)
        detail.show_entry(detail.entry, detail.time_field, needle="736 ms")
        await settle(pilot)
        assert marked_cells(app) == ["736 ms"], marked_cells(app)
        await pilot.press("n")
        await wait_until(pilot, lambda: toasts, said=lambda: toasts)
        assert toasts == ["The search matches only the summary under the entry's title, not its fields: nothing for "
                          "n to go to."], toasts
