"""When the histogram and the stats panel compute: each owns a `Recompute` and computes for
itself, from the rows it is given (`ChartRows`), in a worker thread.

Whenever the rows change, a recomputation is scheduled — at most every EVERY_S, less often while
loading, since each takes the filtered rows' columns on the UI thread (a few ms per 100k rows) —
and right away when the user asked (a toggle, a filter). Its result is shown when it is still
about the rows on screen; otherwise it runs once more.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial, wraps
from typing import Any

import msgspec
import numpy as np
from textual.timer import Timer
from textual.widget import Widget

from logview.model import Filters
from logview.store import EntryStore

EVERY_S = 0.25
WHILE_LOADING_S = 1.0


class ChartRows(msgspec.Struct, frozen=True):
    """What a panel charts: the filtered rows of a store, and what to say beside them."""

    store: EntryStore
    index: np.ndarray  # the ordinals shown (the screen's filtered view)
    filters: Filters
    active: dict[str, str | None]  # the filters the stats panel can pick, to mark their rows
    loading: bool
    note: str  # why the numbers may be partial ("fields of N entries still being read")
    errors_uncounted: str | None = None  # why errors may be missed ("the fields of N entries are still being read")


RowsOf = Callable[[], ChartRows]


class Recompute:
    """A panel's schedule: `changed` when its rows did; `compute` runs when it is due."""

    def __init__(self, owner: Widget, compute: Callable[[], None]) -> None:
        self._owner, self._compute = owner, compute
        self._timer: Timer | None = None
        self.token = 0  # bumped on every change: a result for an older token is not the latest

    @property
    def pending(self) -> bool:
        return self._timer is not None

    def changed(self, *, now: bool = False, loading: bool = False) -> None:
        if not self._owner.display:
            return
        self.token += 1
        if now:
            self._cancel()
            # At once, not after the repaint: opening a panel repaints for ~100 ms at 160×48, and
            # the worker computes meanwhile.
            self._compute()
        elif self._timer is None:
            self._timer = self._owner.set_timer(WHILE_LOADING_S if loading else EVERY_S, self._due)

    def _due(self) -> None:
        self._timer = None
        if self._owner.display and self._owner.is_attached:
            self._compute()

    def _cancel(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def stale(self, token: int) -> bool:
        """A result computed for `token` arrived: is there a newer change to compute for?"""
        return token != self.token


class KeysWaiting:
    """A panel's keys typed before its numbers are in (`h ← Enter` in one burst, or on a big file whose
    bars take a moment to count): they act once the numbers are shown, in the order typed, where
    they were dropped (← picked no bar, Enter narrowed nothing, and nothing said so)."""

    def __init__(self, ready: Callable[[], bool]) -> None:
        self._ready = ready  # whether the numbers the keys act on are shown
        self._waiting: list[Callable[[], None]] = []

    def run(self, action: Callable[[], None]) -> None:
        if self._waiting or not self._ready():
            self._waiting.append(action)
        else:
            action()

    def numbers_shown(self) -> None:
        while self._waiting and self._ready():  # (a key that asks for other numbers leaves the rest waiting)
            self._waiting.pop(0)()

    def drop(self) -> None:
        """The panel was closed: what was typed for it goes with it."""
        self._waiting.clear()


def after_numbers(action: Callable[..., None]) -> Callable[..., None]:
    """A panel's key action that reads its numbers: typed before they are in, it waits for them
    (`panel.keys_waiting`, a `KeysWaiting`)."""

    @wraps(action)  # (Textual reads the action's parameters from its signature)
    def waiting(panel: Any, *arguments: Any) -> None:
        panel.keys_waiting.run(partial(action, panel, *arguments))

    return waiting
