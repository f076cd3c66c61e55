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
- Out: a frame a transaction, in order: `(rowids, None)` (when asked: where each entry went, in the
  order it was handed them, a `range` when every one was new), or `((), problem)`
  once storing failed; after a problem nothing more is stored, and every later transaction gets
  the same answer. Transactions read while the last was stored are committed as one (`MERGED`).

At the end of its input (the viewer closed it, or died, even by `kill -9`), the process has
committed every transaction it read (a dead viewer's answers are dropped), and exits. It runs in
a session of its own: Ctrl-C in the terminal is the viewer's to handle, not a signal that could cut
a transaction short here.
"""

from __future__ import annotations

import gc
import os
import pickle
import queue
import struct
import sys
import threading
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
                      query_key: str, want_rowids: bool) -> Sequence[int]:
    """One transaction: the pages' entries, then the span they complete. Where the entries are
    archived now, in the order of the pages' entries, if asked (0: pruned at once; `()` if not
    asked). Raises ArchiveError, or ValueError for text SQLite cannot hold.

    By position, not by id: the viewer knows which page each of its entries came in
    (`HeldEntries.archived`); an answer by id cost both processes a dict a page, pickled and read,
    and the viewer a lookup an entry (~0.05-0.1 s of its CPU per 100k, RESULTS.md, 27th session)."""
    return store_transactions(archived, [(parts, covered, query_key, want_rowids)])[0]


Transaction = tuple[Sequence[Part], Union["Span", None], str, bool]  # (parts, covered, query_key, want_rowids)
Answer = tuple[Sequence[int], str | None]  # rowids, and the problem once storing failed


def store_transactions(archived: ArchivedSource, transactions: Sequence[Transaction]) -> list[Sequence[int]]:
    """`store_transaction` of each, in order, committed together (see `MERGED`)."""
    batches = [(Rows.joined([part_rows(archived, part) for part in parts]), covered, query_key, [] if want else None)
               for parts, covered, query_key, want in transactions]
    if len(batches) == 1:  # (the thread's transaction, and a process not behind)
        rows, covered, query_key, placed = batches[0]
        archived.store_rows(rows, covered=covered, query_key=query_key, placed=placed)
    else:
        archived.store_batches(batches)
    return [placed[0] if placed else () for _, _, _, placed in batches]


# Transactions already waiting when the last was stored are committed as one (their answers still
# one each, in order), up to this many: only a process behind has any. Where ids are random (an
# Aitronos source's), each commit rewrites most of the id index's pages its rows touched: storing
# 98k entries 1,000 a transaction took SQLite ~0.87 s of CPU, four at a time ~0.68 s, eight ~0.62 s
# (ids that grow with time cost the same either way). Half of the viewer's IN_FLIGHT, so that it
# has room to hand over the next ones meanwhile.
MERGED = 4


def _read_ahead(inp: BinaryIO, waiting: queue.SimpleQueue[Any]) -> None:
    """Every frame of `inp`, then None at its end (a thread: the pipe is read while storing)."""
    try:
        while (message := read_frame(inp)) is not None:
            waiting.put(message)
    finally:
        waiting.put(None)


def _taken(waiting: queue.SimpleQueue[Any]) -> tuple[list[Transaction], bool]:
    """The next transaction (waited for), and those behind it already read (up to MERGED in all);
    with whether the input has ended."""
    first = waiting.get()
    if first is None:
        return [], True
    taken = [first]
    while len(taken) < MERGED:
        try:
            message = waiting.get_nowait()
        except queue.Empty:
            break
        if message is None:
            return taken, True
        taken.append(message)
    return taken, False


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
    waiting: queue.SimpleQueue[Any] = queue.SimpleQueue()
    threading.Thread(target=_read_ahead, args=(inp, waiting), daemon=True).start()
    answering, ended = True, False
    try:
        while not ended:
            transactions, ended = _taken(waiting)
            answers: list[Answer] = [((), problem)] * len(transactions)
            if problem is None and transactions:
                try:
                    answers = [(rowids, None) for rowids in store_transactions(archived, transactions)]
                except Exception:  # noqa: BLE001 (stored one by one again: each its own outcome, as ever)
                    archived.recount()  # (the retention's count went on through what was rolled back)
                    answers = _one_by_one(archived, transactions)
                    problem = answers[-1][1]
            try:
                if answering:
                    out.writelines(piece for answer in answers for piece in frame(answer))
                    out.flush()
            except BrokenPipeError:  # the viewer is gone: what it handed over is stored all the same
                answering = False
    finally:
        if archive is not None:
            archive.close()


def _one_by_one(archived: ArchivedSource, transactions: Sequence[Transaction]) -> list[Answer]:
    """Each transaction stored alone and its answer, until one fails: that failure is the writer's
    one problem (any failure is), the answer of that one and of every later one, none tried."""
    answers: list[Answer] = []
    for transaction in transactions:
        try:
            answers.append((store_transaction(archived, *transaction), None))
        except Exception as error:  # noqa: BLE001
            return answers + [((), problem_of(error))] * (len(transactions) - len(answers))
    return answers


# How the viewer starts the process (`writer_process.py`): the cyclic collector off while its modules
# are imported (it ran ~30 times over the import's new objects, ~10-30 ms of the start-up), then
# those frozen out of its sight and the collector back on for what the storing makes.
START = "import gc; gc.disable(); from logview.archive.writer_child import main; main()"


def main() -> None:
    gc.freeze()
    gc.enable()
    try:
        serve(sys.stdin.buffer, sys.stdout.buffer)
    except BrokenPipeError:  # the viewer is gone: everything read was committed
        pass
    # Everything read is committed, every answer written and flushed, the archive closed: the
    # interpreter's teardown (freeing every module and object, ~20 ms of CPU) is skipped, and with
    # it a wait at the end of every backfill through the archive (the viewer waits for this exit).
    os._exit(0)


if __name__ == "__main__":
    main()
