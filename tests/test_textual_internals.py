"""The Textual private API logview uses (`ui/textual_internals.py`, Textual 8.2) is still there and
does what logview takes it for: a Textual release that moves or renames any of it fails here, not
silently in the viewer. (The key names: `ui/test_ui_key_names.py`; the kept styles' stylesheet
internals: `ui/test_ui_kept_styles.py`.)"""

from __future__ import annotations

import inspect
import tomllib
from pathlib import Path

import textual
from textual import events, screen as textual_screen
from textual.app import App
from textual.command import CommandPalette
from textual.message_pump import MessagePump
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, Static

from logview.ui.textual_internals import (laid_out_size, layout_asked, layout_due, message_clock, own_bindings,
                                         style_cache, unhandled_error)
from logview.ui.widgets.fields import FilterField


def test_the_textual_installed_is_the_one_pinned() -> None:
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    [pin] = [requirement for requirement in pyproject["project"]["dependencies"] if requirement.startswith("textual")]
    assert pin == "textual>=8.2,<9" and textual.__version__.startswith("8.")


def test_a_screen_names_its_keys_through_the_function_its_module_imported() -> None:
    """`name_keys_first` replaces `textual.screen.key_to_character`: the screen must call it by that name."""
    assert "key_to_character(key)" in inspect.getsource(textual_screen.Screen)


def test_the_style_cache_is_a_widget_s_own_and_cleared_when_it_is_restyled() -> None:
    widget = Widget()
    cache = style_cache(widget)
    assert cache == {} and style_cache(Widget()) is not cache
    assert inspect.getsource(Widget).count("self._rich_style_cache.clear()") >= 1


def test_own_bindings_are_the_widget_s_class_s() -> None:
    field = FilterField()
    assert [binding.action for binding in own_bindings(field, "enter")] == ["submit"]
    assert [binding.action for binding in own_bindings(field, "escape")] == ["screen.escape"]
    assert list(own_bindings(field, "f9")) == []


async def test_laid_out_size_is_the_size_a_screen_was_laid_out_at() -> None:
    app = App()
    async with app.run_test(size=(90, 30)) as pilot:
        await pilot.pause()
        assert laid_out_size(app.screen) == (90, 30)
        await pilot.resize_terminal(100, 40)
        await pilot.pause()
        assert laid_out_size(app.screen) == (100, 40)


async def test_a_layout_asked_for_is_known_from_when_it_is_asked_until_it_has_run() -> None:
    """Each way a key's action asks for one (a text replaced, a widget shown, a class that sizes it set,
    a widget mounted) names the widget until it has told the screen, and the screen knows it is due
    until it has been laid out again: `call_after_refresh` alone came before a widget's own request
    reached the screen. A tab resized while another is shown is due to be laid out again."""
    class Sized(App):
        CSS = ".tall { height: 10; }"

        def compose(self):
            yield Static("one", id="text")
            yield Static("hidden", id="hidden")

    app = Sized()
    async with app.run_test(size=(90, 30)) as pilot:
        text, hidden = app.query_one("#text", Static), app.query_one("#hidden", Static)
        hidden.display = False
        await pilot.pause()
        asked = [lambda: text.update("one\ntwo"), lambda: setattr(hidden, "display", True),
                 lambda: text.add_class("tall"), lambda: app.screen.mount(Static("new"))]
        for ask, asking in zip(asked, (text, hidden, text, None)):
            assert not layout_asked(app.screen) and not layout_due(app.screen)
            ask()
            assert layout_asked(app.screen) == [asking] if asking else len(layout_asked(app.screen)) == 1
            await pilot.pause()
            assert not layout_asked(app.screen) and not layout_due(app.screen)
        assert text.size.height == 10
        tab, other = Screen(), Screen()  # (a tab resized while another is shown: laid out again when shown)
        app.install_screen(tab, "tab")
        app.install_screen(other, "other")
        await app.push_screen("tab")
        await pilot.pause()
        await app.switch_screen("other")
        await pilot.resize_terminal(100, 40)
        assert layout_due(tab) and not layout_due(other) and not layout_asked(tab)
        await app.switch_screen("tab")
        await pilot.pause()
        assert not layout_due(tab) and laid_out_size(tab) == (100, 40)


def test_the_unhandled_error_is_noted_before_the_fatal_error_is_called() -> None:
    assert unhandled_error(App()) is None
    handling = inspect.getsource(App._handle_exception)
    assert handling.index("self._exception = error") < handling.index("self._fatal_error()")


def test_the_handlers_logview_overrides_are_still_textual_s() -> None:
    """`Input._on_key`/`_on_focus` (fields.py), `Screen._on_screen_resume` (fitting.py, and its
    `refresh_styles`), `App._fatal_error` (app.py), `Widget._scroll_update` (log_table.py)."""
    assert inspect.iscoroutinefunction(Input._on_key) and callable(Input._on_focus)
    assert "event.refresh_styles" in inspect.getsource(Screen._on_screen_resume)
    assert events.ScreenResume().refresh_styles is True
    assert callable(App._fatal_error) and list(inspect.signature(App._fatal_error).parameters) == ["self"]
    assert list(inspect.signature(Widget._scroll_update).parameters) == ["self", "virtual_size"]


def test_a_dialog_s_messages_pass_through_the_dispatch_it_guards() -> None:
    """`screens/dialog.py` calls `MessagePump._on_message` and `Screen.dismiss` for its dialogs and
    the palette: neither may have been overridden between them (it would be skipped)."""
    for screen in (Screen, CommandPalette):
        assert screen._on_message is MessagePump._on_message and screen.dismiss is Screen.dismiss
    assert inspect.iscoroutinefunction(MessagePump._on_message)


def test_the_message_clock_is_the_clock_of_a_key_s_time() -> None:
    before = message_clock()
    key = events.Key("y", "y")
    assert before <= key.time <= message_clock()


async def test_a_message_queued_at_the_app_is_seen_there_and_a_stopped_one_is_said_so() -> None:
    from logview.ui.textual_internals import queued_at_app, stopped

    class Quiet(App):
        def on_key(self, event: events.Key) -> None:
            pass

    app = Quiet()
    async with app.run_test():
        key = events.Key("x", "x")
        assert not queued_at_app(app, key)
        app._message_queue.values.append(key)  # (where `post_message` puts it, the app's loop not woken)
        assert queued_at_app(app, key)
        app._message_queue.values.remove(key)
        assert not queued_at_app(app, key)
        assert not stopped(key)
        key.stop()
        assert stopped(key)


def test_the_parser_reads_the_key_after_a_lone_esc_through_the_method_escape_then_key_replaces() -> None:
    """`escape_then_key` replaces `XTermParser._sequence_to_key_events`, which the parser (bound once, as it
    starts) asks with `alt` for the key after an Esc that made no sequence with it, and reads an Esc and a digit
    as Textual's table says (a character: what Option and the digit type on a Mac)."""
    from textual._ansi_sequences import ANSI_SEQUENCES_KEYS
    from textual._xterm_parser import XTermParser

    source = inspect.getsource(XTermParser.parse)
    assert "sequence_to_key_events = self._sequence_to_key_events" in source
    assert "sequence_to_key_events(character, alt=alt)" in source and source.count(", alt=") == 1
    assert "alt" in inspect.signature(XTermParser._sequence_to_key_events).parameters
    assert isinstance(ANSI_SEQUENCES_KEYS.get("\x1b1"), str)
