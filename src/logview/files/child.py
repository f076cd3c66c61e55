"""A file's filter columns read in a child process, on the other core.

Python runs one thread at a time: in the viewer's process, reading a million lines' columns
(about a second of decoding) shares the interpreter with the start-up imports, the first paint
and every key press. A child process has an interpreter of its own, so it reads the columns on
the machine's other core while the viewer starts and paints; the viewer only unpickles what it
sends (`ChildColumns`). The child is started as early as the file is known (`prefetch`, by the
command line, before the viewer's imports) and claimed by whoever reads the file (`claim`).

The child reads exactly as the viewer would (`ColumnReader.read_chunk` over `scan_lines`), one
chunk of columns per pickled frame, after a first frame naming the file's kind. If it cannot be
started or stops early, the reader goes on in its own process from where the child stopped, its
codes continued (`ColumnReader.continue_from`).

Run as `python -m logview.files.child PATH [KIND]` (KIND: `aitronos`, `supermetrics`, or none to
detect it).
"""

from __future__ import annotations

import atexit
import pickle
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # (kept off the import path: `prefetch` runs before the heavy imports)
    from logview.files.columns import ColumnChunk
    from logview.sources.base import Source

READ_CHUNK = 1 << 20  # bytes of lines per frame
CHILD_MIN_BYTES = 16 << 20  # a smaller file is read in a blink in the viewer's own process
_prefetched: dict[Path, ChildColumns] = {}


class ChildColumns:
    """The columns a child process reads from `path`, chunk by chunk, in file order."""

    def __init__(self, path: Path, kind: str | None = None) -> None:
        self.path = path
        self.process = subprocess.Popen(
            [sys.executable, "-m", "logview.files.child", str(path), *([kind] if kind else [])],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.kind: str | None = None  # what the child found the file to be (first frame)
        atexit.register(self.close)

    def read_kind(self) -> str | None:
        """The file's kind as the child detected it (None: it could not tell or failed)."""
        if self.kind is None:
            self.kind = self._next()  # type: ignore[assignment]
        return self.kind

    def chunks(self, kind: str) -> Iterator[ColumnChunk]:
        """The columns, chunk by chunk, if the child reads the file as `kind`; ends early
        (without raising) if the child stopped."""
        if self.read_kind() != kind:
            return
        while (chunk := self._next()) is not None:
            yield chunk  # type: ignore[misc]

    def _next(self) -> object:
        assert self.process.stdout is not None
        try:
            return pickle.load(self.process.stdout)  # our own child: its frames are trusted
        except (EOFError, pickle.UnpicklingError, ValueError, OSError):
            return None

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


def prefetch(path: Path, kind: str | None = None) -> None:
    """Start reading `path`'s columns now, for whoever `claim`s them (a big file only)."""
    path = path.resolve()
    if path not in _prefetched and _big(path):
        try:
            _prefetched[path] = ChildColumns(path, kind)
        except OSError:
            pass  # the reader will read in its own process


def _big(path: Path) -> bool:
    try:
        return path.stat().st_size >= CHILD_MIN_BYTES
    except OSError:
        return False


def claim(path: Path, kind: str | None = None) -> ChildColumns | None:
    """The child reading `path`: the one `prefetch` started, or a new one; None for a small
    file, or if none can be started. (Whether it reads the file as the caller would is told by
    its first frame: `ChildColumns.chunks` checks it, off the caller's thread.)"""
    if not _big(path):
        return None
    child = _prefetched.pop(path.resolve(), None)
    if child is None:
        try:
            child = ChildColumns(path.resolve(), kind)
        except OSError:
            return None
    return child


def read_columns(path: Path, source: Source, count: int, child: ChildColumns | None) -> Iterator[ColumnChunk]:
    """The columns of the first `count` lines of `path`, in order: from `child` as far as it
    goes, the rest read here (all of them without a child). Closing the iterator stops the child."""
    from logview.files.columns import FIELDS, ColumnReader
    from logview.files.lines import LineChunk, scan_lines

    done = 0
    reported: dict[str, list[object]] = {name: [] for name in FIELDS}  # the child's codes, in order
    try:
        for chunk in child.chunks(source.kind) if child is not None else ():
            for name in FIELDS:
                reported[name] += chunk.new_values[name]
            chunk = chunk.head(count - done)
            done += len(chunk)
            yield chunk
            if done >= count:
                return
    finally:
        if child is not None:
            child.close()
    reader = ColumnReader(source)
    reader.continue_from(reported)
    scanned = 0  # lines scanned so far; the first `done` were read by the child
    for lines in scan_lines(path, chunk_bytes=READ_CHUNK, with_data=True):
        skip = min(len(lines.starts), max(0, done - scanned))
        scanned += len(lines.starts)
        if skip == len(lines.starts):
            continue
        if skip:
            lines = LineChunk(lines.starts[skip:], lines.lengths[skip:], lines.scanned, lines.size, lines.data,
                              lines.base)
        chunk = reader.read_chunk(lines, count - done)
        done += len(chunk)
        yield chunk
        if done >= count:
            return


def main(argv: list[str]) -> int:
    from logview.files.columns import ColumnReader
    from logview.files.jsonl import UnknownFileFormat, detect_kind, source_for_kind
    from logview.files.lines import scan_lines

    path = Path(argv[0])
    out = sys.stdout.buffer
    try:
        kind = argv[1] if len(argv) > 1 else detect_kind(path)
    except (UnknownFileFormat, OSError):
        kind = None
    pickle.dump(kind, out, protocol=pickle.HIGHEST_PROTOCOL)
    out.flush()
    if kind not in ("aitronos", "supermetrics"):
        return 0
    reader = ColumnReader(source_for_kind(kind))
    try:
        for chunk in scan_lines(path, chunk_bytes=READ_CHUNK, with_data=True):
            pickle.dump(reader.read_chunk(chunk), out, protocol=pickle.HIGHEST_PROTOCOL)
            out.flush()
    except (BrokenPipeError, OSError):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
