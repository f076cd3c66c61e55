"""The live tail's pause between its cycles, which a key (`Feed.poll_now`) cuts short, and how long
the cycle under way has waited for the server (the status line says so once it is long: "no answer
for 4 s"). Kept apart from the feed, which starts the workers and takes their reports."""

from __future__ import annotations

import asyncio
import time


class TailPacing:
    """When the tail's current cycle began (None while it pauses), and the event that wakes it."""

    def __init__(self) -> None:
        self._wake: asyncio.Event | None = None  # (made on the event loop, at first use)
        self._started: float | None = None

    def began(self) -> None:
        """A cycle begins now (the tail's first, without a pause before it)."""
        self._started = time.monotonic()

    def poll_now(self) -> None:
        """The pause ends at once (or, during a cycle, the next pause is skipped)."""
        self._wake = self._wake or asyncio.Event()
        self._wake.set()

    async def sleep(self, seconds: float) -> None:
        """The pause between two cycles: `seconds`, or until `poll_now`."""
        self._wake = self._wake or asyncio.Event()
        self._started = None
        try:
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)
        except asyncio.TimeoutError:
            pass
        self._wake.clear()
        self._started = time.monotonic()

    def waiting_s(self) -> float | None:
        """How long the current cycle has waited for the server (None: pausing)."""
        return None if self._started is None else time.monotonic() - self._started
