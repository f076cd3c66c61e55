"""The live tail's pause between its cycles, which a key (`Feed.poll_now`) cuts short (how long a
poll waits for the server is the client's to say, as for every request). Kept apart from the feed,
which starts the workers and takes their reports."""

from __future__ import annotations

import asyncio


class TailPacing:
    """The event that wakes the tail from its pause."""

    def __init__(self) -> None:
        self._wake: asyncio.Event | None = None  # (made on the event loop, at first use)

    def poll_now(self) -> None:
        """The pause ends at once (or, during a cycle, the next pause is skipped)."""
        self._wake = self._wake or asyncio.Event()
        self._wake.set()

    async def sleep(self, seconds: float) -> None:
        """The pause between two cycles: `seconds`, or until `poll_now`."""
        self._wake = self._wake or asyncio.Event()
        try:
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)
        except asyncio.TimeoutError:
            pass
        self._wake.clear()
