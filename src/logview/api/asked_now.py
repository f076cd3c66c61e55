"""What `r` during a retry cuts short: a retry's wait, and a retry's attempt sent and not answered.

The request goes on where it was (its attempts counted on), and with it the load that asked for it:
a reload instead started over from the newest entry, its rows and the budget's requests spent again
(s28 walk #1)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from contextlib import suppress
from typing import TypeVar

from logview.model import ApiFailure

T = TypeVar("T")


class AskedAgain(ApiFailure):
    """A retry's attempt not answered when the user asked for it again: the failure it retried
    (what the banner still says), retried again at once."""


class AskedNow:
    """The waits a user's "now" ends (one set per client: every request of it)."""

    def __init__(self) -> None:
        self._waiting: set[asyncio.Event] = set()

    def now(self) -> int:
        """End every wait under way; how many there were."""
        woken = len(self._waiting)
        for asked in self._waiting:
            asked.set()
        return woken

    async def until_asked(self, work: Awaitable[T]) -> T | None:
        """`work`'s result, or None once `now` is called before it is done (`work` cancelled then)."""
        asked = asyncio.Event()
        self._waiting.add(asked)
        working, waking = asyncio.ensure_future(work), asyncio.ensure_future(asked.wait())
        try:
            await asyncio.wait((working, waking), return_when=asyncio.FIRST_COMPLETED)
        finally:
            self._waiting.discard(asked)
            waking.cancel()
            if not working.done():
                working.cancel()
                with suppress(asyncio.CancelledError):
                    await working
        return None if working.cancelled() else working.result()
