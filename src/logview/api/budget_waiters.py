"""Who waits on a request `Budget` (`budget.py`) for a request, in which order, and waking them
when the budget changes. One thread and one event loop at a time; a budget outlives loops (tests
run many): each waiter makes its own future in the loop it runs in."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable

import msgspec

from logview.api.types import Priority

RECHECK_S = 5.0  # the longest a waiter sleeps before it looks at the budget again


class Waiter(msgspec.Struct, eq=False):
    priority: Priority
    seq: int
    since: float
    loop: asyncio.AbstractEventLoop
    wake: asyncio.Future[None] | None = None


class Waiters:
    """The requests waiting for their turn: FIRST before LIVE before BACKFILL, each in the order
    they came (but see `head`)."""

    def __init__(self, sleep: Callable[[float], Awaitable[None]]) -> None:
        self._waiting: list[Waiter] = []
        self._seq = itertools.count()
        self._sleep = sleep
        self.held_s = 0.0  # how long requests have waited for their turn, all told

    def join(self, priority: Priority, now: float) -> Waiter:
        waiter = Waiter(priority, next(self._seq), now, asyncio.get_running_loop())
        self._waiting.append(waiter)
        return waiter

    def leave(self, waiter: Waiter, now: float) -> None:
        if waiter in self._waiting:  # (a closed loop's waiter may have been forgotten already)
            self._waiting.remove(waiter)
            self.held_s += max(0.0, now - waiter.since)

    def wake_all(self) -> None:
        for waiter in self._waiting:
            if waiter.wake is not None and not waiter.wake.done() and not waiter.loop.is_closed():
                waiter.wake.set_result(None)

    def head(self, loop: asyncio.AbstractEventLoop, backfill_turn: Callable[[], bool]) -> Waiter | None:
        """The waiter of `loop` whose turn it is; a backfill's when a tail is first and `backfill_turn()`."""
        # Waiters of a closed loop (a test's, abandoned) can never go: forget them.
        self._waiting = [w for w in self._waiting if not w.loop.is_closed()]
        mine = [w for w in self._waiting if w.loop is loop]
        head = min(mine, key=lambda w: (w.priority, w.seq), default=None)
        if head is not None and head.priority is Priority.LIVE and backfill_turn():
            # (tails over half a window take turns with the backfill: see `tail_reserve.py`)
            return min((w for w in mine if w.priority is Priority.BACKFILL), key=lambda w: w.seq, default=head)
        return head

    def any_of(self, priority: Priority) -> bool:
        return any(w.priority is priority for w in self._waiting)

    def any_waiting(self) -> bool:
        return bool(self._waiting)

    def ahead_of_backfill_waited(self, now: float, seconds: float) -> bool:
        """Whether a request that goes before the backfill has waited longer than `seconds`."""
        return any(w.priority < Priority.BACKFILL and now - w.since > seconds for w in self._waiting)

    async def pause(self, waiter: Waiter, delay: float | None) -> None:
        """Until the budget changes (`wake_all`), or `delay` seconds (the head's turn) have passed."""
        waiter.wake = wake = waiter.loop.create_future()
        if delay is None:
            await wake
            return
        # (RECHECK_S: the pace quickens as the reset nears; a poll went 30 s after its token came)
        timer = asyncio.ensure_future(self._sleep(min(delay, RECHECK_S)))
        try:
            await asyncio.wait({wake, timer}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            timer.cancel()
