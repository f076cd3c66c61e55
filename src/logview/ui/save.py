"""Writing the filtered view to a file (`s`): the same formats as `logview export`.

JSONL holds each raw entry exactly as received (from a file: the very lines of the file); CSV
the source's columns; the merged timeline writes each entry with its source (`EntryWriter`).
The file is written next to its destination and renamed into place, so a failed save never
leaves half a file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from weakref import WeakKeyDictionary, WeakSet

import numpy as np
from textual.app import App
from textual.screen import Screen

from logview.files.writer import EntryWriter, OutputFile, copy_lines, format_for
from logview.files.jsonl import entry_from_line
from logview.files.lines import LineFile
from logview.model import LogEntry, counted
from logview.sanitize import clean_line
from logview.session import MergedSession, ViewerSession
from logview.sources.base import Source
from logview.files.mixed import FILE_CHANGED
from logview.store.archived import GONE, GONE_REASONS
from logview.ui.workers import running

CHUNK = 5000
SAY_SAVING_FROM = 20_000  # rows: a save this big takes long enough to say it has begun
_WAITING: WeakKeyDictionary[App, set[Path]] = WeakKeyDictionary()  # saves waiting for the rows to settle
# Apps asking "quit anyway? It will not be written": no waiting save starts under that question (one
# started behind it, and `y` then left a blank screen for 8 s while it wrote the file, s21 walk #1).
_ASKING_TO_QUIT: WeakSet[App] = WeakSet()


def save_view(screen: Screen, path: Path, session: ViewerSession) -> None:
    """Write the rows `session` shows to `path` in a worker of `screen`, and say how it went.
    A file's lines are read in the worker, not here; entries in memory are taken here (the store
    may change meanwhile)."""
    store, index, source = session.store, session.view.index, session.source
    lines = store.lines
    if lines is not None:
        starts, lengths = store.column("start", index), store.column("length", index)
        write: Callable[[], Saved] = lambda: save_lines(path, lines, starts, lengths, source)  # noqa: E731
    else:  # (rows read back from the archive or a file are read in the worker, a chunk at a time)
        entries = store.entries(index)
        origins = session.origins_of(index) if isinstance(session, MergedSession) else None
        write = lambda: save_entries(path, entries, source, origins)  # noqa: E731
    if len(index) >= SAY_SAVING_FROM:  # (seconds of writing: say it has begun, or it looks like nothing happened)
        screen.notify(f"Saving {counted(len(index))} to {path} …", markup=False, timeout=4)
    screen.run_worker(lambda: _save(screen, path, write), name=str(path), thread=True, group="save",
                      exit_on_error=False)


def still_saving(screen: Screen) -> bool:
    """Whether a save of `screen`'s is still being written (a second one to the same new name
    would race it)."""
    return running(screen, "save")


def save_when_settled(screen: Screen, path: Path, session: ViewerSession) -> None:
    """Save the view once it shows every row its filters pick: a big file's fields still being
    read, a mixed file still being read, or a search still running, would otherwise leave the
    file short without a word (`ViewerSession.save_waits_for`)."""
    awaited = session.save_waits_for()
    if awaited is None:
        save_view(screen, path, session)
        return
    screen.notify(f"Saving to {path} once {awaited} …", markup=False, timeout=4)
    waiting = _WAITING.setdefault(screen.app, set())
    waiting.add(path)

    def check() -> None:
        if path not in waiting:  # dropped: the user quit anyway
            timer.stop()
        elif session.save_waits_for() is None and screen.app not in _ASKING_TO_QUIT:
            timer.stop()
            waiting.discard(path)
            save_view(screen, path, session)

    timer = screen.set_interval(0.1, check)


def quit_unless_saving(app: App) -> None:
    """`q`: quit, but ask first while a save is being written or waits to be: quitting drops it
    (a walk's save of 1,000,000 entries vanished without a word, exit 0)."""
    from logview.ui.screens.confirm import ConfirmQuit

    unwritten = _unwritten(app)
    if not unwritten:
        app.exit(0)
        return

    def question() -> str:  # (asked again as the saves end: it stayed up saying "It will not be written"
        # under the toast saying the file was saved, s19 V5)
        if left := _unwritten(app):
            return f"A save to {_names(left)} is not finished: quit anyway? It will not be written."
        return f"The save to {_names(unwritten)} has ended (see its message): quit now?"

    def answered(yes: bool | None) -> None:
        _ASKING_TO_QUIT.discard(app)
        if yes:
            quit_dropping_saves(app)

    _ASKING_TO_QUIT.add(app)
    app.push_screen(ConfirmQuit(question(), asked=question), answered)


def quit_dropping_saves(app: App) -> None:
    """Quit as the user answered: the saves still waiting are dropped, not started on the way out."""
    _WAITING.get(app, set()).clear()
    app.exit(0)


def _unwritten(app: App) -> set[Path]:
    """The saves being written or waiting to be."""
    unwritten = set(_WAITING.get(app, ()))
    unwritten.update(Path(worker.name) for worker in app.workers if worker.group == "save" and not worker.is_finished)
    return unwritten


def _names(paths: set[Path]) -> str:
    return ", ".join(sorted(str(path) for path in paths))


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


def _save(screen: Screen, path: Path, write: Callable[[], Saved]) -> None:
    try:
        saved = write()
    except Exception as error:  # noqa: BLE001 - any failure is said: a worker's error is otherwise silent
        why = error.strerror or error if isinstance(error, OSError) else f"{type(error).__name__}: {error}"
        screen.app.call_from_thread(screen.notify, clean_line(f"Could not save to {path}: {why}")[:300],
                                    severity="error", markup=False, timeout=8)
        return
    left_out = "".join(f"; {counted(count)} {_LEFT_OUT.get(reason, reason)} left out"
                       for reason, count in saved.gone.items())
    reloads = ": r reloads" if any(reason in GONE_REASONS for reason in saved.gone) else ""
    screen.app.call_from_thread(screen.notify, f"Saved {counted(saved.written)} to {path}{left_out}{reloads}",
                                markup=False, timeout=8 if left_out else 4)


def save_entries(path: Path, entries: Sequence[LogEntry], source: Source, origins: list[str] | None = None) -> Saved:
    """Write `entries` to `path` (CSV for `.csv`, JSONL otherwise). `origins`: the merged
    timeline's source of each entry, saved with it. An entry that could not be read back (pruned
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
        saved.took(writer)

    _write_atomically(path, write)
    return saved


def save_lines(path: Path, lines: LineFile, starts: np.ndarray, lengths: np.ndarray, source: Source) -> Saved:
    """Write the file lines at `starts`: JSONL copies them byte for byte, CSV parses them (a line
    that is not a JSON object left out, and counted)."""
    saved = Saved(len(starts))
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
        saved.took(writer)

    _write_atomically(path, write)
    return saved


def _write_atomically(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """As `logview export -o` writes (`OutputFile`): beside the destination, then renamed into
    place, with the permissions opening the file would give (an existing file's are kept)."""
    with OutputFile(path) as output:
        write(output.stream)
        output.publish()
