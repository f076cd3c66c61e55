"""Reading a mixed file (the merged tab's envelopes, see `envelope.py`) as a whole.

For `logview export` the lines come in file order with their sources; for the viewer they come
grouped by source, one group per part of the merged timeline. A mixed file holds what the merged
tab held in memory, so the viewer reads it into memory too (in a worker).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from logview.model import LogEntry
from logview.files.envelope import UNREADABLE_SOURCE, entry_from_envelope, envelope_line, unreadable_line
from logview.files.jsonl import iter_line_batches

# Each source becomes a store of its own in the viewer: a file naming a source per line must
# not make a hundred thousand of them. Lines beyond this many sources are shown invalid.
MAX_SOURCES = 256


def iter_envelope_batches(path: Path, batch_size: int = 5000, on_bytes: Callable[[int], None] | None = None
                          ) -> Iterator[tuple[list[str], list[LogEntry]]]:
    """(sources, entries) of the file's lines in file order, in batches; never raises on a bad line.
    `on_bytes`: how far the reading has got, in bytes, at each batch."""
    for batch in iter_line_batches(path, entry_from_envelope, batch_size, on_bytes):
        yield [source for source, _ in batch], [entry for _, entry in batch]


class TimelineGroups:
    """A mixed file's entries grouped by source, each group in file order, for one merged
    timeline; fed batch by batch (`add`), so a reader can stop or pause between batches.

    Merging sorts by time and puts entries of one moment in the order of the groups. The groups
    are therefore ordered the way the file orders such entries (where it does so consistently),
    so that a file saved from the merged tab opens, and saves again, in exactly its own order."""

    def __init__(self, max_entries: int | None = None) -> None:
        self.max_entries = max_entries
        self.taken = 0
        self._groups: dict[str, list[LogEntry]] = {}
        self._followers: dict[str, set[str]] = {}  # source → sources it precedes at some shared moment
        self._previous: tuple[str, datetime | None] | None = None

    def add(self, sources: list[str], entries: list[LogEntry]) -> bool:
        """Take the next lines; False once `max_entries` are taken (the rest are left out)."""
        groups, followers = self._groups, self._followers
        for source, entry in zip(sources, entries):
            if self.max_entries is not None and self.taken >= self.max_entries:
                return False
            self.taken += 1
            if source not in groups and len(groups) >= MAX_SOURCES:
                source, entry = UNREADABLE_SOURCE, unreadable_line(
                    envelope_line(source, entry), entry.raw, f"one source more than the {MAX_SOURCES} a file may name")
            groups.setdefault(source, []).append(entry)
            previous = self._previous
            if previous is not None and previous[0] != source and previous[1] == entry.time:
                followers.setdefault(previous[0], set()).add(source)
            self._previous = source, entry.time
        return self.max_entries is None or self.taken < self.max_entries

    def parts(self) -> list[tuple[str, list[LogEntry]]]:
        return _ordered(self._groups, self._followers)


def _ordered(groups: dict[str, list[LogEntry]], followers: dict[str, set[str]]) -> list[tuple[str, list[LogEntry]]]:
    """`groups` with each source before those it precedes, else in order of first appearance."""
    waiting = dict.fromkeys(groups, 0)
    for later in followers.values():
        for source in later:
            waiting[source] += 1
    remaining, order = list(groups), []
    while remaining:
        # none free of predecessors: the file contradicts itself (a cycle); first appearance wins
        ready = next((source for source in remaining if waiting[source] == 0), remaining[0])
        remaining.remove(ready)
        order.append(ready)
        for source in followers.get(ready, ()):
            waiting[source] -= 1
    return [(source, groups[source]) for source in order]
