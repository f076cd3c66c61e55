"""Keys typed ahead of `/`, `d` or `s` act before the focus moves, as when typed slowly (and ahead of a
dialog's Enter before it answers).

Textual sends a key to the focused widget and looks its binding up once the key has bubbled back to
the app, a hop per widget; the viewer's `/`, `d` and `s` are priority keys, acted on at once so that
what is typed behind them reaches the field or dialog they open (s20 #2). In one burst (`4/`, keys
typed while a big file is read, a paste) the keys before them had not yet come back: by then the
focus was in the search field, which would take a digit, and Textual dropped the `4` (the field
takes the characters typed into it, not one bubbling past it; found in a walk, 3 times out of 3).

So such a key waits until the keys sent before it have left the widgets (they are queued at the app,
or a widget kept them); it is then sent again, behind them, and every key that comes meanwhile is
held and sent again behind it, in the order typed. The wait is short (the keys' hops) and bounded:
a key a widget holds on to without stopping it delays the next focus key by LEFT_WIDGETS_AT_MOST_S.
"""

from __future__ import annotations

import asyncio
from collections import deque
from time import monotonic
from typing import TYPE_CHECKING
from weakref import WeakSet

from textual import events

from logview.ui.textual_internals import own_bindings, queued_at_app, stopped
from logview.ui.viewer_keys import key_allowed

if TYPE_CHECKING:
    from textual.app import App

LEFT_WIDGETS_AT_MOST_S = 0.3
POLL_S = 0.002


class KeysInOrder:
    """The keys sent to widgets and not yet back (`sent`, `back`), and those held behind a focus key
    waiting for them (`held_back`)."""

    def __init__(self, app: App) -> None:
        self._app = app
        self._sent: WeakSet[events.Key] = WeakSet()  # (a key a widget let go of is gone from here)
        self._held: deque[events.Key] = deque()  # behind a focus key sent again, in the order typed
        self._again: WeakSet[events.Key] = WeakSet()  # sent again: taken as they come back

    async def held_back(self, key: events.Key) -> bool:
        """Whether `key`, as the terminal gave it, is held, to be sent again behind the keys before it."""
        if key in self._again:
            self._again.discard(key)
            self._release_held()
            return False
        if self._again or self._held:
            self._held.append(key)
            self._release_held()  # (when those sent again are gone without coming back: the app closing)
            return True
        if not self._moves_focus(key) or not await self._keys_before_left(key):
            return False
        self._send_again([key])
        return True

    def sent(self, key: events.Key) -> None:
        """`key` was handled: if Textual sent it on to a widget, it comes back for its binding (`back`)."""
        if key.is_forwarded:
            self._sent.add(key)

    def back(self, key: events.Key) -> None:
        self._sent.discard(key)

    def _moves_focus(self, key: events.Key) -> bool:
        """Whether `key` is acted on at once, by a priority binding of the screen in front (the viewer's `/`,
        `d`, `s`; the column picker's Enter, which read the ticks before a Space typed ahead of it)."""
        screen = self._app.screen
        action = next((binding.action for binding in own_bindings(screen, key.key) if binding.priority), None)
        return action is not None and key_allowed(screen, action)

    def _in_widgets(self) -> list[events.Key]:
        return [key for key in self._sent if not stopped(key) and not queued_at_app(self._app, key)]

    async def _keys_before_left(self, key: events.Key) -> bool:
        """Wait until the keys sent before `key` have left the widgets; whether there were any."""
        if not self._in_widgets():
            return False
        deadline = monotonic() + LEFT_WIDGETS_AT_MOST_S
        while self._in_widgets() and monotonic() < deadline:
            await asyncio.sleep(POLL_S)
        return True

    def _release_held(self) -> None:
        """The keys held are sent again, in order, once every key sent again before them has come back."""
        if not self._again:
            self._send_again(list(self._held))
            self._held.clear()

    def _send_again(self, keys: list[events.Key]) -> None:
        for key in keys:
            again = events.Key(key.key, key.character)
            again.time = key.time  # (when it was typed: `LoneJumps` reads it)
            self._again.add(again)
            self._app.post_message(again)
