"""An entry nested ~1,000 deep in a plain or a mixed file (found in a walk): Enter over it froze the
viewer (`q` and SIGTERM ignored, memory growing), and `s` of a mixed file holding it wrote
nothing and said nothing. Its detail now shows the deep value as written, not indented; `s`, `y`
and `/` treat it as any other entry."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from logview.archive import Archive
from logview.jsonutil import load_json
from logview.ui import save
from test_deep_entries import GOOD, deep_line, envelope
from test_ui_archive import archived_app
from ui_helpers import (FIXED_NOW, SIZE, detail_text, file_app, kept_toasts, screen_text, settle, table_lines,
                        toast_said, wait_until)
from test_ui_mixed_file import save_via_dialog
from test_ui_save_dialogs import type_save_name

pytestmark = pytest.mark.timeout(90)  # (the detail hung for good)


def deep_file(tmp_path: Path, mixed: bool) -> tuple[Path, list[bytes]]:
    lines = [GOOD[0], deep_line(1000), GOOD[1]]
    if mixed:
        lines = [envelope(line) for line in lines]
    path = tmp_path / ("mixed-deep.jsonl" if mixed else "deep.jsonl")
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path, lines


@pytest.mark.parametrize("mixed", [False, True], ids=["plain", "mixed"])
async def test_the_detail_of_an_entry_nested_1000_deep_opens_and_the_viewer_goes_on(tmp_path: Path,
                                                                                   mixed: bool) -> None:
    path, _ = deep_file(tmp_path, mixed)
    app = file_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        row = next(line for line in table_lines(app) if "20:00:00" in line)
        assert "data.page" in row and not row.lstrip().startswith("!"), row  # readable as any row
        await pilot.press("enter")  # the newest row: the deep one
        await pilot.pause(0.3)
        assert app.viewer.detail.entry is not None and app.viewer.detail.entry.id == "sm_deep"
        text = detail_text(app)
        assert "[[[[[[[[[[" in text and "(nested 1,000 deep: shown as written, not indented)" in text, text[-500:]
        assert "sm_deep" in screen_text(app)
        await pilot.press("j")  # the next entry's detail shows at once: nothing is stuck
        await pilot.pause(0.3)
        assert app.viewer.detail.entry.id == "sm_1" and '"deep"' not in detail_text(app)


@pytest.mark.parametrize("mixed", [False, True], ids=["plain", "mixed"])
async def test_s_y_and_search_take_an_entry_nested_1000_deep(tmp_path: Path, mixed: bool) -> None:
    path, lines = deep_file(tmp_path, mixed)
    target = tmp_path / "saved.jsonl"
    app = file_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        said = kept_toasts(app)
        await save_via_dialog(pilot, app, target)
        await toast_said(pilot, said, "Saved 3 entries to ")
        assert sorted(target.read_bytes().splitlines()) == sorted(lines)

        await pilot.press("slash", *"sm_deep", "enter")
        await settle(pilot)
        assert len(app.viewer.view) == 1 and app.viewer.view.index is not None
        await pilot.press("escape", "y")  # (escape: from the search field back to the table)
        await toast_said(pilot, said, "Sent the selected entry")
        assert app.clipboard.encode() == deep_line(1000)  # the entry as stored (a mixed file: out of its envelope)


async def test_a_save_that_fails_for_any_reason_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only an OSError was said: any other failure of the writer left the user believing it saved."""
    path, _ = deep_file(tmp_path, mixed=True)

    def broken_write(*_: object) -> None:
        raise ValueError("a writer's bug")

    monkeypatch.setattr(save.EntryWriter, "write", broken_write)
    target = tmp_path / "saved.jsonl"
    app = file_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        said = kept_toasts(app)
        await type_save_name(pilot, str(target))
        await wait_until(pilot, lambda: bool(said))
        assert said == [f"Could not save to {target}: ValueError: a writer's bug"]
        assert not target.exists() and not list(tmp_path.glob("*.partial"))


async def test_an_entry_nested_900_deep_from_the_api_is_shown_and_archived(fresh_demo, tmp_path: Path) -> None:
    """The API's path: the archive's writer refused the page holding it (a RecursionError)."""
    at = FIXED_NOW - timedelta(minutes=5)
    line = deep_line(900).replace(b"2026-12-04T20:00:00Z", at.strftime("%Y-%m-%dT%H:%M:%SZ").encode())
    fresh_demo.state.insert_raw("supermetrics", [(at, load_json(line))])
    with Archive.open(tmp_path / "archive.sqlite3") as archive:
        for _ in ("fetched", "painted from the archive"):
            app = archived_app(fresh_demo, archive, "supermetrics")
            async with app.run_test(size=SIZE) as pilot:
                await settle(pilot)
                assert len(app.viewer.view) == 301
                await pilot.press("enter")  # the newest row: the deep one
                await pilot.pause(0.3)
                assert app.viewer.detail.entry.id == "sm_deep" and app.viewer.detail.entry.raw == load_json(line)
                assert "(nested 900 deep: shown as written, not indented)" in detail_text(app)


@pytest.mark.parametrize("mixed", [False, True], ids=["plain", "mixed"])
async def test_a_line_nested_deeper_than_logview_reads_says_so_not_that_it_is_not_json(tmp_path: Path,
                                                                                       mixed: bool) -> None:
    too_deep = deep_line(2000, "sm_too_deep")
    lines = [GOOD[0], envelope(too_deep) if mixed else too_deep]
    path = tmp_path / "too-deep.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    app = file_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        row = next(line for line in table_lines(app) if "invalid entry" in line)
        assert row.lstrip().startswith("!") and "invalid entry: nested deeper than the 1,024 levels" in row, row
        assert "not JSON" not in row


@pytest.mark.parametrize("kind", ["aitronos", "supermetrics"])
async def test_an_entry_nested_deeper_than_1024_from_the_api_is_shown_as_written(fresh_demo, tmp_path: Path,
                                                                                kind: str) -> None:
    """Valid JSON from the server, but its page was deeper than the 1,024 levels logview reads:
    the page was retried as a torn transfer until the retries ran out, and never shown (found in
    a walk). The entry is shown as a file's line that deep is, marked `!`; the others as ever."""
    at = FIXED_NOW - timedelta(minutes=5)
    when = at.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    line = deep_line(1100, "deep_one").replace(b"2026-12-04T20:00:00Z", when)
    if kind == "aitronos":
        line = line.replace(b'"log_time"', b'"created_at"').replace(b'"status":200', b'"status":"error"')
    fresh_demo.state.insert_raw(kind, [(at, line)])  # (its JSON text: Python cannot hold it)
    total = len(getattr(fresh_demo.state, f"{kind}_logs"))
    with Archive.open(tmp_path / "archive.sqlite3") as archive:
        for _ in ("fetched", "painted from the archive"):
            app = archived_app(fresh_demo, archive, kind)
            async with app.run_test(size=SIZE) as pilot:
                await settle(pilot)
                assert len(app.viewer.view) == total and "torn" not in screen_text(app).lower()
                row = table_lines(app)[1]
                assert row.lstrip().startswith("!") and "invalid entry: nested deeper" in row, row
                await pilot.press("enter")  # the newest row: the deep one
                await pilot.pause(0.3)
                assert app.viewer.detail.entry.id == "deep_one" and app.viewer.detail.entry.raw == line.decode()
                assert "[[[[[[[[[[" in detail_text(app)
