"""A pager's head: the newest entry time seen and the ids at exactly that time.

A tail cycle asks for what is newer than the head and must not repeat what it holds, so the ids
are kept for the whole tie group at the head's time (more may arrive at that same time later).
Entries without a time (malformed) cannot be placed against the head; they are remembered by id.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from itertools import compress, repeat
from operator import eq

from logview.api.contract import RecentIds
from logview.model import LogEntry
from logview.sources.page_columns import columns_of


class Head:
    """Where a live tail polls from. `time` is None until an entry with a time has been seen."""

    def __init__(self) -> None:
        self.time: datetime | None = None
        self.ids: set[str] = set()
        self.timeless = RecentIds()

    def note(self, entries: Iterable[LogEntry]) -> None:
        """Take in entries seen (fetched or shown): a newer time moves the head, an equal one joins it."""
        columns = columns_of(entries)
        if columns is not None:  # (a typed page's: every entry timed, the newest and its ids found in C)
            if columns.times:
                self._note_newest(max(columns.times), columns.ids, columns.times)
            return
        for entry in entries:
            if entry.time is None:
                self.timeless.add(entry.id)
            elif self.time is None or entry.time > self.time:
                self.time, self.ids = entry.time, {entry.id}
            elif entry.time == self.time:
                self.ids.add(entry.id)

    def _note_newest(self, newest: datetime, ids: list[str], times: list[datetime]) -> None:
        """What `note` makes of timed entries whose newest time is `newest`: the head moves to it
        with the ids there, or joins them to its own at that time, or stays (older)."""
        if self.time is None or newest > self.time:
            self.time, self.ids = newest, set(compress(ids, map(eq, times, repeat(newest))))
        elif newest == self.time:
            self.ids.update(compress(ids, map(eq, times, repeat(newest))))

    def start_from(self, moment: datetime, ids: set[str]) -> None:
        """Set the head from entries known without being noted one by one (an archived span's
        newest time and its ids there); an older `moment` than the head changes nothing."""
        if self.time is None or moment > self.time:
            self.time, self.ids = moment, set(ids)
        elif moment == self.time:
            self.ids |= ids


__all__ = ["Head"]
