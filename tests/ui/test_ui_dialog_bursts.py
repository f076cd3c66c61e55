"""A dialog answers once, however many Enters come in one burst (s26 walk #1: a bouncy Enter, a key
held, a paste into the wrong pane). `s⏎⏎` left a blank screen (the second answer popped the
viewer's own screen), `s⏎⏎⏎` ended the viewer (`ScreenStackError`), the replace question was asked
twice and its second `y` ended it (`InvalidStateError`); the connector picker, the name dialog and
Textual's command palette did the same.

The keys are sent as a terminal sends a burst: all of them in the driver's queue at once, as one
read of the terminal gives them (`burst`). `pilot.press` waits for the app to be idle after each
key, so the first Enter has closed the dialog before the second is even sent: it cannot make the
burst the walk found."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual import events

from logview.demo import DemoServer
from logview.settings.saved_filters import SavedFilter, SavedFilters
from logview.ui.cells import ALWAYS, default_keys
from logview.ui.screens.column_picker import ColumnPicker
from logview.ui.screens.confirm import ConfirmReplace
from logview.ui.screens.connector_picker import ConnectorPicker
from logview.ui.screens.help import HelpScreen
from logview.ui.screens.name_dialog import NameDialog
from logview.ui.screens.save_dialog import SaveDialog
from logview.ui.viewer import ViewerScreen
from test_ui_save_dialogs import question_on_screen
from ui_helpers import SIZE, kept_toasts, make_app, picker_app, screen_text, settle, wait_until

CHARACTERS = {"enter": "\r", "ctrl+p": "\x10"}


def burst(app, *keys: str) -> None:
    """`keys` in the app's queue at once, each as the terminal's reader makes it."""
    for key in keys:
        event = events.Key(key, CHARACTERS.get(key, key if len(key) == 1 else None))
        event.set_sender(app)
        app._driver.send_message(event)


def stack(app) -> list[str]:
    return [type(screen).__name__ for screen in app.screen_stack[1:]]


async def answers_a_key(pilot) -> None:
    """The viewer is in front and takes a key again: `?` opens its help, Esc closes it. (Sent after
    the burst, its answer also says every key of the burst has been dispatched.)"""
    app = pilot.app
    await pilot.press("question_mark")
    await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), said=lambda: stack(app))
    await pilot.press("escape")
    await wait_until(pilot, lambda: isinstance(app.screen, ViewerScreen), said=lambda: stack(app))


def saved_toasts(said: list[str]) -> list[str]:
    return [toast for toast in said if toast.startswith("Saved ")]


@pytest.mark.parametrize("enters", [2, 3, 10])
async def test_s_then_enters_in_one_burst_save_once_and_leave_the_viewer_in_front(
        demo: DemoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, enters: int) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_app(demo)
    said = kept_toasts(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, "s", *["enter"] * enters)
        await wait_until(pilot, lambda: bool(saved_toasts(said)), said=lambda: stack(app))
        await settle(pilot)
        assert saved_toasts(said) == ["Saved 600 entries to logview-export.jsonl"]
        await answers_a_key(pilot)
        assert stack(app) == ["ViewerScreen"]
        assert not app.viewer.detail.display  # (no Enter went on to open the first row's detail)
        text = screen_text(app)
        assert "all loaded" in text and "shown 600" in text  # the viewer drawn, not a blank screen
    assert [path.name for path in tmp_path.iterdir()] == ["logview-export.jsonl"]
    assert len((tmp_path / "logview-export.jsonl").read_bytes().splitlines()) == 600


async def test_enters_typed_ahead_of_the_replace_question_do_not_answer_it(
        demo: DemoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`s⏎⏎⏎` onto a name that exists: asked once (it was asked twice), and the Enters typed before
    the question was asked do not replace the file unseen; a `y` pressed then does, once."""
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "logview-export.jsonl"
    target.write_bytes(b"what was there\n")
    app = make_app(demo)
    said = kept_toasts(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, "s", "enter", "enter", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmReplace), said=lambda: stack(app))
        await settle(pilot)
        assert stack(app) == ["ViewerScreen", "SaveDialog", "ConfirmReplace"]
        assert "already exists. Replace it with the 600 entries shown?" in question_on_screen(app)
        assert target.read_bytes() == b"what was there\n"
        burst(app, "y", "y", "y")  # the answer, bouncing
        await wait_until(pilot, lambda: bool(saved_toasts(said)), said=lambda: stack(app))
        await settle(pilot)
        assert len(saved_toasts(said)) == 1
        await answers_a_key(pilot)
        assert stack(app) == ["ViewerScreen"]
    assert len(target.read_bytes().splitlines()) == 600


async def test_enters_in_one_burst_choose_one_connector(demo: DemoServer) -> None:
    app = picker_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ConnectorPicker)
        burst(app, "enter", "enter", "enter")
        await wait_until(pilot, lambda: app.viewer.source.connector_id == "DEMO01", said=lambda: stack(app))
        await settle(pilot)
        await answers_a_key(pilot)
        assert stack(app) == ["ViewerScreen"]
        assert len(app.viewer.view) == len(demo.state.supermetrics_logs)
        assert not app.viewer.detail.display  # (the picker's Enters opened the first row's detail)
        assert "team 1 / DEMO01" in screen_text(app)


async def open_from_palette(pilot, command: str) -> None:
    """`command` typed into the palette, waited for until it is the only one offered."""
    app = pilot.app
    await pilot.press("ctrl+p")
    await pilot.press(*command)
    await wait_until(pilot, lambda: [line for line in screen_text(app).splitlines() if command in line][1:],
                     said=lambda: screen_text(app))


@pytest.mark.parametrize("taken", [False, True], ids=["new name", "name taken"])
async def test_a_name_and_enters_in_one_burst_save_the_filters_once(demo: DemoServer, tmp_path: Path,
                                                                     taken: bool) -> None:
    saved = SavedFilters(tmp_path / "saved.json")
    if taken:
        saved.save("aitronos", "mine", SavedFilter(statuses=("blocked",)))
    app = make_app(demo, saved_filters=saved)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")  # errors
        await settle(pilot)
        await open_from_palette(pilot, "Save filters as")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, NameDialog), said=lambda: stack(app))
        burst(app, *"mine", "enter", "enter", "enter")
        if taken:  # asked once, and not answered by the Enters typed before it was asked
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmReplace), said=lambda: stack(app))
            await settle(pilot)
            assert stack(app) == ["ViewerScreen", "NameDialog", "ConfirmReplace"]
            assert saved.get("aitronos", "mine") == SavedFilter(statuses=("blocked",))
            burst(app, "y", "y")
        await wait_until(pilot, lambda: isinstance(app.screen, ViewerScreen), said=lambda: stack(app))
        await settle(pilot)
        await answers_a_key(pilot)
        assert stack(app) == ["ViewerScreen"]
        assert saved.names("aitronos") == ["mine"] and saved.get("aitronos", "mine") == SavedFilter(statuses=("error",))


async def test_enters_in_one_burst_run_the_palette_s_command_once(demo: DemoServer, tmp_path: Path) -> None:
    """The crash was Textual's own (`CommandPalette` dismissed itself once per Enter): guarded by
    logview's palette (`screens/dialog.py`)."""
    app = make_app(demo, saved_filters=SavedFilters(tmp_path / "saved.json"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_from_palette(pilot, "Save filters as")
        burst(app, "enter", "enter", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, NameDialog), said=lambda: stack(app))
        await settle(pilot)
        assert stack(app) == ["ViewerScreen", "NameDialog"]  # the command ran once: one dialog
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ViewerScreen), said=lambda: stack(app))
        await answers_a_key(pilot)
        assert stack(app) == ["ViewerScreen"]


async def test_a_dialog_that_closes_while_a_key_of_its_burst_waits_for_the_layout_keeps_that_key(
        demo: DemoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A key waits for the layout before it is sent (`layout_wait.py`); on a loaded machine the dialog
    answered by the Enter before it could close meanwhile, and the second Enter of `s⏎⏎` then went
    to the table under it and opened the first row's detail (a suite run failed so). A slow wait
    here makes that order certain: the key goes to no screen but the one in front as it came."""
    import logview.ui.keys_in as keys_in

    settled = keys_in.layout_settled

    async def slow_layout(screen) -> None:
        await settled(screen)
        await asyncio.sleep(0.15)  # (a loaded machine's frame: the dialog's answer runs meanwhile)

    monkeypatch.setattr(keys_in, "layout_settled", slow_layout)
    monkeypatch.chdir(tmp_path)
    app = make_app(demo)
    said = kept_toasts(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, "s", "enter", "enter")
        await wait_until(pilot, lambda: bool(saved_toasts(said)), said=lambda: stack(app))
        await settle(pilot)
        await answers_a_key(pilot)
        assert stack(app) == ["ViewerScreen"]
        assert not app.viewer.detail.display  # (the second Enter went on to open the first row's detail)
    assert saved_toasts(said) == ["Saved 600 entries to logview-export.jsonl"]


async def picker_open(pilot):
    """The column picker opened over a settled viewer: its list."""
    await settle(pilot)
    await pilot.press("f")
    await settle(pilot)
    return pilot.app.screen.query_one("#columns-list")


async def test_ticks_typed_in_one_burst_toggle_the_rows_they_were_typed_on(demo: DemoServer) -> None:
    """`↓ Space ↓ Space` in one read moved the highlight and lost the ticks: Textual toggles the row
    highlighted when its selection message is handled, by then the last one, twice (found in a walk)."""
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        ticks = await picker_open(pilot)
        before = list(ticks.selected)
        keys = [ticks.get_option_at_index(index).value for index in range(4)]
        assert before[:4] == keys  # (the four default columns, ticked, first)
        burst(app, "down", "space", "down", "space", "down", "down", "space")
        await settle(pilot)
        assert ticks.highlighted == 4  # rows 1 and 2 unticked, row 4 (unticked before) ticked
        assert set(ticks.selected) == {keys[0], keys[3], ticks.get_option_at_index(4).value}


@pytest.mark.parametrize("keys", [("space", "enter"), ("d", "enter"), ("J", "enter")])
async def test_the_picker_s_enter_in_a_burst_applies_what_the_keys_before_it_did(demo: DemoServer, keys) -> None:
    """`Space Enter` in one read applied the ticks as they were before the Space (Enter acts at once, Space's
    toggle came after it), and `d Enter`, `J Enter` likewise (found in a walk)."""
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        ticks = await picker_open(pilot)
        await pilot.press("space" if keys[0] == "d" else "down")  # (d restores what Space changed)
        await settle(pilot)
        before = [ticks.get_option_at_index(index).value for index in range(ticks.option_count)
                  if ticks.get_option_at_index(index).value in ticks.selected]
        at = ticks.highlighted
        burst(app, *keys)
        await wait_until(pilot, lambda: not isinstance(app.screen, ColumnPicker), said=lambda: stack(app))
        await settle(pilot)
        shown = [column.key for column in app.viewer.table.columns if column.key not in ALWAYS]
        if keys[0] == "space":
            assert shown == [key for key in before if key != before[at]]
        elif keys[0] == "d":
            assert shown == list(default_keys("aitronos"))
        else:
            assert shown == [before[0], before[2], before[1], *before[3:]]
