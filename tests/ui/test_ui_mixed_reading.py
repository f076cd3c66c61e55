"""A mixed file's rows show as they are read, and keys pressed meanwhile act: `G` (the oldest row)
and `Enter` (its detail) pressed while a big mixed file was read were dropped, the table empty
until the end (found in a walk). The reading is held at a batch here (a gate in the reader), so
what the user sees meanwhile is seen for sure."""

from __future__ import annotations

import json
import re
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from logview.files.mixed_columns import MixedColumnReader
from logview.ui.mixed_parts import FIRST_ROWS
from ui_helpers import (SIZE, cursor_line, detail_text, file_app, kept_toasts, screen_text, settle, table_lines,
                        toast_said, wait_until)

ROWS = 3 * FIRST_ROWS
T0 = datetime(2025, 11, 15, 12, 0, tzinfo=timezone.utc)


def shown_at(i: int) -> str:
    """The time column of the i-th newest row (the table shows no id: the detail does); a Supermetrics
    row's (the odd ones) in whole seconds, its milliseconds' place blank."""
    return (T0 - timedelta(seconds=i)).strftime("%H:%M:%S    " if i % 2 else "%H:%M:%S.000")


def write_mixed(path: Path, newest_first: bool = True) -> list[str]:
    """ROWS envelopes of two sources, a second apart; the ids newest first."""
    lines, ids = [], []
    for i in range(ROWS):
        moment = (T0 - timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        if i % 2:
            envelope = {"source": "builder", "api": "supermetrics",
                        "entry": {"id": f"sm{i:05}", "log_time": moment, "status": 200, "event": "data.fetch"}}
        else:
            envelope = {"source": "prod", "api": "aitronos",
                        "entry": {"id": f"ai{i:05}", "created_at": moment, "status": "success"}}
        lines.append(json.dumps(envelope, separators=(",", ":")))
        ids.append(envelope["entry"]["id"])
    path.write_text("\n".join(lines if newest_first else lines[::-1]) + "\n")
    return ids


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch):
    """Holds the reader before its `held_at`-th batch (1: the first) until `open` is set."""
    state = {"held_at": 2, "open": threading.Event(), "batches": 0}
    read = MixedColumnReader.read

    def held(self, places, lines):
        state["batches"] += 1
        if state["batches"] == state["held_at"]:
            state["open"].wait(20)
        return read(self, places, lines)

    monkeypatch.setattr(MixedColumnReader, "read", held)
    yield state
    state["open"].set()


@pytest.mark.parametrize("newest_first", [True, False], ids=["newest first", "oldest first"])
async def test_rows_show_as_they_are_read_and_g_and_enter_act_meanwhile(tmp_path: Path, gate, newest_first: bool
                                                                        ) -> None:
    ids = write_mixed(tmp_path / "mixed.jsonl", newest_first)
    app = file_app(tmp_path / "mixed.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: len(app.viewer.view) > 0)
        await pilot.pause(0.1)
        viewer = app.viewer
        assert viewer.session.phase == "loading" and len(viewer.view) == FIRST_ROWS  # the first batch, at once
        newest, oldest = (0, FIRST_ROWS - 1) if newest_first else (ROWS - FIRST_ROWS, ROWS - 1)
        assert shown_at(newest) in table_lines(app)[1]  # the newest read so far on top
        await pilot.press("G")
        assert shown_at(oldest) in cursor_line(app)  # the oldest read so far
        await pilot.press("enter")
        await pilot.pause()
        assert viewer.detail.display and ids[oldest] in detail_text(app)
        gate["open"].set()
        await settle(pilot)
        assert viewer.session.phase == "complete" and len(viewer.view) == ROWS
        assert shown_at(ROWS - 1) in cursor_line(app)  # G keeps going to the oldest row as rows come, as in --file
        assert ids[-1] in detail_text(app)
        assert " new" not in screen_text(app).splitlines()[0]  # (the rows read above it are no tail's news)


async def test_g_and_enter_pressed_before_the_first_rows_act_once_they_show(tmp_path: Path, gate) -> None:
    gate["held_at"] = 1
    ids = write_mixed(tmp_path / "mixed.jsonl")
    app = file_app(tmp_path / "mixed.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.1)
        assert len(app.viewer.view) == 0 and app.viewer.session.phase == "loading"
        await pilot.press("G", "enter")
        gate["open"].set()
        await settle(pilot)
        assert len(app.viewer.view) == ROWS
        assert shown_at(ROWS - 1) in cursor_line(app) and ids[-1] in detail_text(app)


async def test_the_entry_chosen_while_a_file_written_oldest_first_is_read_stays_chosen(tmp_path: Path, gate) -> None:
    """Once read, the file's rows are put newest first: the cursor and the detail stay on the entry
    chosen, not on whichever took its place."""
    ids = write_mixed(tmp_path / "mixed.jsonl", newest_first=False)
    app = file_app(tmp_path / "mixed.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: len(app.viewer.view) > 0)
        await pilot.press("down", "down", "down", "enter")
        chosen = ROWS - FIRST_ROWS + 3  # (the first rows read are the oldest)
        assert shown_at(chosen) in cursor_line(app) and ids[chosen] in detail_text(app)
        gate["open"].set()
        await settle(pilot)
        assert len(app.viewer.view) == ROWS
        assert shown_at(chosen) in cursor_line(app) and ids[chosen] in detail_text(app)


async def test_s_while_a_mixed_file_is_read_waits_for_it_and_writes_every_entry(tmp_path: Path, gate) -> None:
    """It wrote the rows read so far (106,000 of a million) without a word, the dialog's count
    stale (found in a walk): as for a plain file, the dialog says the count is not final and
    follows it, and the save waits for the whole file."""
    from logview.ui.screens.save_dialog import SaveDialog

    source, target = tmp_path / "mixed.jsonl", tmp_path / "saved.jsonl"
    write_mixed(source)
    app = file_app(source)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: len(app.viewer.view) > 0)
        await pilot.press("s")
        await wait_until(pilot, lambda: isinstance(app.screen, SaveDialog))
        await wait_until(pilot, lambda: "Save the entries shown (" in screen_text(app))
        assert "Save the entries shown (saved once the file is read)" in screen_text(app), [
            line for line in screen_text(app).splitlines() if "Save the" in line or "read;" in line]
        app.screen.query_one("#save-path").value = str(target)  # type: ignore[attr-defined]
        said = kept_toasts(app)
        await pilot.press("enter")
        await toast_said(pilot, said, "once the file is read")
        await pilot.pause(0.3)
        assert not target.exists()  # nothing written while the file is still being read
        gate["open"].set()
        await toast_said(pilot, said, f"Saved {ROWS:,} entries")
    assert target.read_bytes() == source.read_bytes()  # (newest first, as written)


async def test_a_mixed_file_written_oldest_first_shows_no_new_rows(tmp_path: Path, gate) -> None:
    """'▲ +993,672 new · g to jump' stayed after reading a file written oldest first, the user on
    a row read early (found in a walk): the rows read above it are the file, not news; a plain
    file says nothing either."""
    write_mixed(tmp_path / "mixed.jsonl", newest_first=False)
    app = file_app(tmp_path / "mixed.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: len(app.viewer.view) > 0)
        await pilot.press("down", "down", "down")
        gate["open"].set()
        await settle(pilot)
        assert len(app.viewer.view) == ROWS
        assert " new" not in screen_text(app).splitlines()[0]
        assert app.viewer.table.new_rows == 0


async def test_e_while_a_mixed_file_is_read_says_errors_are_still_being_counted(tmp_path: Path, gate) -> None:
    """Its errors below may not be read yet: 'No more errors below.' would be wrong."""
    write_mixed(tmp_path / "mixed.jsonl")  # (no errors in it)
    app = file_app(tmp_path / "mixed.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: len(app.viewer.view) > 0)
        said = kept_toasts(app)
        await pilot.press("e")
        await pilot.pause()
        assert said == ["Errors are still being counted: the file is still being read …"]
        gate["open"].set()
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        assert said[-1] == "No errors, warnings or invalid entries in the rows shown.", said


async def test_the_detail_shows_the_oldest_row_g_reaches_as_rows_come(tmp_path: Path, gate) -> None:
    """While G chased the oldest row of a mixed file being read, the detail showed the previous
    batch's oldest entry for 0.3-0.6 s under the new one (found in a walk): it is shown with the
    rows, not after the table's message has gone round."""
    ids = write_mixed(tmp_path / "mixed.jsonl")
    app = file_app(tmp_path / "mixed.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: len(app.viewer.view) > 0)
        await pilot.press("G", "enter")
        await pilot.pause()
        viewer = app.viewer
        assert ids[FIRST_ROWS - 1] in detail_text(app)
        seen: list[tuple[str, str]] = []  # (the row's entry, the detail's) as each merge leaves them
        merge_now = viewer.merge_now

        def merged_then_seen(force: bool = False) -> None:
            merge_now(force)
            seen.append((viewer.selected_entry().id, viewer.detail.entry.id))

        viewer.merge_now = merged_then_seen
        gate["open"].set()
        await settle(pilot)
        assert seen and seen[-1][0] == ids[-1]
        assert all(row == detail for row, detail in seen), seen


async def test_r_while_a_mixed_file_is_read_says_it_reads_it_again(tmp_path: Path, gate) -> None:
    """It restarted the read without a word (found in a walk)."""
    write_mixed(tmp_path / "mixed.jsonl")
    app = file_app(tmp_path / "mixed.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: len(app.viewer.view) > 0)
        said = kept_toasts(app)
        await pilot.press("r")
        await pilot.pause(0.1)
        assert said == ["Reading mixed.jsonl again, as it is now."]
        gate["open"].set()  # (the first read, held, ends as cancelled; the second is not held)
        await settle(pilot)
        await wait_until(pilot, lambda: app.viewer.session.phase == "complete")
        assert len(app.viewer.view) == ROWS and f"shown {ROWS:,}" in screen_text(app)


async def test_the_sidebar_says_a_mixed_files_counts_are_partial_while_it_is_read(tmp_path: Path, gate) -> None:
    """(walk s19 #12) A plain file's sidebar says 'counting … N entries to go' while it is read; a
    mixed file's said 'none selected = all' beside growing counts, as if they were final."""
    write_mixed(tmp_path / "mixed.jsonl")
    app = file_app(tmp_path / "mixed.jsonl")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: len(app.viewer.view) > 0)
        await pilot.pause(0.1)
        left = 100 - int(100 * app.viewer.session.file_scanned)
        assert 0 < left < 100 and re.search(f"  counting … {left}% to go +▕", screen_text(app))  # (of the file; one line)
        gate["open"].set()
        await settle(pilot)
        await wait_until(pilot, lambda: app.viewer.session.phase == "complete")
        text = screen_text(app)
        assert "counting" not in text and "none selected = all" in text
