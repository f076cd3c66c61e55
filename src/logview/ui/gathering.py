"""A backfill's pages posted to the screen together: at most one message per `every_s`, the first
of a query at once (for the first screen). Each message costs the screen a refresh and a layout,
so a fast backfill posting one per page would spend most of its time redrawing."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, MutableSequence, Sequence
from typing import Any, Protocol


class PagesMessage(Protocol):
    generation: int
    entries: MutableSequence[Any]  # (extended by each page: a `ColumnEntries` keeps typed pages' columns)
    pages: int
    total: int | None
    archived: int
    handed: list[tuple[int, Any]]  # (each batch handed to the archive: where it begins among `entries`, its handing)


class Gathering:
    """Gathers pages into one message of `make(generation)` and posts it with `post`."""

    def __init__(self, post: Callable[[Any], Any], make: Callable[[int], PagesMessage], every_s: float) -> None:
        self._post, self._make, self._every_s = post, make, every_s
        self._gathered: PagesMessage | None = None
        self._posted_generation, self._posted_at = 0, 0.0  # the last message posted
        self._later: asyncio.TimerHandle | None = None
        self._then: list[Any] = []  # messages that go right after the gathered one (`then`)

    def add(self, generation: int, entries: Sequence[Any], pages: int, total: int | None, archived: int,
            handed: Any = None) -> None:
        gathered = self._gathered
        if gathered is not None and gathered.generation != generation:
            self.flush()
            gathered = None
        if gathered is None:
            gathered = self._gathered = self._make(generation)
        if handed is not None:
            gathered.handed.append((len(gathered.entries), handed))
        gathered.entries.extend(entries)
        gathered.pages, gathered.total, gathered.archived = pages, total, archived
        wait = self._posted_at + self._every_s - time.monotonic()
        if wait <= 0 or generation != self._posted_generation:
            self.flush()
        elif self._later is None:
            self._later = asyncio.get_running_loop().call_later(wait, self.flush)

    def then(self, message: Any, merge: Callable[[Any, Any], bool] | None = None) -> None:
        """Post `message` right after what is gathered now (at once if nothing is): about the
        entries gathered, it must come after them, and it need not hurry them. `merge(last,
        message)`: True if it took `message` into the last one waiting (then one message goes)."""
        if self._gathered is None:
            self._post(message)
        elif not (self._then and merge is not None and merge(self._then[-1], message)):
            self._then.append(message)

    def flush(self) -> None:
        """Post what is gathered now (before any other message of the feed, so order holds)."""
        if self._later is not None:
            self._later.cancel()
            self._later = None
        if self._gathered is not None:
            self._post(self._gathered)
            self._posted_generation, self._posted_at = self._gathered.generation, time.monotonic()
            self._gathered = None
        then, self._then = self._then, []
        for message in then:
            self._post(message)
