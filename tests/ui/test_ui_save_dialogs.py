"""Saving from the viewer (issue 11): `s` takes exactly the names `logview export -o` takes, in the
same format and with the same refusal; saving over an existing file, or over saved filters of the
same name, asks first."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from textual import events

from logview.demo import DEMO_ORG, DemoServer
from logview.settings.saved_filters import SavedFilter, SavedFilters
from logview.ui.screens.confirm import ConfirmReplace
from logview.ui.screens.name_dialog import NameDialog
from logview.ui.screens.save_dialog import SaveDialog
from test_export import AITRONOS_KEY, logview
from test_ui_saved_filters import palette
from ui_helpers import SIZE, kept_toasts, make_app, screen_text, settle, table_lines, toast_said, widget_text


def export_to(demo: DemoServer, target: Path):
    return logview("export", "--source", "aitronos", "--org", DEMO_ORG, "--base-url", demo.url, "-o", str(target),
                   env=AITRONOS_KEY)


async def type_save_name(pilot, name: str) -> None:
    await pilot.press("s")
    await pilot.pause()
    assert isinstance(pilot.app.screen, SaveDialog)
    pilot.app.screen.query_one("#save-path").value = name
    await pilot.press("enter")
    await settle(pilot)


ACCEPTED = ["view.txt", "view.log", "view.json", "view.ndjson", "view.jsonl", "view", "view.2025-11-15", "view.CSV"]


async def test_s_accepts_the_names_export_accepts_and_writes_the_same_bytes(demo: DemoServer, tmp_path: Path) -> None:
    saved, exported = tmp_path / "saved", tmp_path / "exported"
    saved.mkdir(), exported.mkdir()
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for name in ACCEPTED:
            await type_save_name(pilot, str(saved / name))
            assert not isinstance(app.screen, SaveDialog), (name, screen_text(app))
    for name in ACCEPTED:
        result = export_to(demo, exported / name)
        assert result.returncode == 0, result.stderr
        assert (saved / name).read_bytes() == (exported / name).read_bytes(), name
    assert (saved / "view.txt").read_bytes().startswith(b"{")  # JSONL
    assert (saved / "view.CSV").read_bytes().startswith(b"id,")  # CSV


async def test_s_gives_a_file_the_permissions_export_gives_it(demo: DemoServer, tmp_path: Path) -> None:
    """Found in a walk: `s` made every file 0600 whatever the umask (a temporary file renamed into
    place), where `logview export -o` gives what opening the file would (0644 under umask 022),
    and replacing a file kept none of its permissions."""
    kept = tmp_path / "shared.jsonl"
    kept.write_bytes(b"what was there\n")
    kept.chmod(0o640)
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_save_name(pilot, str(tmp_path / "saved.jsonl"))
        await type_save_name(pilot, str(kept))
        await pilot.press("y")  # replace it
        await settle(pilot)
    result = export_to(demo, tmp_path / "exported.jsonl")
    assert result.returncode == 0, result.stderr

    def mode(name: str) -> int:
        return (tmp_path / name).stat().st_mode & 0o777

    umask = os.umask(0)
    os.umask(umask)
    assert mode("saved.jsonl") == mode("exported.jsonl") == 0o666 & ~umask
    assert mode("shared.jsonl") == 0o640 and len(kept.read_bytes().splitlines()) == 600
    assert sorted(path.name for path in tmp_path.iterdir()) == ["exported.jsonl", "saved.jsonl", "shared.jsonl"]


async def test_s_refuses_what_export_refuses_with_the_same_message(demo: DemoServer, tmp_path: Path) -> None:
    target = tmp_path / "view.xlsx"
    result = export_to(demo, target)
    assert result.returncode == 2 and not target.exists()
    message = "cannot tell the format from '.xlsx': name the file .jsonl, .ndjson, .json, .log, .txt (JSONL) or .csv (CSV)"
    assert result.stderr.decode().startswith(f"logview: {message}")
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_save_name(pilot, str(target))
        assert isinstance(app.screen, SaveDialog)  # still asking
        assert "cannot tell the format from '.xlsx'" in screen_text(app)
        shown = widget_text(app.screen.query_one("#save-error"))
        assert " ".join(shown.split()) == message  # the same words, however the dialog wraps them
        await pilot.press("escape")
    assert not target.exists()


# -- replacing asks first (11.7) -------------------------------------------------------------------

def question_on_screen(app) -> str:
    """The confirmation as the user reads it: the question and its buttons, wrapping undone."""
    assert isinstance(app.screen, ConfirmReplace), type(app.screen)
    box = app.screen.query_one("#confirm-box").region
    drawn = [line[box.x:box.right] for line in screen_text(app).splitlines()[box.y:box.bottom]]
    return " ".join(" ".join(drawn).replace("│", " ").split())


@pytest.mark.parametrize(("cancel", "replace"), [("escape", "enter"), ("n", "y")])
async def test_s_to_an_existing_file_asks_before_replacing_it(demo: DemoServer, tmp_path: Path, cancel: str,
                                                              replace: str) -> None:
    target = tmp_path / "kept.jsonl"
    target.write_bytes(b"what was there\n")
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_save_name(pilot, str(target))
        asked = question_on_screen(app)
        question = f"{target} already exists. Replace it with the 600 entries shown?"
        assert "".join(question.split()) in "".join(asked.split())  # a long path folds mid-word
        assert "Replace" in asked and "Cancel" in asked and "Enter or y replaces · Esc or n cancels" in asked
        await pilot.press(cancel)
        await settle(pilot)
        assert target.read_bytes() == b"what was there\n"  # cancelled: untouched
        assert isinstance(app.screen, SaveDialog)  # the dialog is back, with the name as typed, to change it
        dialog_input = app.screen.query_one("#save-path")
        assert dialog_input.value == str(target) and dialog_input.has_focus
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(replace)
        await settle(pilot)
        assert not isinstance(app.screen, (SaveDialog, ConfirmReplace))
    lines = target.read_bytes().splitlines()
    assert len(lines) == 600 and lines[0].startswith(b"{")  # replaced


async def test_a_new_file_is_saved_without_a_question(demo: DemoServer, tmp_path: Path) -> None:
    target = tmp_path / "new.jsonl"
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_save_name(pilot, str(target))
        assert not isinstance(app.screen, (SaveDialog, ConfirmReplace))
    assert len(target.read_bytes().splitlines()) == 600


async def test_save_filters_as_an_existing_name_asks_before_replacing_them(demo: DemoServer, tmp_path: Path) -> None:
    saved = SavedFilters(tmp_path / "saved.json")
    before = SavedFilter(statuses=("blocked",))
    saved.save("aitronos", "mine", before)
    app = make_app(demo, saved_filters=saved)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")  # status: error
        await settle(pilot)
        await palette(pilot, "Save filters as")
        await pilot.press(*"mine", "enter")
        await pilot.pause()
        assert "Saved filters “mine” already exist. Replace them with the current filters?" in question_on_screen(app)
        await pilot.press("escape")
        await pilot.pause()
        assert saved.get("aitronos", "mine") == before  # cancelled: kept
        assert isinstance(app.screen, NameDialog) and app.screen.query_one("#name-input").value == "mine"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("enter")  # Replace
        await pilot.pause()
        assert not isinstance(app.screen, (NameDialog, ConfirmReplace))
    assert saved.get("aitronos", "mine") == SavedFilter(statuses=("error",))


@pytest.mark.parametrize("size", [SIZE, (60, 20)])
async def test_the_confirmation_draws_over_the_viewer_like_every_dialog(demo: DemoServer, tmp_path: Path,
                                                                       size: tuple[int, int]) -> None:
    """The question is asked over a dialog over the viewer: the viewer stays in sight, dimmed,
    rather than a blank screen (both routes: `s` and the palette's "Save filters as…"). Its border
    is the only one: the dialog's box under it is hidden, whose border showed inside or below the
    question's where the two were as wide (the save's at 60 columns, the name's at any size, s28)."""
    target = tmp_path / "kept.jsonl"
    target.write_bytes(b"what was there\n")
    saved = SavedFilters(tmp_path / "saved.json")
    saved.save("aitronos", "mine", SavedFilter(statuses=("blocked",)))
    app = make_app(demo, saved_filters=saved)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        first_row = table_lines(app)[-1][:40].strip()  # (the last row on screen: below the box at 60×20)

        async def asked(question: str) -> None:
            assert isinstance(app.screen, ConfirmReplace)
            behind = screen_text(app)
            assert first_row in behind and "shown 600" in behind
            assert behind.count("╭") == behind.count("╰") == 1, behind
            assert unspaced(question) in unspaced(question_on_screen(app))
            await pilot.press("escape")
            await pilot.pause()
            assert "╭" in screen_text(app)  # (the dialog's box again, once the question is answered)
            await pilot.press("escape")
            await pilot.pause()

        await type_save_name(pilot, str(target))
        await asked(f"{target} already exists. Replace it with the 600 entries shown?")
        await palette(pilot, "Save filters as")
        await pilot.press(*"mine", "enter")
        await pilot.pause()
        await asked("Saved filters “mine” already exist. Replace them with the current filters?")


# -- a folder that cannot take the file is said in the dialog ---------------------------------------

async def save_refused_inline(demo: DemoServer, target: Path) -> str:
    """Type `target` in `s`, press Enter: the dialog must stay, with the name as typed and no toast;
    returns the error it shows."""
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        said = kept_toasts(app)
        await type_save_name(pilot, str(target))  # (and its save, had one begun, done: settled)
        assert isinstance(app.screen, SaveDialog), screen_text(app)  # still asking
        assert app.screen.query_one("#save-path").value == str(target)
        assert not said  # no "Could not save" toast
        box = app.screen.query_one("#save-error").region
        drawn = [line[box.x:box.right] for line in screen_text(app).splitlines()[box.y:box.bottom]]
        await pilot.press("escape")
    return "".join("".join(drawn).split())  # a long path folds mid-word: compared without spaces


def unspaced(text: str) -> str:
    return "".join(text.split())


async def test_s_into_a_folder_that_does_not_exist_says_so_in_the_dialog(demo: DemoServer, tmp_path: Path) -> None:
    target = tmp_path / "nodir" / "x.jsonl"
    assert await save_refused_inline(demo, target) == unspaced(f"no such folder: {tmp_path / 'nodir'}")
    assert not (tmp_path / "nodir").exists()
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    assert await save_refused_inline(demo, not_a_folder / "x.jsonl") == unspaced(f"not a folder: {not_a_folder}")


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="a /proc to try")
async def test_s_into_a_folder_that_takes_no_file_says_so_in_the_dialog(demo: DemoServer) -> None:
    """s27 walk #5: `/proc/x.jsonl` closed the dialog, a toast saying the OS's "No such file or
    directory" of a folder that exists."""
    assert await save_refused_inline(demo, Path("/proc/x.jsonl")) == unspaced(
        "no file can be made in the folder /proc: name one in another folder")


async def test_s_into_a_folder_without_write_permission_says_so_in_the_dialog(demo: DemoServer, tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    real_access = os.access
    # root may write anywhere, so the test also makes the OS say no for this folder alone
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: False if Path(path) == folder
                        else real_access(path, mode, **kw))
    try:
        shown = await save_refused_inline(demo, folder / "x.jsonl")
    finally:
        folder.chmod(0o700)
    assert shown == unspaced(f"no permission to write in the folder {folder}")
    assert list(folder.iterdir()) == []


def typed(app, text: str) -> None:
    """Keys as a terminal delivers a burst (a fast typist, a paste): all queued before any is handled."""
    names = {"/": "slash", ".": "full_stop", "-": "minus", "_": "underscore"}
    for char in text:
        app.post_message(events.Key(names.get(char, char), char))


async def test_a_name_typed_at_once_after_s_is_the_name_saved(demo: DemoServer, tmp_path: Path, monkeypatch) -> None:
    """`s`, the name and Enter in one burst: the name's characters came before the dialog's field
    had the focus and were lost (its `/` even opened the search), and Enter saved under the
    default name (found in a walk)."""
    monkeypatch.chdir(tmp_path)
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        typed(app, f"s{tmp_path}/burst.jsonl")
        app.post_message(events.Key("enter", "\r"))
        await settle(pilot)
        await pilot.pause(0.3)
        assert (tmp_path / "burst.jsonl").exists() and not (tmp_path / "logview-export.jsonl").exists()
        assert len((tmp_path / "burst.jsonl").read_bytes().splitlines()) == len(app.viewer.view)
        assert app.viewer.filters.search is None  # (the `/` in the name went into the name)
        await pilot.press("slash", "s", "a", "enter")  # in a field, `s` is a letter, not Save
        await settle(pilot)
        assert app.viewer.filters.search == "sa" and not isinstance(app.screen, SaveDialog)



async def test_editing_keys_in_a_burst_act_in_their_turn(demo: DemoServer, tmp_path: Path, monkeypatch) -> None:
    """A field's own keys ran once they had bubbled up to the app, after the characters typed
    behind them: `s`, ctrl+u and a name in one burst (keys queue while a big file is read) left
    the name empty, 'Type a file name.' (found in walks, 4 of 13 tries); `abd⌫c←x` in the
    search gave `abdc`."""
    monkeypatch.chdir(tmp_path)
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        typed(app, "abd")
        for key in ("backspace", "c", "left", "x"):
            app.post_message(events.Key(key, key if len(key) == 1 else None))
        await pilot.pause(0.2)
        assert app.viewer.sidebar.query_one("#search").value == "abxc"
        await pilot.press("escape")
        typed(app, "s")
        app.post_message(events.Key("ctrl+u", "\x15"))
        typed(app, f"{tmp_path}/burst.jsonl")
        app.post_message(events.Key("enter", "\r"))
        await settle(pilot)
        await pilot.pause(0.3)
        assert "Type a file name" not in screen_text(app)
        assert (tmp_path / "burst.jsonl").exists() and not (tmp_path / "logview-export.jsonl").exists()

async def test_s_while_a_save_is_written_says_so_and_a_big_save_says_it_began(demo: DemoServer, tmp_path: Path,
                                                                             monkeypatch) -> None:
    """A save of 600k rows takes seconds with nothing on screen, and a second `s` to the same new
    name raced it (found in a walk). The writing is held here until the second `s` is pressed."""
    import threading

    from logview.ui import save

    monkeypatch.setattr(save, "SAY_SAVING_FROM", 100)  # (the demo's 600 rows count as big here)
    release = threading.Event()
    write = save._write_atomically
    monkeypatch.setattr(save, "_write_atomically",
                        lambda path, how, made=None: (release.wait(10), write(path, how, made)))
    target = tmp_path / "big.jsonl"
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        said = kept_toasts(app)
        await pilot.press("s")
        await pilot.pause()
        app.screen.query_one("#save-path").value = str(target)
        await pilot.press("enter")
        await toast_said(pilot, said, "Saving ")
        assert said == [f"Saving 600 entries to {target} …"], said
        await pilot.press("s")
        await toast_said(pilot, said, "A save is still being written")
        assert not isinstance(app.screen, SaveDialog)
        assert said[1:] == ["A save is still being written: its message says when it is done."], said
        release.set()
        await settle(pilot)
        assert len(said) == 3 and said[2].startswith(f"Saved 600 entries to {target}"), said
    assert len(target.read_bytes().splitlines()) == 600


async def test_tab_in_a_burst_moves_on_in_its_turn(demo: DemoServer) -> None:
    """Found in a walk: `d`, then ctrl+u since Tab ctrl+u until ⏎ in one burst put the until text in
    since (1 in 3), or past until into the credential and the search: Tab (the app's focus_next)
    acted once it had bubbled up, after the characters typed behind it."""
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await pilot.pause(0.2)
        app.post_message(events.Key("ctrl+u", "\x15"))
        typed(app, "2025-11-14")
        app.post_message(events.Key("tab", "\t"))
        app.post_message(events.Key("ctrl+u", "\x15"))
        typed(app, "2025-11-15")
        await pilot.pause(0.3)
        sidebar = app.viewer.sidebar
        assert (sidebar.query_one("#since").value, sidebar.query_one("#until").value) == ("2025-11-14", "2025-11-15")
        assert sidebar.query_one("#search").value == ""


async def test_s_with_nothing_shown_says_the_file_will_be_empty(demo: DemoServer) -> None:
    """s25 walk #9: `Save the 0 entries shown` wrote an empty file, which `--file` then refuses."""
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"no-such-thing-anywhere", "enter")
        await settle(pilot)
        assert len(app.viewer.view) == 0
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SaveDialog)
        assert "Save the 0 entries shown (nothing matches: the file will be empty)" in screen_text(app)
