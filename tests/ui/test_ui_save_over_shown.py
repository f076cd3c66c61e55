"""`s` over the file shown (s25 walk #9): the dialog's question says it is the file shown, and what a
filtered save leaves out of it; the save is the viewer's own write, not a change on disk to warn of
(it said at once `⚠ errors.jsonl changed on disk since it was read: the rows shown may no longer match
it`). The rows shown still read back from the file as read, held open; the watch takes the file the
save made as the file read, so a later change is still said, in its own words."""

from __future__ import annotations

from pathlib import Path

import pytest

from logview.ui.screens.save_dialog import SaveDialog
from test_ui_file_reload import demo_entries, write_entries
from test_ui_mixed_file import watched_mixed_file
from test_ui_save_dialogs import question_on_screen, type_save_name
from ui_helpers import SIZE, file_app, kept_toasts, screen_text, settle, toast_said, wait_until

LINE = '{"id":"late","log_time":"2025-11-15T11:59:59Z","status":200,"event":"late"}\n'


def asks(app, question: str) -> bool:
    """Whether the confirmation asks exactly `question` (a long path folds mid-word: spaces aside)."""
    return "".join(f"╮{question}Enter or y replaces".split()) in "".join(question_on_screen(app).split())


async def saved_over(pilot, app, name: str, question: str, said: str) -> None:
    """`s`, the file's own name, the question asked as expected, `y`, and the toast said."""
    toasts = kept_toasts(app)
    await type_save_name(pilot, name)
    assert asks(app, question), question_on_screen(app)
    await pilot.press("y")
    await toast_said(pilot, toasts, "Saved ")
    assert said in toasts, toasts


async def own_write_taken(pilot, app) -> None:
    """The watch has looked at the file the save made and taken it as the file read. (An append
    before that look is a change of another stamp than the save's: it would rightly be said as
    `changed on disk`, so a test that appends waits for this first.)"""
    watch = app.viewer.feed.file_watch
    await wait_until(pilot, lambda: not watch._own, said=lambda: watch._own)


async def only_a_later_change_is_said(pilot, app, path: Path, line: str = LINE) -> None:
    """The watch took the save as its own (else it said `changed on disk`, once, and no more
    after), and a later append is said in its own words."""
    await own_write_taken(pilot, app)
    assert "on disk" not in app.viewer.banner.plain(), app.viewer.banner.plain()
    with path.open("a") as handle:
        handle.write(line)
    await wait_until(pilot, lambda: "on disk" in app.viewer.banner.plain(), said=lambda: app.viewer.banner.plain())
    banner = app.viewer.banner.plain()
    assert f"{path.name} has grown on disk since it was read — r reads it again" in banner
    assert "changed on disk" not in banner and "changed on disk" not in screen_text(app)


@pytest.fixture
def errors_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from logview.ui import feed

    monkeypatch.setattr(feed, "FILE_CHECK_EVERY_S", 0.1)
    path = tmp_path / "errors.jsonl"
    write_entries(path, demo_entries(43, seed=4))
    return path


@pytest.mark.parametrize("typed", ["own name", "whole path"])
async def test_s_over_the_file_shown_says_so_and_its_own_write_is_no_change_on_disk(
        errors_file: Path, monkeypatch: pytest.MonkeyPatch, typed: str) -> None:
    monkeypatch.chdir(errors_file.parent)
    name = "errors.jsonl" if typed == "own name" else str(errors_file)
    app = file_app(errors_file)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await saved_over(pilot, app, name,
                         f"{name} is the file shown. Replace it with the 43 entries shown, all those read from it?",
                         f"Saved 43 entries to {name}, the file shown")
        assert len(errors_file.read_text().splitlines()) == 43
        await pilot.press("enter")  # (a row still reads back whole)
        await settle(pilot)
        assert "no longer in the file" not in screen_text(app)
        await pilot.press("escape")
        await only_a_later_change_is_said(pilot, app, errors_file)


async def test_a_filtered_save_over_the_file_shown_says_what_leaves_it(errors_file: Path) -> None:
    app = file_app(errors_file)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        viewer = app.viewer
        await pilot.press("1")  # one status only
        await wait_until(pilot, lambda: 0 < len(viewer.view) < 43, said=lambda: len(viewer.view))
        await settle(pilot)
        shown = len(viewer.view)
        name = str(errors_file)
        await saved_over(pilot, app, name,
                         f"{name} is the file shown. Replace it with the {shown} entries shown? The other "
                         f"{43 - shown} read from it will no longer be in it.",
                         f"Saved {shown} entries to {name}, the file shown (it holds only them now, of the 43 read: "
                         f"r reads it again)")
        assert len(errors_file.read_text().splitlines()) == shown
        assert f"shown {shown}   loaded 43" in screen_text(app)  # (the rows read stay, read back as read)
        await only_a_later_change_is_said(pilot, app, errors_file)
        await pilot.press("r")
        await settle(pilot)
        await wait_until(pilot, lambda: f"loaded {shown + 1}" in screen_text(app), said=lambda: screen_text(app)[:160])
        assert "on disk" not in app.viewer.banner.plain()


async def test_a_file_read_in_part_says_the_rest_leaves_it(errors_file: Path) -> None:
    app = file_app(errors_file, max_entries=10)
    before = errors_file.read_bytes()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        name = str(errors_file)
        await type_save_name(pilot, name)
        assert asks(app, f"{name} is the file shown. Replace it with the 10 entries shown? It was read only in part "
                         "(--max-entries): the rest will no longer be in it."), question_on_screen(app)
        await pilot.press("n")
        await settle(pilot)
    assert errors_file.read_bytes() == before


async def test_another_file_is_asked_of_as_before(errors_file: Path) -> None:
    other = errors_file.with_name("other.jsonl")
    other.write_text(LINE)
    app = file_app(errors_file)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_save_name(pilot, str(other))
        assert asks(app, f"{other} already exists. Replace it with the 43 entries shown?"), question_on_screen(app)


async def test_s_over_the_mixed_file_shown_says_so_and_its_own_write_is_no_change_on_disk(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path, lines, app = watched_mixed_file(tmp_path, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        read = len(app.viewer.store)
        await saved_over(pilot, app, str(path),
                         f"{path} is the file shown. Replace it with the {read} entries shown, all those read from it?",
                         f"Saved {read} entries to {path}, the file shown")
        await only_a_later_change_is_said(pilot, app, path, lines[0] + "\n")


def save_box_drawn(app) -> str:
    """The save dialog as the user reads it, spaces aside (a long path folds mid-word)."""
    box = app.screen.query_one("#save-box").region
    return "".join("".join(line[box.x:box.right] for line in screen_text(app).splitlines()[box.y:box.bottom])
                   .replace("│", "").split())


@pytest.mark.parametrize("named", ["csv", "link"])
async def test_csv_over_the_jsonl_file_shown_is_refused_and_a_jsonl_save_is_asked_as_before(
        errors_file: Path, named: str) -> None:
    """The file shown is JSONL whatever its name (`--file` opens nothing else): a save named `.csv` is
    CSV, and over the file shown (named `.csv`, or by a `.csv` link to it) it replaced the entries as
    received with the source's columns, asked as any file, and `r` then refused the file it left."""
    shown = errors_file.with_name("errors.csv") if named == "csv" else errors_file
    if named == "csv":
        errors_file.rename(shown)
    else:
        errors_file.with_name("errors.csv").symlink_to(errors_file)
    before = shown.read_bytes()
    app = file_app(shown)
    toasts = kept_toasts(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        name = str(shown.with_name("errors.csv"))
        await type_save_name(pilot, name)
        said = (f"{name} is the file shown, read as JSONL: as CSV it would hold the source's columns instead of the "
                "entries as received, and --file could not open it again. Save the CSV under another name.")
        await wait_until(pilot, lambda: "".join(said.split()) in save_box_drawn(app), said=lambda: save_box_drawn(app))
        assert isinstance(app.screen, SaveDialog)  # (refused, not asked: the dialog waits for another name)
        await pilot.press("escape")
        await settle(pilot)
        assert shown.read_bytes() == before and not any(note.startswith("Saved ") for note in toasts), toasts
        if named == "link":  # the JSONL name is asked of as before
            await saved_over(pilot, app, str(shown),
                             f"{shown} is the file shown. Replace it with the 43 entries shown, all those read from it?",
                             f"Saved 43 entries to {shown}, the file shown")
