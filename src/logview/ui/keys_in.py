"""Each key's way into the app, from the terminal and back from the widget for its binding.

Before Textual handles a key (or a turn of the wheel):
- Esc and a key sent at once that Textual reads as a word's move (Alt+b: ctrl+left) are the two keys, but in a
  text field (`textual_internals.EscapeOrAlt`);
- a file's reading stands back for it (`user_quiet.py`); a jump to the newest or oldest row holds it back until
  the jump is on the screen, so that its frame does not take turns at the interpreter with the reading;
- a connector listing that comes after it keeps off the keys (`names.py`);
- it waits for the layout the keys before it asked for (`layout_wait.py`), unless it is a jump typed alone
  (`LoneJumps`);
- a key that came while a dialog was in front, and waited until the dialog had gone, is the dialog's: it acts on
  no screen under it (`screens/dialog.py` `StrayKeys`);
- `/`, `d` and `s`, which move the focus at once, wait for the keys typed before them, and the keys behind them
  wait with them (`key_order.py`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol

from textual import events
from textual.screen import Screen
from textual.widgets import Input

from logview.ui.key_order import KeysInOrder
from logview.ui.layout_wait import LoneJumps, layout_settled
from logview.ui.screens.dialog import StrayKeys
from logview.ui.textual_internals import EscapeOrAlt
from logview.ui.widgets.log_table import JUMP_KEYS, LogTable

if TYPE_CHECKING:
    from logview.ui.viewer import ViewerScreen

_WHEEL = (events.MouseScrollDown, events.MouseScrollUp)


class KeyedApp(Protocol):
    """What of the app the keys' way in reads (`LogViewApp`)."""

    @property
    def screen(self) -> Screen[Any]: ...

    @property
    def viewer(self) -> ViewerScreen: ...

    def call_after_refresh(self, callback: Callable[[], object]) -> bool: ...


class KeysIn:
    """What `app` does with each key around Textual's own handling (`take`), and whether a key back for its
    binding is a stray one (`stray`)."""

    def __init__(self, app: KeyedApp) -> None:
        self._app = app
        self._stray = StrayKeys()  # (a key sent to a dialog acts on no screen under it)
        self._lone_jumps = LoneJumps()  # (a jump typed alone does not wait for the layout)
        self._order = KeysInOrder(app)  # type: ignore[arg-type]  # (keys before a focus key act first)

    async def take(self, event: events.Event, handle: Callable[[events.Event], Awaitable[None]]) -> None:
        """`event` handled by `handle` (Textual's), with what comes before and after it."""
        app = self._app
        if isinstance(event, EscapeOrAlt):  # (Esc and a key at once, or Alt+key: a word left in a field)
            for key in event.read(typing=isinstance(app.screen.focused, Input)):
                await self.take(key, handle)
            return
        forwarded_before = event.is_forwarded
        jump = isinstance(event, events.Key) and event.key in JUMP_KEYS and isinstance(app.screen.focused, LogTable)
        if isinstance(event, (events.Key, *_WHEEL)):
            quiet = app.viewer.feed.quiet
            quiet.jumped() if jump else quiet.active()
            if isinstance(event, events.Key):
                app.viewer.names.key_pressed()
        if isinstance(event, events.Key):
            if event.is_forwarded:
                self._order.back(event)
            elif await self._order.held_back(event):
                return  # (sent again behind the keys before it)
            in_front = app.screen
            if not self._lone_jumps.alone(event, jump):
                await layout_settled(in_front)  # the sizes the keys before it asked for
            if not event.is_forwarded:  # (as it comes from the terminal)
                if self._stray.closed_meanwhile(in_front, app.screen):
                    return  # (a dialog's burst: its answer closed it while this key waited)
                self._stray.sent(event, app.screen)
        await handle(event)
        if isinstance(event, events.Key) and not forwarded_before:
            self._order.sent(event)
        if jump and event.is_forwarded:  # (back from the table, its binding run: the reading goes on once it is shown)
            app.call_after_refresh(app.viewer.feed.quiet.jump_shown)

    def stray(self, key: events.Key) -> bool:
        """`key`, back at the app for its binding, was sent to a dialog no longer in front."""
        return self._stray.stray(key, self._app.screen)
