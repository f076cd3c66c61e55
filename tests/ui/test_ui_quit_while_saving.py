"""`q` while a save (`s`) is being written, or waits for a big file's fields: it quit at once with
exit 0, and the file was simply not written, without a word (s19 #6). It asks first."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import logview.ui.save
from logview.ui.screens.confirm import ConfirmQuit
from logview.ui.screens.save_dialog import SaveDialog
from test_ui_save_dialogs import question_on_screen
from ui_helpers import file_app, settle, wait_until

LINES = 30_000


def big_file(path: Path) -> Path:
    path.write_text("".join(json.dumps({"id": f"r{i}", "log_time": "2025-11-15T11:00:00Z", "status": 503,
                                        "event": "e"}) + "\n" for i in range(LINES)))
    return path


async def save_to(pilot, target: Path) -> None:
    await pilot.press("s")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, SaveDialog))
    pilot.app.screen.query_one("#save-path").value = str(target)
    await pilot.press("enter")
    await pilot.pause(0.2)


async def test_q_while_a_save_waits_for_the_fields_asks_and_n_keeps_it(
        held_reading: threading.Event, tmp_path: Path) -> None:
    target = tmp_path / "saved.jsonl"
    app = file_app(big_file(tmp_path / "big.jsonl"))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_until(pilot, lambda: len(app.viewer.store) == LINES)
        await pilot.press("4")  # 5xx: needs every row's status, so the save waits
        await save_to(pilot, target)
        await pilot.press("q")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmQuit))
        asked = question_on_screen(app)
        question = f"A save to {target} is not finished: quit anyway? It will not be written."
        assert "".join(question.split()) in "".join(asked.split()), asked  # (a long path folds mid-word)
        assert "Enter or y quits · Esc or n cancels" in asked
        await pilot.press("n")
        await pilot.pause()
        assert app.is_running and not isinstance(app.screen, ConfirmQuit)
        held_reading.set()
        await wait_until(pilot, lambda: any(str(n.message).startswith(f"Saved {LINES:,}") for n in app._notifications))
        await settle(pilot)
        await pilot.press("q")  # (nothing left to write: quits at once)
        await wait_until(pilot, lambda: not app.is_running)
    assert app.return_code == 0 and len(target.read_bytes().splitlines()) == LINES


@pytest.mark.parametrize("quit_key, answer", [("q", "y"), ("q", "enter"), ("ctrl+q", "y"), ("ctrl+q", "ctrl+q")])
async def test_q_while_a_save_is_written_asks_and_y_quits(tmp_path: Path, slow_save: threading.Event,
                                                         quit_key: str, answer: str) -> None:
    app = file_app(big_file(tmp_path / "big.jsonl"))
    async with app.run_test(size=(160, 48)) as pilot:
        await saving(pilot, tmp_path / "saved.jsonl", slow_save)
        await pilot.press(quit_key)  # (ctrl+q, Textual's own quit, asks as q does)
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmQuit))
        await pilot.press(answer)
        await wait_until(pilot, lambda: not app.is_running)
    slow_save.set()  # (the held save's thread let go now: the test's loop waited out its 10 s hold at its close)
    assert app.return_code == 0


@pytest.fixture
def slow_save(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """A save held at its start (a save of a million lines takes seconds) until the event is set."""
    writing, release = threading.Event(), threading.Event()
    copy_lines = logview.ui.save.copy_lines

    def slow_copy(*args, **kwargs) -> None:
        writing.set()
        release.wait(10)
        copy_lines(*args, **kwargs)

    monkeypatch.setattr(logview.ui.save, "copy_lines", slow_copy)
    release.writing = writing
    yield release
    release.set()


async def saving(pilot, target: Path, slow_save: threading.Event) -> None:
    """Once the file is read, a save to `target` being written."""
    await wait_until(pilot, lambda: len(pilot.app.viewer.store) == LINES)
    await settle(pilot)
    await save_to(pilot, target)
    await wait_until(pilot, slow_save.writing.is_set)


async def test_the_question_says_when_the_save_has_ended_while_it_is_up(tmp_path: Path,
                                                                        slow_save: threading.Event) -> None:
    """s19 V5: the dialog stayed up saying "It will not be written" under the toast "Saved …", the
    file complete on disk. It now says the save has ended, and y still quits."""
    target = tmp_path / "saved.jsonl"
    app = file_app(big_file(tmp_path / "big.jsonl"))
    async with app.run_test(size=(160, 48)) as pilot:
        await saving(pilot, target, slow_save)
        await pilot.press("q")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmQuit))
        assert "It will not be written" in question_on_screen(app)
        slow_save.set()
        await wait_until(pilot, lambda: "has ended" in question_on_screen(app))
        asked = question_on_screen(app)
        said = f"The save to {target} has ended (see its message): quit now?"
        assert "".join(said.split()) in "".join(asked.split()), asked  # (a long path folds mid-word)
        assert "will not be written" not in asked and "Enter or y quits · Esc or n cancels" in asked
        await pilot.press("y")
        await wait_until(pilot, lambda: not app.is_running)
    assert app.return_code == 0 and len(target.read_bytes().splitlines()) == LINES
