"""`q` while a save waits for the file to be read, the read ending under the question "quit
anyway? It will not be written": on a mixed file the save started behind the dialog, and `y`
then left a blank screen for 7-8 s while it wrote the whole file (s21 walk #1). A single-API
file held it. Both now hold the save while the question is up, and `y` drops it and quits."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from logview.ui.screens.confirm import ConfirmQuit
from test_ui_mixed_reading import gate, write_mixed  # noqa: F401 - gate: a fixture
from test_ui_quit_while_saving import LINES, big_file, save_to
from test_ui_save_dialogs import question_on_screen
from ui_helpers import app_ended, file_app, kept_toasts, screen_text, toast_said, wait_until


@pytest.mark.parametrize("kind", ["mixed", "single"])
@pytest.mark.parametrize("answer", ["y", "ctrl+q", "n"])
async def test_a_save_waiting_for_the_read_does_not_start_under_the_quit_question(
        tmp_path: Path, kind: str, answer: str, gate, held_reading: threading.Event) -> None:
    """`y` (or a second ctrl+q) quits at once and writes nothing; `n` lets the save start."""
    if kind == "mixed":
        write_mixed(tmp_path / "read.jsonl")
        release = gate["open"]
    else:
        big_file(tmp_path / "read.jsonl")
        release = held_reading
    target = tmp_path / "saved.jsonl"
    app = file_app(tmp_path / "read.jsonl")
    said = kept_toasts(app)
    async with app.run_test(size=(160, 48)) as pilot:
        viewer = app.viewer
        await wait_until(pilot, lambda: len(viewer.view) > 0)
        if kind == "single":
            await wait_until(pilot, lambda: len(viewer.store) == LINES)
            await pilot.press("4")  # 5xx: needs every row's status, so the save waits for the fields
        assert viewer.session.save_waits_for() is not None
        await save_to(pilot, target)
        await pilot.press("ctrl+q" if answer == "ctrl+q" else "q")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmQuit))
        assert "It will not be written" in question_on_screen(app)
        release.set()  # the read ends while the question is up
        await wait_until(pilot, lambda: viewer.session.save_waits_for() is None)
        await pilot.pause(0.5)  # (the waiting save looks every 0.1 s: time for a wrong start to show)
        assert not [worker for worker in app.workers if worker.group == "save"]
        assert "It will not be written" in question_on_screen(app)
        asked = time.monotonic()
        await pilot.press(answer)
        if answer == "n":
            await toast_said(pilot, said, "Saved ")
            assert target.read_bytes().count(b"\n") == len(viewer.view)
            return
        await app_ended(pilot)
        quit_in = time.monotonic() - asked
    assert app.return_code == 0 and not target.exists()
    # (it took 7-8 s, writing the whole file; 5 s leaves a loaded machine's slow frames room)
    assert quit_in < 5.0


def footer_line(app) -> str:
    return screen_text(app).splitlines()[-1]


async def test_w_while_a_save_waits_for_the_read_writes_it_once_read_then_quits(
        tmp_path: Path, held_reading: threading.Event) -> None:
    big_file(tmp_path / "read.jsonl")
    target = tmp_path / "saved.jsonl"
    app = file_app(tmp_path / "read.jsonl")
    async with app.run_test(size=(160, 48)) as pilot:
        viewer = app.viewer
        await wait_until(pilot, lambda: len(viewer.store) == LINES)
        await pilot.press("4")  # 5xx: needs every row's status, so the save waits for the fields
        await save_to(pilot, target)
        await pilot.press("q")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmQuit))
        assert "w saves it, then quits · Enter or y quits · Esc or n cancels" in question_on_screen(app)
        assert "w Wait, then quit" in footer_line(app)
        await pilot.press("w")
        await wait_until(pilot, lambda: "Quitting once" in question_on_screen(app))
        # (the footer no longer offers what was just pressed, s23 walk #7)
        await wait_until(pilot, lambda: "Wait, then quit" not in footer_line(app), said=lambda: footer_line(app))
        assert "y Quit" in footer_line(app)
        held_reading.set()
        await app_ended(pilot)
    assert app.return_code == 0 and target.read_bytes().count(b"\n") == LINES
