"""A long save says how far it is until it ends: the status line (`saving saved.jsonl 33%`), and the
quit dialog's count while it is open. A million Aitronos entries to CSV took ~35 s, and after its
toast's 4 s the screen said nothing of it (s28 walk #11)."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import logview.files.writer
from logview.ui.screens.confirm import ConfirmQuit
from test_ui_quit_while_saving import LINES, big_file, one_line, save_to
from test_ui_save_dialogs import question_on_screen
from ui_helpers import file_app, kept_toasts, screen_text, settle, toast_said, wait_until


@pytest.fixture
def chunk_by_chunk(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Semaphore]:
    """A save's chunks (5,000 lines each) copied one per permit released; the first goes at once."""
    permits, copy_lines, calls = threading.Semaphore(1), logview.files.writer.copy_lines, itertools.count()

    def held_copy(*args, **kwargs) -> None:
        next(calls)
        permits.acquire(timeout=10)
        copy_lines(*args, **kwargs)

    monkeypatch.setattr(logview.files.writer, "copy_lines", held_copy)
    yield permits
    permits.release(100)


def status_line(app) -> str:
    return screen_text(app).splitlines()[0]


async def test_the_status_line_and_the_quit_dialog_follow_a_save_to_its_end(
        tmp_path: Path, chunk_by_chunk: threading.Semaphore) -> None:
    target = tmp_path / "saved.jsonl"
    app = file_app(big_file(tmp_path / "big.jsonl"))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: len(app.viewer.store) == LINES)
        await settle(pilot)
        said = kept_toasts(app)
        await save_to(pilot, target)
        await wait_until(pilot, lambda: "saving saved.jsonl 16%" in status_line(app), said=lambda: status_line(app))
        await pilot.press("q")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmQuit))
        assert one_line(f"(5,000 of {LINES:,} entries written)") in one_line(question_on_screen(app))
        chunk_by_chunk.release()
        await wait_until(pilot, lambda: one_line(f"(10,000 of {LINES:,} entries written)")
                         in one_line(question_on_screen(app)), said=lambda: question_on_screen(app))
        await pilot.press("n")  # (the dialog goes, the save goes on)
        await wait_until(pilot, lambda: "saving saved.jsonl 33%" in status_line(app), said=lambda: status_line(app))
        chunk_by_chunk.release(100)
        await toast_said(pilot, said, f"Saved {LINES:,}")
        await wait_until(pilot, lambda: "saving" not in status_line(app), said=lambda: status_line(app))
    assert len(target.read_bytes().splitlines()) == LINES
