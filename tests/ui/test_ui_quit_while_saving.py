"""`q` while a save (`s`) is being written, or waits for a big file's fields: it quit at once with
exit 0, and the file was simply not written, without a word (s19 #6). It asks first. While a save
is written, `y` stops it (the part written removed) and `w` waits for it, then quits: `y` let the
save write on to its end while the quitting viewer waited for it (s22)."""

from __future__ import annotations

import asyncio
import os
import itertools
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import logview.files.writer
import logview.ui.save
from logview.ui.screens.confirm import ConfirmQuit, ConfirmReplace
from logview.ui.screens.save_dialog import SaveDialog
from test_ui_save_dialogs import question_on_screen
from ui_helpers import app_ended, file_app, kept_toasts, make_app, settle, supermetrics_server, toast_said, wait_until

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
    said = kept_toasts(app)
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
        await toast_said(pilot, said, f"Saved {LINES:,}")
        await settle(pilot)
        await pilot.press("q")  # (nothing left to write: quits at once)
        await app_ended(pilot)
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
        await app_ended(pilot)
    slow_save.set()  # (the held save's thread let go now: the test's loop waited out its 10 s hold at its close)
    assert app.return_code == 0


def hold_the_copy(monkeypatch: pytest.MonkeyPatch, *, from_call: int) -> threading.Event:
    """A save's line copies (a chunk each) held from the `from_call`-th (0: the first) until the
    event is set; its `writing` is set once one is held."""
    writing, release = threading.Event(), threading.Event()
    copy_lines, calls = logview.files.writer.copy_lines, itertools.count()  # (the save's `write_lines` calls it)

    def held_copy(*args, **kwargs) -> None:
        if next(calls) >= from_call:
            writing.set()
            release.wait(10)
        copy_lines(*args, **kwargs)

    monkeypatch.setattr(logview.files.writer, "copy_lines", held_copy)
    release.writing = writing
    return release


@pytest.fixture
def slow_save(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """A save held at its start (a save of a million lines takes seconds) until the event is set."""
    release = hold_the_copy(monkeypatch, from_call=0)
    yield release
    release.set()


@pytest.fixture
def held_after_a_chunk(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """A save whose first chunk is written and whose second is held until the event is set."""
    release = hold_the_copy(monkeypatch, from_call=1)
    yield release
    release.set()


async def saving(pilot, target: Path, slow_save: threading.Event) -> None:
    """Once the file is read, a save to `target` being written."""
    await wait_until(pilot, lambda: len(pilot.app.viewer.store) == LINES)
    await settle(pilot)
    await save_to(pilot, target)
    await wait_until(pilot, slow_save.writing.is_set)


async def quit_asked(pilot, target: Path, held_save: threading.Event) -> str:
    """`q` while a save to `target` is being written (held): the question, as it reads."""
    await saving(pilot, target, held_save)
    await pilot.press("q")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConfirmQuit))
    return question_on_screen(pilot.app)


async def test_the_question_says_when_the_save_has_ended_while_it_is_up(tmp_path: Path,
                                                                        slow_save: threading.Event) -> None:
    """s19 V5: the dialog stayed up saying "It will not be written" under the toast "Saved …", the
    file complete on disk. It now says the save has ended, and y still quits."""
    target = tmp_path / "saved.jsonl"
    app = file_app(big_file(tmp_path / "big.jsonl"))
    async with app.run_test(size=(160, 48)) as pilot:
        assert "is being written" in await quit_asked(pilot, target, slow_save)
        slow_save.set()
        await wait_until(pilot, lambda: "has ended" in question_on_screen(app))
        asked = question_on_screen(app)
        said = f"The save to {target} has ended (see its message): quit now?"
        assert "".join(said.split()) in "".join(asked.split()), asked  # (a long path folds mid-word)
        assert "will not be written" not in asked and "Enter or y quits · Esc or n cancels" in asked
        await pilot.press("y")
        await app_ended(pilot)
    assert app.return_code == 0 and len(target.read_bytes().splitlines()) == LINES


def one_line(text: str) -> str:
    return "".join(text.split())  # (a long path folds mid-word)


@pytest.mark.parametrize("then", ["nothing", "n"])
async def test_w_while_a_save_is_written_waits_for_it_then_quits(tmp_path: Path, slow_save: threading.Event,
                                                                 then: str) -> None:
    """`w` waits for the save, saying so, and quits once it is written; `n` meanwhile stays, the save going on."""
    target = tmp_path / "saved.jsonl"
    app = file_app(big_file(tmp_path / "big.jsonl"))
    toasts = kept_toasts(app)
    async with app.run_test(size=(160, 48)) as pilot:
        asked = await quit_asked(pilot, target, slow_save)
        said = (f"A save to {target} is being written (0 of {LINES:,} entries written): quit anyway? "
                "It is stopped, and the part written removed.")
        assert one_line(said) in one_line(asked), asked
        assert "w waits for it, then quits · Enter or y stops it and quits · Esc or n cancels" in asked
        assert "Wait, then quit" in asked  # (its button)
        await pilot.press("w")
        await wait_until(pilot, lambda: "Quitting once" in question_on_screen(app))
        asked = question_on_screen(app)
        said = f"Quitting once the save to {target} is written (0 of {LINES:,} entries written) …"
        assert one_line(said) in one_line(asked), asked
        assert "Enter or y stops it and quits now · Esc or n stays" in asked and "Wait, then quit" not in asked
        if then == "n":
            await pilot.press("n")
            await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmQuit))
        assert app.is_running
        slow_save.set()
        if then == "n":
            await toast_said(pilot, toasts, f"Saved {LINES:,}")
            await settle(pilot)
            assert app.is_running
        else:
            await app_ended(pilot, said=lambda: (app.screen, app.saves.unwritten()))
    assert app.return_code == (None if then == "n" else 0) and len(target.read_bytes().splitlines()) == LINES


async def test_y_while_a_save_is_written_stops_it_and_removes_the_part_written(
        tmp_path: Path, held_after_a_chunk: threading.Event) -> None:
    target = tmp_path / "saved.jsonl"
    app = file_app(big_file(tmp_path / "big.jsonl"))
    async with app.run_test(size=(160, 48)) as pilot:
        asked = await quit_asked(pilot, target, held_after_a_chunk)
        assert one_line(f"is being written (5,000 of {LINES:,} entries written)") in one_line(asked)
        [run] = app.saves.being_written()
        await pilot.press("y")
        held_after_a_chunk.set()  # (the stop is asked: the save sees it after this chunk)
        await app_ended(pilot)
    for _ in range(500):
        if run.finished:
            break
        await asyncio.sleep(0.02)
    # (the held chunk at most: its file is closed as the viewer ends, which may come first)
    assert run.finished and 5_000 <= run.written < LINES
    assert app.return_code == 0 and sorted(path.name for path in tmp_path.iterdir()) == ["big.jsonl"]


async def test_y_stops_a_save_of_entries_in_memory_at_its_next_chunk(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """An API's entries, held in memory (a file's lines are read back from the file, which closes as
    the viewer ends): `y` quit, and their save wrote on to its end, the viewer waiting for it (s22)."""
    entries, target = 12_000, tmp_path / "saved.jsonl"
    writing, release, calls = threading.Event(), threading.Event(), itertools.count()
    writer_class = logview.ui.save.EntryWriter

    class HeldWriter(writer_class):  # (its second chunk held until released)
        def write(self, *args, **kwargs) -> None:
            if next(calls):
                writing.set()
                release.wait(10)
            super().write(*args, **kwargs)

    monkeypatch.setattr(logview.ui.save, "EntryWriter", HeldWriter)
    with supermetrics_server(entries, seed=22) as server:
        app = make_app(server, "supermetrics")
        try:
            async with app.run_test(size=(160, 48)) as pilot:
                await wait_until(pilot, lambda: len(app.viewer.store) == entries, timeout=60,
                                 said=lambda: len(app.viewer.store))
                await settle(pilot)
                await save_to(pilot, target)
                await wait_until(pilot, writing.is_set)
                [run] = app.saves.being_written()
                await pilot.press("q")
                await wait_until(pilot, lambda: isinstance(app.screen, ConfirmQuit))
                assert one_line(f"(5,000 of {entries:,} entries written)") in one_line(question_on_screen(app))
                await pilot.press("y")
                release.set()  # (the stop is asked: the save sees it after this chunk)
                await app_ended(pilot)
        finally:
            release.set()
    for _ in range(500):
        if run.finished:
            break
        await asyncio.sleep(0.02)
    assert run.finished and run.written == 10_000  # (the held chunk, and no more)
    assert app.return_code == 0 and list(tmp_path.iterdir()) == []


async def quit_asked_replacing(pilot, target: Path, held_save: threading.Event) -> str:
    """`quit_asked` for a `target` that exists: its replacing confirmed first."""
    await wait_until(pilot, lambda: len(pilot.app.viewer.store) == LINES)
    await settle(pilot)
    await save_to(pilot, target)
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConfirmReplace))
    await pilot.press("y")
    await wait_until(pilot, held_save.writing.is_set)
    await pilot.press("q")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConfirmQuit))
    return question_on_screen(pilot.app)


async def test_y_while_a_save_is_written_through_a_link_leaves_the_file_it_names_as_it_was(
        tmp_path: Path, held_after_a_chunk: threading.Event) -> None:
    """A save to a link was written straight into the file it names: `y` left the first chunk
    there, under a dialog saying the part written was removed (s22). The named file is written
    beside itself now, and left as it was; the link stays a link."""
    target, link = tmp_path / "kept.jsonl", tmp_path / "link.jsonl"
    target.write_bytes(b'{"id": "before"}\n')
    link.symlink_to(target)
    app = file_app(big_file(tmp_path / "big.jsonl"))
    async with app.run_test(size=(160, 48)) as pilot:
        asked = await quit_asked_replacing(pilot, link, held_after_a_chunk)
        assert one_line("It is stopped, and the part written removed.") in one_line(asked), asked
        await pilot.press("y")
        held_after_a_chunk.set()
        await app_ended(pilot)
    for _ in range(500):  # (the save's thread ends on its own after the app's: it removes what it began)
        if not list(tmp_path.glob(".*.partial")):
            break
        await asyncio.sleep(0.02)
    assert link.is_symlink() and target.read_bytes() == b'{"id": "before"}\n'
    assert sorted(path.name for path in tmp_path.iterdir()) == ["big.jsonl", "kept.jsonl", "link.jsonl"]


async def test_y_while_a_save_is_written_into_a_pipe_says_the_part_written_stays(
        tmp_path: Path, held_after_a_chunk: threading.Event) -> None:
    """A pipe takes what is written as it comes: nothing can be removed, and the dialog said it
    would be (s22). It says the part written stays, and where."""
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()), daemon=True)
    reader.start()
    app = file_app(big_file(tmp_path / "big.jsonl"))
    async with app.run_test(size=(160, 48)) as pilot:
        asked = await quit_asked_replacing(pilot, pipe, held_after_a_chunk)
        assert one_line(f"It is stopped; the part written stays in {pipe} (a pipe).") in one_line(asked), asked
        assert "removed" not in asked
        await pilot.press("y")
        held_after_a_chunk.set()
        await app_ended(pilot)
    reader.join(10)
    assert received and 0 < len(received[0].splitlines()) < LINES  # (what it wrote before the stop)
