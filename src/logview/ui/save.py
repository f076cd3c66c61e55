"""Writing the filtered view to a file (`s`): the same formats as `logview export`.

JSONL holds each raw entry exactly as received (from a file: the very lines of the file); CSV
the source's columns; the merged timeline writes each entry with its source (`EntryWriter`).
The file is written next to its destination and renamed into place, so a failed save never
leaves half a file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

import numpy as np
from textual.screen import Screen

from logview.files.writer import EntryWriter, OutputFile, copy_lines, format_for
from logview.files.jsonl import entry_from_line
from logview.files.lines import LineFile
from logview.model import LogEntry, counted
from logview.session import MergedSession, ViewerSession
from logview.sources.base import Source
from logview.store.archived import GONE

CHUNK = 5000


def save_view(screen: Screen, path: Path, session: ViewerSession) -> None:
    """Write the rows `session` shows to `path` in a worker of `screen`, and say how it went.
    A file's lines are read in the worker, not here; entries in memory are taken here (the store
    may change meanwhile)."""
    store, index, source = session.store, session.view.index, session.source
    gone = 0
    lines = store.lines
    if lines is not None:
        starts, lengths = store.column("start", index), store.column("length", index)
        write: Callable[[], int] = lambda: save_lines(path, lines, starts, lengths, source)  # noqa: E731
    else:
        entries = store.entries(index)
        origins = session.origins_of(index) if isinstance(session, MergedSession) else None
        kept = [i for i, entry in enumerate(entries) if entry.invalid != GONE]
        if len(kept) < len(entries):  # (pruned from the archive by another process since shown)
            gone = len(entries) - len(kept)
            entries = [entries[i] for i in kept]
            origins = None if origins is None else [origins[i] for i in kept]
        write = lambda: save_entries(path, entries, source, origins)  # noqa: E731
    screen.run_worker(lambda: _save(screen, path, write, gone), thread=True, group="save", exit_on_error=False)


def save_when_settled(screen: Screen, path: Path, session: ViewerSession) -> None:
    """Save the view once it shows every row its filters pick: a big file's fields still being
    read, or a search still running, would otherwise leave the file short without a word."""
    if not session.view_settling():
        save_view(screen, path, session)
        return
    screen.notify(f"Saving to {path} once the fields are read …", markup=False, timeout=4)

    def check() -> None:
        if not session.view_settling():
            timer.stop()
            save_view(screen, path, session)

    timer = screen.set_interval(0.1, check)


def _save(screen: Screen, path: Path, write: Callable[[], int], gone: int = 0) -> None:
    try:
        count = write()
    except OSError as error:
        screen.app.call_from_thread(screen.notify, f"Could not save to {path}: {error.strerror or error}",
                                    severity="error", markup=False, timeout=8)
        return
    left_out = (f"; {counted(gone)} no longer in the archive (pruned since shown) left out: r reloads"
                if gone else "")
    screen.app.call_from_thread(screen.notify, f"Saved {counted(count)} to {path}{left_out}", markup=False,
                                timeout=8 if gone else 4)


def save_entries(path: Path, entries: list[LogEntry], source: Source, origins: list[str] | None = None) -> int:
    """Write `entries` to `path` (CSV for `.csv`, JSONL otherwise); returns how many. `origins`:
    the merged timeline's source of each entry, saved with it."""
    def write(stream: BinaryIO) -> None:
        writer = EntryWriter(stream, format_for(None, path), source)
        for start in range(0, len(entries), CHUNK):
            writer.write(entries[start:start + CHUNK], None if origins is None else origins[start:start + CHUNK])
        writer.detach()

    _write_atomically(path, write)
    return len(entries)


def save_lines(path: Path, lines: LineFile, starts: np.ndarray, lengths: np.ndarray, source: Source) -> int:
    """Write the file lines at `starts`: JSONL copies them byte for byte, CSV parses them."""
    def batches() -> Iterator[list[bytes]]:
        for start in range(0, len(starts), CHUNK):
            yield lines.read_lines(starts[start:start + CHUNK], lengths[start:start + CHUNK])

    def write(stream: BinaryIO) -> None:
        fmt = format_for(None, path)
        if fmt == "jsonl":
            copy_lines(stream, lines, starts, lengths, CHUNK)
            return
        writer = EntryWriter(stream, fmt, source)
        for batch in batches():
            writer.write([entry_from_line(source, line) for line in batch])
        writer.detach()

    _write_atomically(path, write)
    return len(starts)


def _write_atomically(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """As `logview export -o` writes (`OutputFile`): beside the destination, then renamed into
    place, with the permissions opening the file would give (an existing file's are kept)."""
    with OutputFile(path) as output:
        write(output.stream)
        output.publish()
