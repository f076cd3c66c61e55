"""Reading a mixed file (the merged tab's envelopes, see `envelope.py`).

For `logview export` the lines come in file order with their sources (`iter_envelope_batches`).
For the viewer they come grouped by source, one group per part of the merged timeline
(`TimelineGroups`), and each line with its place in the file (`iter_line_batches`; most read as
columns by `mixed_columns.py`, the rest the exact way, `envelope_batch`): the viewer keeps a
line's columns and its place, not its entry, and reads the entry back from the file when it is
shown, copied, saved or searched (`EnvelopeLines`), as `--file` does for a plain file and the
archive for fetched entries. A million envelopes held as entries took 1.2 GB.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Literal

import msgspec
import numpy as np

from logview.files.envelope import PARSERS, UnreadableLine, read_envelopes
from logview.files.lines import BOM
from logview.model import LogEntry
from logview.sources.base import Source

# Each source becomes a store of its own in the viewer: a file naming a source per line must
# not make a hundred thousand of them. Lines beyond this many sources are shown invalid.
MAX_SOURCES = 256
FILE_CHANGED = "no longer in the file as it was read (the file changed since)"
# A row's rowid is where its line is: the offset in the low bits, the length (without the break)
# above. A line beyond either (never one logview writes) keeps its entry in memory.
_OFFSET_BITS, _LENGTH_BITS = 40, 23
_READ_BYTES = 4 << 20


class _Envelope(msgspec.Struct, forbid_unknown_fields=True):
    source: str
    api: Literal["aitronos", "supermetrics"]
    entry: msgspec.Raw  # the entry's bytes, exactly as in the line


_ENVELOPE = msgspec.json.Decoder(_Envelope)
# (a line nested deeper than msgspec goes raises RecursionError: it crashed the reading of the file)
_DECODE_ERRORS = (msgspec.DecodeError, RecursionError)


def readable(lines: list[bytes]) -> list[bool]:
    """Whether msgspec reads each line as an envelope, so that its entry can be read back from it
    (`EnvelopeLines`); a line it does not read keeps its entry in memory. One call for the lines
    together when all are (the usual case), else a call a line. A duplicate key counts once, the
    last, as `load_json` takes it: the bytes read back are the entry that was shown."""
    try:
        if len(_ENVELOPE.decode_lines(b"\n".join(lines))) == len(lines):
            return [True] * len(lines)
    except _DECODE_ERRORS:
        pass
    return [_decoded(line) is not None for line in lines]


class EnvelopeLines:
    """The entries of one API in a mixed file, read back from their lines (a store's `RawReader`:
    a row's rowid is its line's `place`). Safe in any thread (positional reads)."""

    gone = FILE_CHANGED

    def __init__(self, opened: OpenedFile, api: str) -> None:
        self.opened, self.api = opened, api

    @classmethod
    def of_file(cls, path: Path) -> dict[str, EnvelopeLines]:
        """A reader for each API, both on `path` as it is now."""
        opened = OpenedFile(path)
        return {api: cls(opened, api) for api in PARSERS}

    @property
    def api_source(self) -> Source:
        return PARSERS[self.api]

    @staticmethod
    def row_name(rowid: int) -> str:
        """What a row that could not be read back is called (its entry's id is not known)."""
        offset, _ = unplace(rowid)
        return f"line at byte {offset:,}"

    def raw_found(self, rowids: Sequence[int]) -> dict[int, bytes]:
        """Each entry's bytes by its line's place; a line that is no longer an envelope of this
        API there, of its length (the file changed), is left out."""
        found: dict[int, bytes] = {}
        if self.opened.changed():
            return found
        for rowid in sorted(set(map(int, rowids))):
            line = self.opened.line_at(*unplace(rowid))
            decoded = None if line is None else _decoded(line)
            if decoded is not None and decoded.api == self.api:
                found[rowid] = bytes(decoded.entry)
        return found


def place(offset: int, length: int) -> int | None:
    """A line's rowid, from its offset and its length without the break; None if either is too big."""
    if offset >> _OFFSET_BITS or length >> _LENGTH_BITS:
        return None
    return offset | length << _OFFSET_BITS


def unplace(rowid: int) -> tuple[int, int]:
    """The offset and the length of the line at `rowid`."""
    return rowid & ((1 << _OFFSET_BITS) - 1), rowid >> _OFFSET_BITS


class OpenedFile:
    """A file held open as it was read: one saved over it by name later (`s` writes beside it,
    then renames) leaves what is read back unchanged. Written to in place since, it reads back
    nothing: a line rewritten at the same length would read back another entry under the row's
    columns (found in a walk). Only appended to (longer, its last bytes as read still there), it
    reads back as a plain file does: every row turned `!` on a grown file (s16 C7). Closed once no
    reader holds it."""

    _TAIL_BYTES = 4096  # (an append leaves them; a rewrite that also grows the file rarely does)

    def __init__(self, path: Path) -> None:
        self.path = path
        self._descriptor = os.open(path, os.O_RDONLY)
        weakref.finalize(self, os.close, self._descriptor)
        self._as_read = self._stamp()
        self._tail_as_read = self._tail(self._as_read[0])

    def _stamp(self) -> tuple[int, int]:
        status = os.fstat(self._descriptor)
        return status.st_size, status.st_mtime_ns

    def _tail(self, size: int) -> bytes:
        start = max(0, size - self._TAIL_BYTES)
        return os.pread(self._descriptor, size - start, start)

    def changed(self) -> bool:
        """Whether the file was written to since it was opened other than by appending to it."""
        try:
            now = self._stamp()
            if now == self._as_read:
                return False
            size_as_read = self._as_read[0]
            return now[0] <= size_as_read or self._tail(size_as_read) != self._tail_as_read
        except OSError:
            return True

    def line_at(self, offset: int, length: int) -> bytes | None:
        """The `length` bytes at `offset` if a line break (or the end of the file) follows them:
        the line that was there; else None."""
        try:
            data = os.pread(self._descriptor, length + 1, offset)
        except OSError:
            return None
        return data[:length] if len(data) >= length and data[length:] in (b"", b"\n", b"\r") else None


def _decoded(line: bytes) -> _Envelope | None:
    try:
        return _ENVELOPE.decode(line)
    except _DECODE_ERRORS:
        return None


class EnvelopeBatch(msgspec.Struct):
    """Consecutive lines of a mixed file: each one's place (`place`: None for a line too long to
    be read back), source and entry, and whether its entry can be read back from the file (else
    it must be held)."""

    places: list[int | None] = msgspec.field(default_factory=list)
    sources: list[str] = msgspec.field(default_factory=list)
    entries: list[LogEntry] = msgspec.field(default_factory=list)
    readable: list[bool] = msgspec.field(default_factory=list)

    def __len__(self) -> int:
        return len(self.places)


def iter_envelope_lines(path: Path, batch_size: int = 5000, on_bytes: Callable[[int], None] | None = None,
                        read_back: bool = True) -> Iterator[EnvelopeBatch]:
    """The file's lines that are not blank, in file order, in batches, read the exact way; never
    raises on a bad line. `on_bytes`: how far the reading has got, in bytes, at each batch.
    `read_back` False: whether each entry can be read back is not asked (every one `readable`
    False: an export holds none)."""
    for places, lines in iter_line_batches(path, batch_size, on_bytes):
        yield envelope_batch(places, lines, read_back)


def iter_line_batches(path: Path, batch_size: int = 5000, on_bytes: Callable[[int], None] | None = None,
                      first_batch: int | None = None) -> Iterator[tuple[list[int | None], list[bytes]]]:
    """The file's lines that are not blank (without their breaks), in file order, in batches,
    each with its place (`place`). `first_batch`: the first batch's size, if smaller (its rows
    are shown sooner). Read a few megabytes at a time, each split at once (a loop over the file's
    lines took a second and a half for a million)."""
    places: list[int | None] = []
    lines: list[bytes] = []
    ends: list[int] = []  # (where each line's break ends: how far the reading has got)
    wanted = first_batch or batch_size
    offset, rest = 0, b""
    with path.open("rb") as handle:
        while True:
            data = handle.read(_READ_BYTES)
            if not offset and not rest and data.startswith(BOM):  # (the first line starts after it)
                data, offset = data[len(BOM):], len(BOM)
            buffer = rest + data
            if not buffer:
                break
            pieces = buffer.split(b"\n")
            rest = pieces.pop() if data else b""  # (the last piece runs on into the next read)
            widths = np.fromiter(map(len, pieces), np.int64, len(pieces))
            line_ends = np.cumsum(widths + 1) + offset
            if pieces:
                offset = int(line_ends[-1])
            # (rare: a line break after a carriage return, or a line starting with white space or
            # none, perhaps blank: the least line starts with the least byte)
            if pieces and (b"\r" in buffer or min(pieces)[:1] <= b" "):
                rows = np.flatnonzero([bool(piece) and not piece.isspace() for piece in pieces])
                pieces = [pieces[i].rstrip(b"\r") for i in rows.tolist()]
                line_ends, widths = line_ends[rows], widths[rows]
            places += _places(line_ends - widths - 1, np.fromiter(map(len, pieces), np.int64, len(pieces)))
            lines += pieces
            ends += line_ends.tolist()
            while len(lines) >= wanted:
                if on_bytes is not None:
                    on_bytes(ends[wanted - 1])
                yield places[:wanted], lines[:wanted]
                places, lines, ends, wanted = places[wanted:], lines[wanted:], ends[wanted:], batch_size
            if not data:
                break
    if lines:
        yield places, lines


def _places(offsets: np.ndarray, lengths: np.ndarray) -> list[int | None]:
    """`place` of each line, at once."""
    found: list[int | None] = (offsets | lengths << _OFFSET_BITS).tolist()
    for i in np.flatnonzero((offsets >> _OFFSET_BITS) | (lengths >> _LENGTH_BITS)).tolist():
        found[i] = None
    return found


def envelope_batch(places: list[int | None], lines: list[bytes], read_back: bool) -> EnvelopeBatch:
    """The lines read the exact way (`read_envelopes`), with their places."""
    sources, entries = read_envelopes(lines)
    if not read_back:
        return EnvelopeBatch(places, sources, entries, [False] * len(lines))
    return EnvelopeBatch(places, sources, entries, [
        ok and at is not None and not isinstance(entry, UnreadableLine)
        for ok, at, entry in zip(readable(lines), places, entries)])


def iter_envelope_batches(path: Path, batch_size: int = 5000, on_bytes: Callable[[int], None] | None = None
                          ) -> Iterator[tuple[list[str], list[LogEntry]]]:
    """(sources, entries) of the file's lines in file order, in batches; never raises on a bad line.
    `on_bytes`: how far the reading has got, in bytes, at each batch."""
    for batch in iter_envelope_lines(path, batch_size, on_bytes, read_back=False):
        yield batch.sources, batch.entries


class TimelineGroups:
    """A mixed file's lines grouped by source, each group in file order, for one merged
    timeline; fed batch by batch (`add`), each batch's share of every group handed on at once
    (so a reader holds a batch, not the file), and a reader can stop or pause between batches.

    Merging sorts by time and puts entries of one moment in the order of the groups. The groups
    are therefore ordered the way the file orders such entries (where it does so consistently),
    so that a file saved from the merged tab opens, and saves again, in exactly its own order."""

    def __init__(self, max_entries: int | None = None) -> None:
        self.max_entries = max_entries
        self.taken = 0
        self._sources: dict[str, int] = {}  # (in order of first appearance) → its number
        self._followers: dict[str, set[str]] = {}  # source → sources it precedes at some shared moment
        self._previous: tuple[int, int] | None = None  # the last line's source number and time

    def add(self, sources: list[str], times: np.ndarray) -> tuple[dict[str, np.ndarray], bool]:
        """The rows of the next lines (their sources, their times in µs) by group, in file order;
        and False once `max_entries` are taken (the rest are left out)."""
        n = len(sources)
        if self.max_entries is not None:
            n = max(0, min(n, self.max_entries - self.taken))
        self.taken += n
        known = self._sources
        for source in dict.fromkeys(sources[:n]):
            known.setdefault(source, len(known))
        numbers = np.fromiter(map(known.__getitem__, sources[:n]), dtype=np.int64, count=n)
        times = times[:n]
        if n:
            before_numbers, before_times = (numbers[:-1], times[:-1]) if self._previous is None else (
                np.concatenate([[self._previous[0]], numbers[:-1]]), np.concatenate([[self._previous[1]], times[:-1]]))
            after = slice(1, None) if self._previous is None else slice(None)
            shared = np.flatnonzero((before_numbers != numbers[after]) & (before_times == times[after]))
            if len(shared):
                names = list(known)
                for before, source in set(zip(before_numbers[shared].tolist(), numbers[after][shared].tolist())):
                    self._followers.setdefault(names[before], set()).add(names[source])
            self._previous = int(numbers[-1]), int(times[-1])
        order = np.argsort(numbers, kind="stable")
        present, starts = np.unique(numbers[order], return_index=True)
        names = list(known)
        shares = {names[number]: rows for number, rows in zip(present.tolist(), np.split(order, starts[1:]))}
        return shares, self.max_entries is None or self.taken < self.max_entries

    def order(self) -> list[str]:
        """The sources, each before those it precedes, else in order of first appearance."""
        return _ordered(list(self._sources), self._followers)


def _ordered(sources: list[str], followers: dict[str, set[str]]) -> list[str]:
    waiting = dict.fromkeys(sources, 0)
    for later in followers.values():
        for source in later:
            waiting[source] += 1
    remaining, order = list(sources), []
    while remaining:
        # none free of predecessors: the file contradicts itself (a cycle); first appearance wins
        ready = next((source for source in remaining if waiting[source] == 0), remaining[0])
        remaining.remove(ready)
        order.append(ready)
        for source in followers.get(ready, ()):
            waiting[source] -= 1
    return order
