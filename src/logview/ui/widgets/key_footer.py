"""The footer of keys: the screen's shown bindings, drawn as one line by one widget.

Textual's `Footer` is a container of one widget per key (~15 here), each styled on its own, and
it recomposes them all whenever the bindings change (the focus moves, a screen resumes). At a
launch those widgets were made, styled and restyled (their `compact` binding) in the very moments
the first rows are drawn and the first keys pressed: 50–80 ms of a big file's "oldest row
reachable" (8 paired launches, `benchmarks/RESULTS.md`). Here the keys are a list of items and
one `Text`: a change of keys is a repaint, and only when what is shown differs.

It looks and answers as Textual's footer does: each key bold in the footer's key colour, then its
description; a disabled key dimmed; the command palette's key docked right after a thin rule; the
key under the pointer highlighted (with its tooltip), a click presses it, and the wheel scrolls
keys that do not fit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import msgspec
from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import ActiveBinding, Binding
from textual.command import CommandPalette
from textual.keys import KEY_DISPLAY_ALIASES
from textual.screen import Screen
from textual.widget import Widget

from logview.ui.widgets.styling import legible_style

# j/k as ↓/↑ in the dialogs' lists, as in the table and the detail (only the arrows moved there)
UP_DOWN_KEYS = (Binding("j", "cursor_down", show=False), Binding("k", "cursor_up", show=False))
PALETTE_RULE = "▏"  # (Textual's footer draws a `vkey` left border before the palette's key)


# The keys logview binds, named as Textual names them (a test holds them equal to Textual's own
# `key_to_character` and `format_key`). Textual finds both by looking the key's name up in
# Python's table of Unicode names (`unicodedata.lookup`): the first lookups fault in ~0.7 MiB of
# it, resident in the viewer through a big file's read, its peak beside the child (measured: the
# module's mapping 0.84 MiB resident against 0.10 once imported). A key not here is Textual's.
KEY_CHARACTERS: dict[str, str | None] = {  # what `key_to_character` answers
    "backspace": "\x08", "down": None, "end": None, "enter": None, "escape": "\x1b", "home": None,
    "left": None, "left_square_bracket": "[", "pagedown": None, "pageup": None, "question_mark": "?",
    "right": None, "right_square_bracket": "]", "slash": None, "space": " ", "tab": "\t", "up": None}
KEY_DISPLAYS = {**KEY_DISPLAY_ALIASES, "end": "end", "home": "home", "left_square_bracket": "[",
                "question_mark": "?", "right_square_bracket": "]", "slash": "/", "tab": "tab"}


def key_character(key: str, named_by_textual: Callable[[str], str | None]) -> str | None:
    """The character a key types, as Textual's `key_to_character` (`named_by_textual`) says."""
    return KEY_CHARACTERS[key] if key in KEY_CHARACTERS else named_by_textual(key)


def key_display(binding: Binding) -> str | None:
    """How the footer writes a binding's key, as Textual's `App.get_key_display`; None for a key
    it names from the Unicode table (not one of logview's)."""
    if binding.key_display:
        return binding.key_display
    modifiers, key = binding.parse_key()
    shown = KEY_DISPLAYS.get(key) or (key if len(key) == 1 and key.isalnum() else None)
    if shown is None:
        return None
    if "ctrl" in modifiers:
        modifiers.remove("ctrl")
        shown = f"^{shown}"
    return "+".join([*modifiers, shown])


class FooterItem(msgspec.Struct, frozen=True):
    """One key as the footer shows it."""

    key: str  # what a click presses (`App.simulate_key`)
    display: str  # how the key is written (`App.get_key_display`)
    description: str
    enabled: bool = True
    tooltip: str = ""

    def key_text(self, palette: bool) -> str:
        return self.display if palette else f" {self.display} "

    def description_text(self, palette: bool) -> str:
        if not self.description:
            return ""
        return f" {self.description} " if palette else f"{self.description} "

    def width(self, palette: bool = False) -> int:
        return cell_len(self.key_text(palette)) + cell_len(self.description_text(palette))


def footer_items(app: Any, active: Mapping[str, ActiveBinding]) -> tuple[tuple[FooterItem, ...], FooterItem | None]:
    """The shown bindings of `active` (a screen's `active_bindings`), one per action (its first
    key) as Textual's `Footer` picks them; and the command palette's key, apart."""
    items: dict[str, FooterItem] = {}
    for _node, binding, enabled, tooltip in active.values():
        if binding.show and binding.action not in items:
            items[binding.action] = FooterItem(binding.key, app.get_key_display(binding), binding.description,
                                               enabled, tooltip)
    palette = None
    if app.ENABLE_COMMAND_PALETTE and app.COMMAND_PALETTE_BINDING in active:
        _node, binding, enabled, _tooltip = active[app.COMMAND_PALETTE_BINDING]
        palette = FooterItem(binding.key, app.get_key_display(binding), binding.description, enabled,
                             binding.tooltip or binding.description)
        items.pop(binding.action, None)
    return tuple(items.values()), palette


# The command palette's own keys, which its bindings hide (all but Esc, under a long name); the
# viewer's `q Quit  b Filters …` are typed into its search there.
PALETTE_KEYS = (FooterItem("down", "↑↓", "Move"), FooterItem("enter", "⏎", "Run"),
                FooterItem("escape", "esc", "Close"))


class KeyFooter(Widget, can_focus=False):
    """The keys of the screen it is on, one line at the bottom."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"key-footer--key", "key-footer--description", "key-footer--rule",
                         "key-footer--hover"}
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        .key-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .key-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .key-footer--rule { color: $foreground 20%; }
        .key-footer--hover { background: $block-hover-background; }
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.items: tuple[FooterItem, ...] = ()  # the keys, left to right
        self.palette: FooterItem | None = None  # the command palette's key, docked right
        self._check_pending = False
        self._hover: FooterItem | None = None
        self._shift = 0  # keys scrolled out on the left (the wheel)
        self._spans: list[tuple[int, int, FooterItem]] = []  # where each key was drawn: [x0, x1)

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)
        self._rebuild()

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    # -- the keys -------------------------------------------------------------------------
    def bindings_changed(self, screen: Screen) -> None:
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        if not self._check_pending:  # one check for all the signals of one refresh
            self._check_pending = True
            self.call_after_refresh(self._rebuild)

    def _rebuild(self, *, refresh: bool = True) -> None:
        self._check_pending = False
        if not self.is_attached:
            return
        items, palette = self.keys_shown()
        if (items, palette) != (self.items, self.palette):
            self.items, self.palette = items, palette
            self._shift = min(self._shift, max(0, len(items) - 1))
            if refresh:
                self.refresh()

    def keys_shown(self) -> tuple[tuple[FooterItem, ...], FooterItem | None]:
        if isinstance(self.app.screen, CommandPalette):  # (a dialog with no footer of its own)
            return PALETTE_KEYS, None
        if self.app.screen is not self.screen:  # under a dialog (with its own footer): not these
            return (), None
        return footer_items(self.app, self.screen.active_bindings)

    # -- drawing --------------------------------------------------------------------------
    def render(self) -> Text:
        if self._check_pending:  # (the keys changed since the last check: drawn as they are now, for
            # a dialog that focuses its list when mounted showed its keys without the list's for a
            # frame, half a second while a big file loads: s16 C3)
            self._rebuild(refresh=False)
        width = self.size.width
        base = self.rich_style
        styles = {name: self.get_component_rich_style(f"key-footer--{name}")
                  for name in ("key", "description", "rule", "hover")}
        # (a theme's own key colour read at 1.8:1 on some light themes' footer: found in a walk)
        styles["key"], styles["description"] = legible_style(styles["key"]), legible_style(styles["description"])
        line = Text(no_wrap=True, overflow="crop", end="")
        self._spans = []
        room = self._room()
        for item in self.items[self._shift:]:
            if line.cell_len + item.width() > room:
                break
            self._append(line, item, styles, palette=False)
        line.append(" " * (room - line.cell_len))
        if self.palette is not None and room + self._palette_width() <= width:
            line.append(PALETTE_RULE, styles["rule"])
            self._append(line, self.palette, styles, palette=True)
        line.stylize_before(base)
        return line

    def _append(self, line: Text, item: FooterItem, styles: dict[str, Style], *, palette: bool) -> None:
        start = line.cell_len
        extra = Style(dim=True) if not item.enabled else Style()
        if item == self._hover:  # (equal, not the same: the keys may have been rebuilt since)
            extra += styles["hover"]
        line.append(item.key_text(palette), styles["key"] + extra)
        line.append(item.description_text(palette), styles["description"] + extra)
        self._spans.append((start, line.cell_len, item))

    def item_at(self, x: int) -> FooterItem | None:
        """The key drawn at column `x` of the footer, if any."""
        return next((item for start, end, item in self._spans if start <= x < end), None)

    # -- the pointer ----------------------------------------------------------------------
    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._hover_over(self.item_at(event.x))

    def on_leave(self, _event: events.Leave) -> None:
        self._hover_over(None)

    def _hover_over(self, item: FooterItem | None) -> None:
        if item != self._hover:
            self._hover = item
            self.tooltip = (item.tooltip or None) if item is not None else None
            self.refresh()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        item = self.item_at(event.x)
        if item is None:
            return
        if item.enabled:
            self.app.simulate_key(item.key)
        else:
            self.app.bell()

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self._scroll(+1, event)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._scroll(-1, event)

    def _scroll(self, step: int, event: events.MouseEvent) -> None:
        """The wheel shows the keys that do not fit, one key a notch."""
        shift = max(0, min(self._shift + step, self._last_shift()))
        if shift != self._shift:
            self._shift = shift
            self.refresh()
        event.stop()

    def _palette_width(self) -> int:
        return 1 + self.palette.width(palette=True) if self.palette is not None else 0  # (1: the rule)

    def _room(self) -> int:
        """The columns left of the palette's key, where the other keys go."""
        return max(0, self.size.width - self._palette_width())

    def _last_shift(self) -> int:
        """The least shift that shows the last key (0 when all fit)."""
        room = self._room()
        used, shift = 0, len(self.items)
        while shift > 0 and used + self.items[shift - 1].width() <= room:
            shift -= 1
            used += self.items[shift].width()
        return shift
