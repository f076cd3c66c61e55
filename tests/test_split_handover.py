"""The hand-over at the meeting (`files/split_read.py`, `files/columns_pass.py`): a viewer that has
met a child starved by other work stops it rather than wait for its last segment, takes the
segments the child's file records as whole, and reads the rest itself. Wherever the child halts
(before its first row, at any row, after its last), or if it dies there, every row is read
exactly once, by one side or the other, and the columns are one reader's."""

from __future__ import annotations

import os
import signal
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logview.files import recoder, split_claims, split_read
from logview.files.columns import ColumnReader
from logview.files.split_read import BackReader, Claims
from test_split_read import assert_same, columns, index_of, write_file

LINES, SEGMENT = 1200, 400  # (3 segments)
real_counted = split_read._counted


def one_row_a_chunk(patch: pytest.MonkeyPatch) -> None:
    """Each chunk the child reads is one line: it may halt at any row, and is stopped whenever it
    stalls, however few rows it has left."""
    patch.setattr(split_read, "CHILD_CHUNK_BYTES", 1)
    patch.setattr(split_read, "SEGMENT_ROWS", SEGMENT)
    patch.setattr(split_read, "SPLIT_FROM_BYTES", 0)
    patch.setattr(split_read, "CHILD_STALLED_ROWS", 0)


def child_that(patch: pytest.MonkeyPatch, after_rows: int, then: str) -> None:
    """The child (forked with this patch) halts (starved for ever) or dies once it has read
    `after_rows` rows and is about to read the next."""
    seen = [0]

    def counted(chunks: Iterator, claims: Claims, rows: int) -> Iterator:  # noqa: ANN001 - `_counted`'s
        for chunk in real_counted(chunks, claims, rows):
            if seen[0] >= after_rows and len(chunk.starts):
                os.kill(os.getpid(), signal.SIGSTOP if then == "halts" else signal.SIGKILL)
            yield chunk
            seen[0] += len(chunk.starts)

    patch.setattr(split_read, "_counted", counted)


def read_counting(path: Path, back: BackReader) -> tuple[object, int, int]:
    """The columns as the viewer takes them, the rows its own reader read, the child's rows taken."""
    viewer_rows, taken_rows = [0], [0]
    read_chunk, recode = ColumnReader.read_chunk, recoder.Recoder.recode

    def counted_read(self, chunk, count=None, between=None):  # noqa: ANN001, ANN202
        found = read_chunk(self, chunk, count, between)
        viewer_rows[0] += len(found)
        return found

    def counted_recode(self, chunk):  # noqa: ANN001, ANN202
        taken_rows[0] += len(chunk)
        return recode(self, chunk)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ColumnReader, "read_chunk", counted_read)
        patch.setattr(recoder.Recoder, "recode", counted_recode)
        found = columns(path, "supermetrics", LINES, back, spans=index_of(path))
    return found, viewer_rows[0], taken_rows[0]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(after_rows=st.integers(0, LINES + 5), then=st.sampled_from(["halts", "dies"]))
def test_wherever_the_child_halts_or_dies_every_row_is_read_once(after_rows, then):
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as patch:
        path = Path(folder) / "logs.jsonl"
        count = write_file(path, "supermetrics", LINES - 6)  # (with the hostile lines among them, one blank)
        assert count == LINES
        one_row_a_chunk(patch)
        child_that(patch, after_rows, then)
        back = BackReader(path, "supermetrics")
        # (the viewer begins once the child has halted, died or ended)
        while os.waitid(os.P_PID, back.pid, os.WEXITED | os.WSTOPPED | os.WNOHANG | os.WNOWAIT) is None:
            time.sleep(0.005)
        found, viewer_rows, taken_rows = read_counting(path, back)
        assert_same(found, columns(path, "supermetrics", count))
        assert viewer_rows + taken_rows == count
        if then == "halts":  # (its whole segments taken, however few: none read again)
            assert taken_rows == min(after_rows, count) // SEGMENT * SEGMENT
        else:  # (a child that fails: the viewer reads all it has not taken)
            assert taken_rows == (count if after_rows >= count else 0)


def test_a_starved_child_is_stopped_and_the_viewer_reads_its_segment(tmp_path, monkeypatch):
    """The child reads its last segment a row every 50 ms (starved by other work) as the viewer
    meets it: the viewer does not wait for the ~400 rows left (20 s), but reads them itself."""
    path = tmp_path / "logs.jsonl"
    count = write_file(path, "supermetrics", LINES - 6)
    one_row_a_chunk(monkeypatch)

    def starved(chunks: Iterator, claims: Claims, rows: int) -> Iterator:  # noqa: ANN001
        for chunk in real_counted(chunks, claims, rows):
            yield chunk
            if claims._marks[1] == 0 and claims.rows_left < SEGMENT - 1:
                time.sleep(0.05)  # (two rows into the viewer's next segment: starved)

    monkeypatch.setattr(split_read, "_counted", starved)
    back = BackReader(path, "supermetrics")
    while back._claims._marks[1] > 0 and not back._ended():  # (until it claims the viewer's next segment)
        time.sleep(0.001)
    began = time.monotonic()
    found, viewer_rows, taken_rows = read_counting(path, back)
    assert time.monotonic() - began < 3
    assert_same(found, columns(path, "supermetrics", count))
    assert (viewer_rows, taken_rows) == (SEGMENT, count - SEGMENT)


def test_a_child_near_the_viewer_reads_smaller_chunks(monkeypatch):
    claims = Claims(100)
    monkeypatch.setattr(split_claims, "CHILD_NEAR_SEGMENTS", 2)  # (2 segments above the viewer's next)
    claims.claim_front(0)  # (the viewer reads segment 0: its next is 1)
    assert claims.near_front(3) and not claims.near_front(4)
