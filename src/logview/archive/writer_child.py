"""The archive's writer process: it stores the transactions a viewer (or an export) hands it, each
as the thread writer stores one (`store_transaction`), and answers where each entry went.

Why a process: on two cores, storing 100k entries in a thread of the viewer took as long again as
fetching them, whoever held the interpreter's lock (see `writer.py`). Here the event loop only
writes each page's raw entries as one JSON text to a pipe; parsing them again, making the rows
and SQLite run on the other core, in an interpreter of their own.

The pipes carry frames (both ends are this package): the pickle's length and how many buffers follow
it, each buffer's length (4 bytes each), the pickle, then the buffers: a page's JSON text goes out
of band (`out_of_band`), as it is. Pickled in band, framing a page of 1,000 Supermetrics entries
cost the viewer ~0.6 ms (its ~0.2 MB text copied into buffers grown as they went, then again behind
the length); out of band ~0.1 ms.
- In: first `(path, retention, identity)`; then a transaction a frame, `(parts, covered,
  query_key, want_rowids)`, each part a page (`Part`): as `Rows`, as the JSON text of its raw
  entries, or as that text and the entries' times in epoch microseconds (a typed page's, as the
  viewer's parse found them: `typed_page.texts_and_times`).
- Out: a frame a transaction, in order: `(rowids, None)` (by id, when asked), or `({}, problem)`
  once storing failed; after a problem nothing more is stored, and every later transaction gets
  the same answer.

At the end of its input (the viewer closed it, or died, even by `kill -9`), the process has
committed every transaction it read, and exits. It runs in a session of its own: Ctrl-C in the
terminal is the viewer's to handle, not a signal that could cut a transaction short here.
"""

from __future__ import annotations

import pickle
import struct
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, BinaryIO, Union

from logview.archive.db import ArchiveError
from logview.archive.rows import Rows

if TYPE_CHECKING:
    from logview.archive.coverage import Span
    from logview.archive.source import ArchivedSource

FRAME = struct.Struct("<II")  # a frame's pickle's length, and how many buffers follow it
LENGTH = struct.Struct("<I")  # … each buffer's
Part = Union[Rows, bytes, tuple[bytes, list[int]]]  # a page, as the process is handed it (see the module)


def frame(value: Any) -> list[bytes | memoryview]:
    """`value` as a frame's pieces, to be written one after the other: its pickle (with the
    frame's head), then each `PickleBuffer` in it, out of band (not copied)."""
    buffers: list[pickle.PickleBuffer] = []
    body = pickle.dumps(value, protocol=5, buffer_callback=buffers.append)
    raws = [buffer.raw() for buffer in buffers]
    head = FRAME.pack(len(body), len(raws)) + b"".join(LENGTH.pack(raw.nbytes) for raw in raws)
    return [head + body, *raws]


def out_of_band(part: Part) -> Part:
    """A page's part for `frame`, its JSON text sent out of band (read back as the same bytes)."""
    if isinstance(part, bytes):
        return pickle.PickleBuffer(part)  # type: ignore[return-value]
    if isinstance(part, tuple):
        return pickle.PickleBuffer(part[0]), part[1]  # type: ignore[return-value]
    return part


def read_frame(stream: BinaryIO) -> Any:
    """The next frame's value; None at the end of the stream (or a frame cut short by it)."""
    head = stream.read(FRAME.size)
    if len(head) < FRAME.size:
        return None
    size, count = FRAME.unpack(head)
    lengths = stream.read(LENGTH.size * count)
    if len(lengths) < LENGTH.size * count:
        return None
    sizes = [length for (length,) in LENGTH.iter_unpack(lengths)]
    body = stream.read(size)
    buffers = [stream.read(length) for length in sizes]
    if len(body) < size or list(map(len, buffers)) != sizes:
        return None
    return pickle.loads(body, buffers=buffers)


def part_rows(archived: ArchivedSource, part: Part) -> Rows:
    """A page's rows: made already, or from the JSON text of its raw entries: the rows of the
    entries `entries_from_raws` made of them when the page was parsed (`raws_rows`; the text came
    from `orjson.dumps`, or as the API sent it, `typed_page.py`: either way it holds no lone
    surrogate), their times as given with it."""
    if isinstance(part, Rows):
        return part
    if isinstance(part, tuple):
        return archived.rows_from_text(*part)
    return archived.rows_from_text(part)


def store_transaction(archived: ArchivedSource, parts: Sequence[Part], covered: Span | None,
                      query_key: str, want_rowids: bool) -> dict[str, int]:
    """One transaction: the pages' entries, then the span they complete. Where the entries are
    archived now, by id, if asked. Raises ArchiveError, or ValueError for text SQLite cannot hold."""
    rows = Rows.joined([part_rows(archived, part) for part in parts])
    placed: dict[str, int] = {}
    archived.store_rows(rows, covered=covered, query_key=query_key, placed=placed if want_rowids else None)
    return placed


def problem_of(error: Exception) -> str:
    """What a failure to store says to the user (no entry's text in it)."""
    if isinstance(error, ArchiveError):
        return str(error)
    if isinstance(error, ValueError):  # a lone surrogate in an id
        return f"an entry the archive cannot hold ({type(error).__name__})"
    return f"the archive's writer failed ({type(error).__name__})"


def serve(inp: BinaryIO, out: BinaryIO) -> None:
    from logview.archive.archive import Archive

    setup = read_frame(inp)
    if setup is None:
        return
    path, retention, identity = setup
    archive = None
    problem: str | None = None
    try:
        archive = Archive.open(path, retention=retention)
        archive.store_in_bulk()
        archived = archive.source(identity)
    except ArchiveError as error:
        problem = str(error)
    try:
        while (message := read_frame(inp)) is not None:
            rowids: dict[str, int] = {}
            if problem is None:
                try:
                    rowids = store_transaction(archived, *message)
                except Exception as error:  # noqa: BLE001 (any failure is the writer's one problem)
                    problem = problem_of(error)
            out.writelines(frame((rowids, problem)))
            out.flush()
    finally:
        if archive is not None:
            archive.close()


if __name__ == "__main__":
    try:
        serve(sys.stdin.buffer, sys.stdout.buffer)
    except BrokenPipeError:  # the viewer is gone: everything read was committed
        pass
