"""The writer process commits the transactions waiting for it as one (`writer_child.MERGED`): what
it stores and answers is what it stored and answered one transaction at a time, a failure included
(the transactions before it stored and answered, it and every later one the problem)."""

from __future__ import annotations

import io
import queue
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import pytest

from logview.archive import Archive, Retention, Span, writer_child
from logview.archive.rows import Rows
from logview.archive.source import ArchivedSource
from logview.archive.writer_process import process_part
from logview.archive.writer_child import frame, out_of_band, read_frame, serve
from logview.jsonutil import load_json
from logview.times import epoch_us

from archive_support import aitronos_entries, aitronos_identity


def transactions(archived: ArchivedSource, count: int) -> list[tuple]:
    """A backfill's transactions as the viewer hands them over: ten pages of 100 each, newest
    first, each with the span it completes."""
    entries = aitronos_entries(count)
    top = epoch_us(entries[0].time)
    made = []
    for start in range(0, count, 1_000):
        pages = [entries[first:first + 100] for first in range(start, min(count, start + 1_000), 100)]
        parts = [out_of_band(process_part(archived, page)) for page in pages]
        made.append((parts, Span(epoch_us(pages[-1][-1].time) + 1, top), "", True))
    return made


def served(path: Path, messages: list[tuple]) -> list[tuple[Sequence[int], str | None]]:
    """Every answer `serve` gives to `messages` (the viewer's setup first), as the viewer reads them."""
    pieces = frame((path, Retention(max_entries=None), aitronos_identity()))
    for message in messages:
        pieces += frame(message)
    out = io.BytesIO()
    serve(io.BytesIO(b"".join(map(bytes, pieces))), out)
    out.seek(0)
    answers = []
    while (answer := read_frame(out)) is not None:
        answers.append(answer)
    return answers


def table(path: Path) -> list[tuple]:
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT rowid, id, time_us, raw FROM entries ORDER BY rowid").fetchall() + \
            db.execute("SELECT source, query_key, start_us, end_us FROM coverage").fetchall()
    finally:
        db.close()


def at_once(waiting: queue.SimpleQueue) -> tuple[list, bool]:
    """Every transaction of the input taken together (the process behind by all of them)."""
    taken = []
    while (message := waiting.get()) is not None:
        taken.append(message)
    return taken, True


def one_at_a_time(waiting: queue.SimpleQueue) -> tuple[list, bool]:
    message = waiting.get()
    return ([], True) if message is None else ([message], False)


def test_transactions_merged_store_and_answer_what_they_did_one_at_a_time(tmp_path, monkeypatch):
    with Archive.open(tmp_path / "made.sqlite3") as archive:
        messages = transactions(archive.source(aitronos_identity()), 4_300)
    monkeypatch.setattr(writer_child, "_taken", one_at_a_time)
    alone = served(tmp_path / "alone.sqlite3", messages)
    monkeypatch.setattr(writer_child, "_taken", at_once)
    merged = served(tmp_path / "merged.sqlite3", messages)
    assert [len(rowids) for rowids, _ in alone] == [1_000] * 4 + [300]
    assert merged == alone and all(problem is None for _, problem in merged)
    assert table(tmp_path / "merged.sqlite3") == table(tmp_path / "alone.sqlite3")


def test_a_failure_in_a_merged_transaction_leaves_those_before_it_stored_and_is_the_problem_after(
        tmp_path, monkeypatch):
    with Archive.open(tmp_path / "made.sqlite3") as archive:
        messages = transactions(archive.source(aitronos_identity()), 3_000)
    unbindable = Rows.of([(1, "bad", 1, "x", None, {"not": "bindable"}, None, None, None, None, None, None, None,
                           b"{}")])  # (SQLite cannot bind the dict: the statement fails inside the transaction)
    messages.insert(2, ([unbindable], None, "", True))
    monkeypatch.setattr(writer_child, "_taken", at_once)
    answers = served(tmp_path / "a.sqlite3", messages)
    assert [(len(rowids), problem) for rowids, problem in answers[:2]] == [(1_000, None), (1_000, None)]
    assert all(rowids == () and problem and "archive" in problem for rowids, problem in answers[2:])
    with Archive.open(tmp_path / "a.sqlite3") as archive:
        stored = archive.source(aitronos_identity())
        assert stored.count() == 2_000  # (the two before it: committed; nothing after it tried)
        told = [*answers[0][0], *answers[1][0]]  # (each entry's rowid, in the order handed over)
        assert [load_json(raw)["id"] for raw in stored.raw(told)] == [e.id for e in aitronos_entries(3_000)[:2_000]]


@pytest.mark.parametrize(("waiting", "then_the_end", "taken", "ended"), [
    (6, False, 4, False), (4, True, 4, False), (3, True, 3, True), (0, True, 0, True), (2, False, 2, False)])
def test_the_process_takes_those_waiting_up_to_merged(monkeypatch, waiting, then_the_end, taken, ended) -> None:
    monkeypatch.setattr(writer_child, "MERGED", 4)
    queued: queue.SimpleQueue = queue.SimpleQueue()
    for number in range(waiting):
        queued.put(number)
    if then_the_end:
        queued.put(None)  # (the input's end read too)
    assert writer_child._taken(queued) == (list(range(taken)), ended)
