"""Esc and a key typed right after it, within the terminal's escape delay (Textual's 0.1 s; tmux's
`escape-time` sends the two together), are both keys (found by a tester): Textual read the pair as
Alt+key, and for anything but a letter as the key alone, the Esc lost. Esc closing the detail and `/`
at once searched the detail; Esc leaving the search field and `4` at once put the `4` into the field.
The keys are sent here as the terminal sends them, through Textual's parser, then as its driver does."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from textual import constants, events
from textual._xterm_parser import XTermParser
from textual.pilot import Pilot

from logview.ui.app import LogViewApp
from logview.ui.screens.help import HelpScreen
from test_ui_reload_other_api import exported
from ui_helpers import SIZE, file_app, settle, wait_until


def parsed(data: str) -> list[events.Key]:
    """The keys Textual's parser reads from `data`, sent by the terminal at once, once its escape delay is over."""
    parser = XTermParser()
    keys = list(parser.feed(data))
    time.sleep(constants.ESCAPE_DELAY + 0.05)
    return [key for key in [*keys, *parser.tick()] if isinstance(key, events.Key)]


@pytest.mark.parametrize("data, keys", [
    ("\x1b/", [("escape", "\x1b"), ("slash", "/")]),
    ("\x1bq", [("escape", "\x1b"), ("q", "q")]),
    ("\x1bG", [("escape", "\x1b"), ("G", "G")]),
    ("\x1b4", [("escape", "\x1b"), ("4", "4")]),  # (Textual: `¢`, what Option+4 types on a Mac)
    ("\x1b\r", [("escape", "\x1b"), ("enter", "\r")]),
    ("\x1b", [("escape", "\x1b")]),
    ("\x1b\x1b", [("escape", "\x1b"), ("escape", "\x1b")]),
    ("\x1b[A", [("up", None)]),  # (a key's own sequences are read as before)
    ("\x1bb", [("ctrl+left", None)]),
    ("\x1b[47;3u", [("alt+slash", None)]),  # (the kitty keyboard protocol's Alt+/: no Esc in it)
])
def test_the_terminal_parser_reads_an_esc_and_the_key_after_it_as_both(data: str, keys: list) -> None:
    assert LogViewApp is not None  # (its module has the parser read them so: `textual_internals.escape_then_key`)
    assert [(key.key, key.character) for key in parsed(data)] == keys


async def terminal_sends(pilot: Pilot, data: str) -> None:
    """`data` as the terminal sends it: parsed, then each key posted as the driver does."""
    for key in await asyncio.to_thread(parsed, data):  # (as the driver's thread reads it)
        key.set_sender(pilot.app)
        pilot.app.post_message(key)


async def open_detail(pilot: Pilot) -> None:
    await settle(pilot)
    await pilot.press("enter")
    await wait_until(pilot, lambda: pilot.app.viewer.browser.shown("detail"))


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    return exported(tmp_path / "logs.jsonl", "supermetrics")


async def test_esc_closing_the_detail_then_slash_opens_the_search(logs: Path) -> None:
    app = file_app(logs)
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(pilot)
        await terminal_sends(pilot, "\x1b/")
        await wait_until(pilot, lambda: getattr(app.screen.focused, "id", None) == "search",
                         said=lambda: app.screen.focused)
        assert not app.viewer.browser.shown("detail")


async def test_esc_leaving_the_search_field_then_a_digit_picks_its_status(logs: Path) -> None:
    app = file_app(logs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", "G", "E", "T")
        await settle(pilot)
        await terminal_sends(pilot, "\x1b4")
        await wait_until(pilot, lambda: app.viewer.filters.statuses == ("5xx",), said=lambda: app.viewer.filters)
        await settle(pilot)
        field = app.viewer.sidebar.query_one("#search")
        assert app.viewer.filters.search is None and field.value == "" and app.screen.focused is app.viewer.table


async def test_esc_closing_a_dialog_then_a_key_closes_it(logs: Path) -> None:
    """The key behind the Esc was typed to the dialog, and acts on nothing else (`dialog.StrayKeys`), as when
    the two are typed one by one before the dialog has gone; Alt+h kept the dialog."""
    app = file_app(logs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await terminal_sends(pilot, "\x1bh")
        await wait_until(pilot, lambda: app.screen is app.viewer, said=lambda: app.screen)


async def test_esc_closing_the_detail_then_b_or_f_are_both_keys(logs: Path) -> None:
    """Esc and `b` (`f`) sent at once are what a terminal sends for Alt+b (Alt+f), which Textual reads as
    ctrl+left (ctrl+right): a word left in a field, nothing in the table, so Esc closing the detail and `b`
    at once did nothing at all, the detail left open and the sidebar shown (found in a walk, in tmux)."""
    app = file_app(logs)
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(pilot)
        await terminal_sends(pilot, "\x1bb")
        await wait_until(pilot, lambda: not app.viewer.sidebar.display, said=lambda: app.screen.focused)
        assert not app.viewer.browser.shown("detail")
        await open_detail(pilot)
        await terminal_sends(pilot, "\x1bf")
        await wait_until(pilot, lambda: app.screen is not app.viewer, said=lambda: app.screen)
        assert type(app.screen).__name__ == "ColumnPicker" and not app.viewer.browser.shown("detail")


async def test_alt_b_in_a_field_is_still_a_word_left(logs: Path) -> None:
    """In a field, the pair is the word left a Mac's Option+← sends (Alt+b), as Textual reads it."""
    app = file_app(logs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"GET token")
        field = app.viewer.sidebar.query_one("#search")
        await terminal_sends(pilot, "\x1bb")
        await wait_until(pilot, lambda: field.cursor_position == len("GET "), said=lambda: field.cursor_position)
        assert app.screen.focused is field and field.value == "GET token"
