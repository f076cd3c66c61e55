"""Where logview uses Textual's private API, for want of a public way, each in one place with why.

Written against Textual 8.2 (pinned `>=8.2,<9` in pyproject.toml); `tests/test_textual_internals.py`
fails if a release moves or renames one of them, and `tests/ui/test_ui_key_names.py` and
`tests/ui/test_ui_kept_styles.py` check the key names and the kept styles. Where Textual has a
public way, logview takes it (a crash report leaves through `App.panic`).

Besides these functions, Textual's own handlers are overridden, by their private names, where
logview must act before them and no public hook runs first: `Input._on_key` and `Input._on_focus`
(`widgets/fields.py`: keys typed ahead of a focus change), `Screen._on_screen_resume`
(`fitting.py`: the first resume's restyle of every node, ~50 ms of a big file's first paint),
`App._fatal_error` (`app.py`: a short crash report, not every frame's locals) and
`MessagePump._on_message` (`screens/dialog.py`: a dialog that has answered hears its widgets no
more, a subclass's handlers running before any of its base's). The kept styles read
`Stylesheet`'s internals in `stylesheet.py` alone (`TEXTUAL_INTERNALS`: without one of them the app
keeps Textual's own stylesheet). The log table calls `ScrollView._scroll_update` (`log_table.py`,
`_update_size`: rows added below the screen move the scrollbar without a layout of the screen).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import partial

from rich.style import Style
from textual import _time as textual_time, events, screen as textual_screen
from textual.app import App
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget


def name_keys_first(key_character: Callable[..., str | None]) -> None:
    """Have a screen gathering its bindings (at the first frame, and at each key pressed) ask
    `key_character` for the character each key types before Textual's `key_to_character`, which
    looks keys up in the Unicode name table (~0.8 MiB resident: `widgets/key_footer.py`). Textual's
    screen module calls the function it imported by name: it is replaced there (`key_character` is
    handed Textual's own as `named_by_textual`)."""
    textual_screen.key_to_character = partial(key_character, named_by_textual=textual_screen.key_to_character)


def escape_then_key() -> None:
    """Have the terminal's input parser read an Esc followed, within its escape delay, by a key that makes
    no known sequence with it as Esc and then that key, as vim and the shells read it. Textual read the pair
    as Alt+key, and for anything but a letter as the key alone, the Esc lost: Esc closing the detail and `/`
    at once searched the detail (found by a tester); Esc and a digit typed what Option and the digit type on
    a Mac (`¡`). The delay is Textual's `ESCDELAY` (0.1 s), and tmux's `escape-time` (0.5 s by default) sends
    the pair together. logview binds no Alt key; a sequence a terminal sends for a key (an arrow) is read as
    before, and a terminal speaking the kitty keyboard protocol sends an Esc that nothing follows. Those that
    are Esc and a key too (Alt+b, Alt+f, Alt+⌫, Alt+Tab: a word left or right, a word deleted, as a Mac's
    Option+← sends them) are `EscapeOrAlt`, told apart where the focus is (`keys_in.py`): Esc closing the
    detail and `b` at once were a ctrl+left, which the table does nothing with (found in a walk, in tmux).
    Textual's parser asks `XTermParser._sequence_to_key_events` with `alt=True` for the key after such an Esc,
    and for nothing else; an Esc and a digit it finds in `ANSI_SEQUENCES_KEYS`."""
    from textual._ansi_sequences import ANSI_SEQUENCES_KEYS  # (the terminal's driver imports both: no cost)
    from textual._xterm_parser import XTermParser

    read_as_textual_does = XTermParser._sequence_to_key_events
    if getattr(read_as_textual_does, "escape_first", False):
        return
    escape_and_key = {sequence: read for sequence, read in ANSI_SEQUENCES_KEYS.items()
                      if len(sequence) == 2 and sequence[0] == "\x1b" and sequence != "\x1b\x1b"}
    typed_after_escape = {sequence for sequence, read in escape_and_key.items() if isinstance(read, str)}

    def escape_first(self: XTermParser, sequence: str, alt: bool = False) -> Iterator[events.Key]:
        if sequence in escape_and_key and sequence not in typed_after_escape:
            for key in read_as_textual_does(self, sequence):
                yield EscapeOrAlt(key.key, (events.Key("escape", "\x1b"), *read_as_textual_does(self, sequence[-1])))
            return
        if alt or sequence in typed_after_escape:
            yield events.Key("escape", "\x1b")
            sequence = sequence[-1]
        yield from read_as_textual_does(self, sequence)

    escape_first.escape_first = True  # type: ignore[attr-defined]
    XTermParser._sequence_to_key_events = escape_first  # type: ignore[method-assign]


class EscapeOrAlt(events.Key):
    """A key a terminal sends as Esc and a key typed at once: Textual's reading of it (`key`: ctrl+left for
    Alt+b), or `apart`, the Esc and the key, read as such where no text is typed (`keys_in.py`)."""

    __slots__ = ["apart"]

    def __init__(self, key: str, apart: tuple[events.Key, ...]) -> None:
        super().__init__(key, None)
        self.apart = apart

    def read(self, typing: bool) -> tuple[events.Key, ...]:
        """The keys it is, made anew (sent by the app): in a text field Textual's one, else the Esc and the key."""
        keys = (self,) if typing else self.apart
        return tuple(events.Key(key.key, key.character) for key in keys)


EscapeOrAlt.handler_name = "on_key"  # (a key all the same, should a widget be handed one)


def style_cache(widget: Widget) -> dict[tuple[str, ...], tuple[Style, Style]]:
    """The widget's cache of component styles, which Textual clears whenever the widget is restyled:
    a style worked out from them (`widgets/styling.py`) is kept there, to go when they change."""
    return widget._rich_style_cache


def own_bindings(widget: Widget, key: str) -> Sequence[Binding]:
    """The bindings of `key` on `widget` itself (its class's and its bases'), not its screen's or app's."""
    return widget._bindings.key_to_bindings.get(key, ())


def laid_out_size(screen: Screen) -> Size:
    """The size Textual last laid `screen` out at (its compositor's)."""
    return screen._compositor.size


def layout_asked(screen: Screen) -> list[Widget]:
    """The widgets of `screen` that asked for a layout (or a restyle, or are still to be mounted: a pane
    shown, a panel hidden, a class set, a text replaced) and have not yet told the screen. A widget
    asks by a flag of its own, which it hands on to the screen only when it is next idle
    (`Widget._check_refresh`): the screen does not know of it until then, and `call_after_refresh`
    may run before (a detail just opened had no height when a PgDn behind its Enter came)."""
    return [node for node in screen.walk_children()
            if node._layout_required or node._refresh_styles_required or not node.is_mounted]


def layout_due(screen: Screen) -> bool:
    """Whether `screen` has been told of a layout it has not yet run (it runs it before the callbacks
    of `call_after_refresh`), or is laid out at another size than the terminal's (a tab shown again
    after a resize: laid out as it is shown)."""
    return screen._layout_required or screen._compositor.size != screen.app.size


def unhandled_error(app: App) -> BaseException | None:
    """The error that is ending `app` (`App._handle_exception` notes it before `_fatal_error`)."""
    return app._exception


def message_clock() -> float:
    """Now, on the clock a message's (a key's) `time` is read from (monotonic; perf_counter on Windows)."""
    return textual_time.get_time()


def queued_at_app(app: App, message: Message) -> bool:
    """Whether `message` waits in the app's own queue (a key bubbled back for its binding: `key_order.py`)."""
    return message in app._message_queue.values


def stopped(message: Message) -> bool:
    """Whether a handler stopped `message` (it bubbles no further)."""
    return message._stop_propagation
