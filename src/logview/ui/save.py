"""Writing the filtered view to a file (`s`): the same formats as `logview export`.

JSONL holds each raw entry exactly as received (from a file: the very lines of the file); CSV
the source's columns; the merged timeline writes each entry with its source (`EntryWriter`).
The file is written next to its destination and renamed into place, so a failed save never
leaves half a file, nor one stopped as the user quits (`SaveRun.stop`). Which saves run, and
quitting meanwhile: `saves.py`.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
from textual.screen import Screen

from logview.files.watch import FileWatch, Stamp, stamp_of
from logview.files.writer import EntryWriter, OutputFile, format_for, write_lines, written_in_place
from logview.files.lines import LineFile
from logview.model import LogEntry, counted
from logview.sanitize import clean_line
from logview.session import MergedSession, ViewerSession
from logview.sources.base import Source
from logview.files.mixed import FILE_CHANGED
from logview.store.archived import GONE, GONE_REASONS

CHUNK = 5000
SAY_SAVING_FROM = 20_000  # rows: a save this big takes long enough to say it has begun


class SaveStopped(Exception):
    """The user quit while the save was written and did not wait for it: its file is not published."""


class SaveRun:
    """One save being written: how far it is, and whether the user asked it to stop. Its counts
    and flags are written by the save's thread and read by the event loop's."""

    def __init__(self, path: Path, rows: int, opened_with: int | None = None, partial: str | None = None) -> None:
        """`opened_with`: the rows the save dialog named as it opened; `partial`: why they are a part
        of what the view will hold (`loading 47%`): the toast says both (`Saved 2,700 entries (300
        came while you typed; partial: loading 47%)`)."""
        self.path, self.rows = path, rows
        self.opened_with, self.partial = opened_with, partial
        self.written = 0
        self.in_place = written_in_place(path)  # why what it writes cannot be taken back (a pipe), if so
        self.finished = False  # (after its message: `saves.Saves.being_written` then forgets it)
        self.read_from_shown: int | None = None  # over the file shown: the entries read from it (else None)
        self._stop = threading.Event()

    def wrote(self, rows: int) -> None:
        """`rows` more are written; raises SaveStopped once a stop is asked (between two chunks)."""
        self.written += rows
        if self._stop.is_set():
            raise SaveStopped(self.path)

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()


def save_view(screen: Screen, path: Path, session: ViewerSession, begun: Callable[[SaveRun], None],
              opened_with: int | None = None, partial: str | None = None, shown_file: FileWatch | None = None) -> None:
    """Write the rows `session` shows to `path` in a worker of `screen`, and say how it went
    (`begun`: hears of the save as it starts; `opened_with`, `partial`: `SaveRun`'s; `shown_file`: the
    watch of the file shown, when `path` is it). A file's lines are read in the worker, not here;
    entries in memory are taken here (the store may change meanwhile)."""
    store, index, source = session.store, session.view.index, session.source
    run = SaveRun(path, len(index), opened_with, partial)
    made: Made | None = None
    if shown_file is not None:  # (its own write, no change on disk to warn of; the toast says what it holds)
        made, run.read_from_shown = shown_file.own_write, len(store)
    lines = store.lines
    if lines is not None:
        starts, lengths = store.column("start", index), store.column("length", index)
        write: Callable[[], Saved] = lambda: save_lines(path, lines, starts, lengths, source,  # noqa: E731
                                                        wrote=run.wrote, made=made)
    else:  # (rows read back from the archive or a file are read in the worker, a chunk at a time)
        entries = store.entries(index)
        origins = session.origins_of(index) if isinstance(session, MergedSession) else None
        write = lambda: save_entries(path, entries, source, origins, wrote=run.wrote, made=made)  # noqa: E731
    if len(index) >= SAY_SAVING_FROM:  # (seconds of writing: say it has begun, or it looks like nothing happened)
        screen.notify(f"Saving {counted(len(index))} to {path} …", markup=False, timeout=4)
    begun(run)
    screen.run_worker(lambda: _save(screen, run, write), name=str(path), thread=True, group="save",
                      exit_on_error=False)


@dataclass
class Saved:
    """How a save went: the entries written, and those left out because they could not be read
    back (by reason: `GONE_REASONS`)."""

    written: int
    gone: Counter[str] = field(default_factory=Counter)

    def took(self, writer: EntryWriter) -> None:
        """What `writer` wrote, and left out of a CSV (`EntryWriter.fieldless`)."""
        self.written = writer.written
        if writer.fieldless:
            self.gone[NOT_AN_OBJECT] += writer.fieldless


NOT_AN_OBJECT = "not a JSON object"  # (a reason an entry is left out of a CSV: it has none of its columns)
_LEFT_OUT = {GONE: "no longer in the archive (pruned since shown)",
             FILE_CHANGED: "no longer in the file as it was read (it changed since)",
             NOT_AN_OBJECT: "with no CSV columns (not JSON objects: .jsonl keeps them)"}


def _save(screen: Screen, run: SaveRun, write: Callable[[], Saved]) -> None:
    try:
        _write_and_say(screen, run, write)
    finally:
        run.finished = True


def _write_and_say(screen: Screen, run: SaveRun, write: Callable[[], Saved]) -> None:
    path = run.path
    try:
        saved = write()
    except Exception as error:  # noqa: BLE001 - any failure is said: a worker's error is otherwise silent
        if run.stopping:  # (SaveStopped, or the file closed as the viewer ended: the user quit, no one to tell)
            return
        why = error.strerror or error if isinstance(error, OSError) else f"{type(error).__name__}: {error}"
        screen.app.call_from_thread(screen.notify, clean_line(f"Could not save to {path}: {why}")[:300],
                                    severity="error", markup=False, timeout=8)
        return
    left_out = "".join(f"; {counted(count)} {_LEFT_OUT.get(reason, reason)} left out"
                       for reason, count in saved.gone.items())
    reloads = ": r reloads" if any(reason in GONE_REASONS for reason in saved.gone) else ""
    # (the dialog named the rows as it opened; the save takes those shown as it starts: s22 walk #6
    # found 2,400 said, 2,700 saved, and nothing said of the ~3,300 still to come)
    came = run.rows - run.opened_with if run.opened_with is not None and run.rows > run.opened_with else 0
    why = "; ".join(part for part in (f"{came:,} came while you typed" if came else "",
                                      f"partial: {run.partial}" if run.partial else "") if part)
    read = run.read_from_shown  # (a filtered view saved over the file shown leaves out what it hid)
    fewer = f"it holds only them now, of the {read:,} read: r reads it again" if read and saved.written < read else ""
    why = "; ".join(part for part in (why, fewer) if part)
    shown = "" if read is None else ", the file shown"
    said = f"Saved {counted(saved.written)} to {path}{shown}{f' ({why})' if why else ''}{left_out}{reloads}"
    screen.app.call_from_thread(screen.notify, said, markup=False, timeout=8 if left_out or why else 4)


def save_entries(path: Path, entries: Sequence[LogEntry], source: Source, origins: list[str] | None = None, *,
                 wrote: Callable[[int], None] = lambda rows: None, made: Made | None = None) -> Saved:
    """Write `entries` to `path` (CSV for `.csv`, JSONL otherwise). `origins`: the merged
    timeline's source of each entry, saved with it; `wrote`: hears of each chunk written; `made`: of
    the new file before it takes the name (`_write_atomically`). An entry that could not be read back (pruned
    from the archive, or its file changed, since it was shown) is left out rather than written as
    `{}`, and counted."""
    saved = Saved(0)

    def write(stream: BinaryIO) -> None:
        writer = EntryWriter(stream, format_for(None, path), source)
        for start in range(0, len(entries), CHUNK):
            chunk = entries[start:start + CHUNK]
            chunk_origins = None if origins is None else origins[start:start + CHUNK]
            gone = [entry.invalid for entry in chunk if entry.invalid in GONE_REASONS]
            if gone:
                saved.gone.update(gone)
                kept = [i for i, entry in enumerate(chunk) if entry.invalid not in GONE_REASONS]
                chunk = [chunk[i] for i in kept]
                chunk_origins = None if chunk_origins is None else [chunk_origins[i] for i in kept]
            writer.write(chunk, chunk_origins)
            wrote(len(chunk))
        saved.took(writer)

    _write_atomically(path, write, made)
    return saved


def save_lines(path: Path, lines: LineFile, starts: np.ndarray, lengths: np.ndarray, source: Source, *,
               wrote: Callable[[int], None] = lambda rows: None, made: Made | None = None) -> Saved:
    """Write the file lines at `starts`: JSONL copies them byte for byte, CSV parses them (a line
    that is not a JSON object left out, and counted). `wrote`, `made`: as `save_entries`'."""
    saved = Saved(len(starts))

    def write(stream: BinaryIO) -> None:
        writer = write_lines(stream, format_for(None, path), lines, starts, lengths, source, wrote=wrote, chunk=CHUNK)
        if writer is not None:
            saved.took(writer)

    _write_atomically(path, write, made)
    return saved


Made = Callable[[Stamp], None]  # hears of the file a save made, before it takes the name (`FileWatch.own_write`)


def _write_atomically(path: Path, write: Callable[[BinaryIO], None], made: Made | None = None) -> None:
    """As `logview export -o` writes (`OutputFile`): beside the destination, then renamed into
    place, with the permissions opening the file would give (an existing file's are kept). `made`
    hears of the new file, whole, before the rename; not of a file written in place (then not new:
    a file shown read back from it sees other bytes, and its watch says so)."""
    with OutputFile(path) as output:
        write(output.stream)
        if made is not None:
            output.stream.flush()
            written = os.fstat(output.stream.fileno())
            if not (path.exists() and os.path.samestat(written, path.stat())):
                made(stamp_of(written))
        output.publish()
