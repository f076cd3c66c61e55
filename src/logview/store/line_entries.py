"""A file store's entries, read back from the file's lines when shown (the store keeps only their
places and columns): the last ENTRY_CACHE parsed kept, as a few screens of scrolling read them.
A line the file no longer holds whole (cut short since it was read) is an invalid entry saying so,
not the bytes left of it nor an empty entry: those were shown as the row's entry (s21 #6)."""

from __future__ import annotations

from collections import OrderedDict

from logview.files.jsonl import entry_from_line
from logview.files.lines import LineFile
from logview.files.mixed import FILE_CHANGED
from logview.model import LogEntry
from logview.sources.base import Source
from logview.store.archived import gone_entry

ENTRY_CACHE = 1024  # parsed entries kept for a file store (a few screens of scrolling)


class LineEntries:
    """The entries of `lines` by row (`ordinal`), each parsed from its line at (`start`, `length`)."""

    def __init__(self, source: Source, lines: LineFile) -> None:
        self.source, self.lines = source, lines
        self._cache: OrderedDict[int, LogEntry] = OrderedDict()

    def entry(self, ordinal: int, start: int, length: int) -> LogEntry:
        cache = self._cache
        found = cache.get(ordinal)
        if found is None:
            line = self.lines.read(start, length)
            # (a line cut short: as a mixed file's row says it, and a save leaves it out, `ui/save.py`)
            found = cache[ordinal] = entry_from_line(self.source, line) if len(line) == length else gone_entry(
                f"the line at byte {start:,}", self.source.kind, FILE_CHANGED)
            if len(cache) > ENTRY_CACHE:
                cache.popitem(last=False)
        else:
            cache.move_to_end(ordinal)
        return found

    def forget(self) -> None:
        """The rows moved (or went), or the file changed: what is kept by row is read again."""
        self._cache.clear()
