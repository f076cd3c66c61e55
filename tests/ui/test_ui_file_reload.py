"""`r` on a file reads it again (issue 11, item 1): never an empty view, and a file changed or
replaced since it was opened shows its new content."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from logview.demo import DemoState
from test_ui_mixed_file import read_back_file
from ui_helpers import (FIXED_NOW, SIZE, cursor_line, detail_text, file_app, kept_toasts, screen_text, settle, table_lines,
                        wait_until)


def write_entries(path: Path, entries: list[dict]) -> None:
    path.write_text("".join(json.dumps(entry) + "\n" for entry in entries), encoding="utf-8")


def demo_entries(count: int, seed: int) -> list[dict]:
    state = DemoState(aitronos_entries=0, supermetrics_entries=count, live_rate=0.0, now=FIXED_NOW, seed=seed)
    return state.supermetrics_logs


async def test_r_reads_an_unchanged_file_again(tmp_path: Path) -> None:
    path = tmp_path / "logs.jsonl"
    write_entries(path, demo_entries(400, seed=1))
    app = file_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = table_lines(app)
        assert "shown 400" in screen_text(app)
        said = kept_toasts(app)  # (a loaded machine's settles outlasted the toast: CI at load 9 saw none)
        await pilot.press("r")
        await settle(pilot)
        # (the worker has ended; its last message may still be on its way to the status line)
        await wait_until(pilot, lambda: "file loaded" in screen_text(app))
        text = screen_text(app)
        assert "shown 400" in text and "loaded 400" in text and "No entries" not in text
        assert said == ["Reading logs.jsonl again, as it is now."]  # (it said nothing: found in a walk)
        assert table_lines(app) == before


async def test_r_shows_what_a_replaced_file_now_holds(tmp_path: Path) -> None:
    path = tmp_path / "logs.jsonl"
    write_entries(path, demo_entries(300, seed=1))
    app = file_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        newer = demo_entries(450, seed=2)
        replacement = tmp_path / "new.jsonl"
        write_entries(replacement, newer)
        os.replace(replacement, path)  # another inode under the same name, as an export writes it
        await pilot.press("r")
        await settle(pilot)
        text = screen_text(app)
        assert "shown 450" in text and "loaded 450" in text
        ids = [entry.id for entry in app.viewer.store.entries(app.viewer.view.index)]
        assert ids == [entry["id"] for entry in newer]
        assert newer[0]["event"] in table_lines(app)[1]


async def test_r_shows_lines_appended_to_the_file(tmp_path: Path) -> None:
    path = tmp_path / "logs.jsonl"
    entries = demo_entries(300, seed=3)
    write_entries(path, entries[:200])
    app = file_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "shown 200" in screen_text(app)
        with path.open("a", encoding="utf-8") as handle:
            handle.write("".join(json.dumps(entry) + "\n" for entry in entries[200:]))
        await pilot.press("r")
        await settle(pilot)
        assert "shown 300" in screen_text(app)
        await pilot.press("G")
        assert entries[-1]["id"] == app.viewer.selected_entry().id


@pytest.mark.parametrize("mixed", [False, True], ids=["plain", "mixed"])
async def test_r_on_a_file_that_is_gone_says_so_and_keeps_the_rows(tmp_path: Path, mixed: bool) -> None:
    path = tmp_path / "logs.jsonl"
    if mixed:
        rows = len(read_back_file(path)) + 1  # (and its line that is not an envelope)
    else:
        rows = 100
        write_entries(path, demo_entries(rows, seed=4))
    app = file_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        path.unlink()
        said = kept_toasts(app)
        await pilot.press("r")
        await settle(pilot)
        text = screen_text(app)
        assert "logs.jsonl was removed from disk after it was read" in text  # (not "cannot read": a tester's)
        assert f"shown {rows}" in text
        assert said == ["logs.jsonl is no longer on disk: there is nothing to read again (the rows read from it "
                        "stay shown)."]  # (not 'Reading logs.jsonl again')


async def test_the_first_reading_takes_the_command_lines_early_scan_and_r_scans_afresh(tmp_path: Path) -> None:
    from logview.files import early

    path = tmp_path / "logs.jsonl"
    write_entries(path, demo_entries(300, seed=4))
    early.begin(path, "supermetrics", with_child=False)  # as `logview --file` does before the viewer's imports
    early.started(path).scan._thread.join(5)
    write_entries(path, demo_entries(450, seed=5))  # (same inode, longer: the early scan saw 300 lines)
    app = file_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "shown 300" in screen_text(app)
        await pilot.press("r")
        await settle(pilot)
        assert "shown 450" in screen_text(app)


async def test_a_file_changed_on_disk_is_said_once_and_r_reads_it_again(tmp_path, monkeypatch) -> None:
    """Rewritten in place while open, a file shows other bytes under the old rows: the viewer
    says so (it showed made-up invalid rows without a word), and `r` reads it again."""
    from logview.ui import feed

    monkeypatch.setattr(feed, "FILE_CHECK_EVERY_S", 0.1)
    path = tmp_path / "live.jsonl"
    line = '{{"id":"{0}","log_time":"2025-11-15T10:00:0{0}Z","status":200,"event":"e{0}"}}\n'
    path.write_text("".join(line.format(i) for i in range(5)))
    app = file_app(path)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.pause(0.3)
        assert "changed on disk" not in app.viewer.banner.plain()
        with path.open("r+") as rewritten:  # the same file (inode), other content
            rewritten.write("".join(line.format(i) for i in range(5, 8)))
            rewritten.truncate()
        await wait_until(pilot, lambda: "live.jsonl changed on disk" in app.viewer.banner.plain())
        assert "r reads it again" in app.viewer.banner.plain()
        await pilot.press("r")
        await settle(pilot)
        assert [e.id for e in app.viewer.store.entries(app.viewer.view.index)] == ["7", "6", "5"]
        assert "changed on disk" not in app.viewer.banner.plain()


def sidebar_status_counts(text: str) -> list[int]:
    """The status counts the sidebar shows on screen (`  1 ○ 2xx   1,234`)."""
    found = (re.match(r"\s*\d ○ \S+\s+([\d,]+)", line[:31]) for line in text.splitlines())
    return [int(match.group(1).replace(",", "")) for match in found if match]


async def test_a_file_truncated_while_its_fields_are_read_shows_the_lines_still_in_it(tmp_path, monkeypatch) -> None:
    """(walks s19 #10, s20 #7) Truncated after its lines were indexed, a file kept its rows past
    the cut: they read back as nothing, and were counted as invalid (or, read before the cut, as
    what they had been), 'shown 3,000' for a file of 1,500 lines. Now the header, the sidebar's
    counts and the rows shown are the 1,500 lines whole in it (not the torn one at the cut), the
    banner says what was left out, and `r` reads it again."""
    from logview.ui import feed, file_reading

    monkeypatch.setattr(feed, "FILE_CHECK_EVERY_S", 0.1)
    path = tmp_path / "live.jsonl"
    write_entries(path, demo_entries(3_000, seed=1))
    lines = path.read_bytes().splitlines(keepends=True)
    read_columns = file_reading.read_columns

    def truncated_first(path, *args, **kwargs):
        with path.open("r+b") as same_file:  # (`truncate`, in place: the same inode)
            same_file.truncate(sum(map(len, lines[:1_500])) + len(lines[1_500]) // 2)
        return read_columns(path, *args, **kwargs)

    monkeypatch.setattr(file_reading, "read_columns", truncated_first)
    app = file_app(path)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: "file loaded" in screen_text(app))
        await wait_until(pilot, lambda: "truncated" in app.viewer.banner.plain())
        await pilot.pause(0.3)  # (the file's watch looks again: it has nothing more to say)
        text = screen_text(app)
        assert "shown 1,500" in text and "loaded 1,500" in text and "counting" not in text
        assert sum(sidebar_status_counts(text)) == 1_500
        assert ("live.jsonl was truncated on disk while it was read: its 1,500 entries past the cut are left out "
                "— r reads it again") in text
        assert len(app.viewer.view) == 1_500
        assert not app.viewer.store.column("invalid", app.viewer.view.index).any()
        await pilot.press("G")  # the oldest row shown is the last line whole in the file
        await settle(pilot)
        oldest = json.loads(lines[1_499])
        assert oldest["event"] in cursor_line(app) and oldest["request"] in cursor_line(app)
        monkeypatch.setattr(file_reading, "read_columns", read_columns)
        await pilot.press("r")
        await settle(pilot)
        await wait_until(pilot, lambda: "file loaded" in screen_text(app))
        text = screen_text(app)
        assert "shown 1,501" in text and sum(sidebar_status_counts(text)) == 1_501  # (the torn line: invalid)
        assert "truncated" not in app.viewer.banner.plain()


async def test_a_row_whose_line_was_cut_from_the_file_says_so_in_the_detail(tmp_path, monkeypatch) -> None:
    """s21 #6: a file truncated after it was read keeps its rows (r reads it again), and the detail
    of one whose line is gone showed an empty entry ('—', no fields), or the entry as read before
    the cut while it was still kept: it says the row is no longer in the file, and the rows still
    whole read as before."""
    from logview.ui import feed

    monkeypatch.setattr(feed, "FILE_CHECK_EVERY_S", 0.1)
    path = tmp_path / "cut.jsonl"
    write_entries(path, demo_entries(40, seed=6))
    lines = path.read_bytes().splitlines(keepends=True)
    app = file_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer = app.viewer
        await pilot.press("end", "enter")  # (the oldest row, the file's last line: its detail read once)
        oldest = viewer.store.entry(int(viewer.view.index[-1]))
        await wait_until(pilot, lambda: oldest.id in detail_text(app))
        with path.open("r+b") as cut:  # (the same file, its last ten lines and half of one more cut)
            cut.truncate(sum(map(len, lines[:30])) - 20)
        await wait_until(pilot, lambda: "cut.jsonl changed on disk" in viewer.banner.plain())
        await wait_until(pilot, lambda: "no longer in the file as it was read" in detail_text(app))
        assert oldest.id not in detail_text(app)
        await pilot.press("home")  # (the newest row: its line still whole)
        newest = viewer.store.entry(int(viewer.view.index[0]))
        assert newest.invalid is None and newest.id == json.loads(lines[0])["id"]
        await wait_until(pilot, lambda: newest.id in detail_text(app))
        assert "no longer in the file" not in detail_text(app)
        cut_row = viewer.store.entry(int(viewer.view.index[29]))  # (the line cut in half)
        assert cut_row.invalid == "no longer in the file as it was read (the file changed since)"
