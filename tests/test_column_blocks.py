"""A chunk of a file read for its columns in several decoded blocks (`columns.DECODE_BYTES`):
the same columns as parsing each line, whichever lines fall in a block that must be read line by
line, and whether the chunk is read from the file's bytes (`read_chunk`) or from lines (`read`), or
several chunks as one (`read_chunks`)."""

from __future__ import annotations

import json
import tempfile
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import logview.files.columns as filecolumns
from logview.demo import DemoState
from logview.files.columns import ColumnReader
from logview.files.jsonl import source_for_kind
from logview.files.lines import scan_lines
from test_filecolumns import PROPERTY, Decoder, assert_same, expected_columns, lines_for

KINDS = ("aitronos", "supermetrics")


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(filecolumns, "DECODE_BYTES", 90)  # a block holds one to a few lines
    monkeypatch.setattr(filecolumns, "TIMES_EVERY_ROWS", 3)  # chunks read as one make their times now and then


@pytest.mark.parametrize("kind", KINDS)
@PROPERTY
@given(data=st.data())
def test_blocks_of_a_chunk_match_entries(kind: str, data: st.DataObject) -> None:
    lines = [line for line in data.draw(lines_for(kind)) if line.strip() and b"\n" not in line and b"\r" not in line]
    want = expected_columns(kind, lines)
    assert_same(Decoder().columns(ColumnReader(source_for_kind(kind)).read(lines)), want)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "blocks.jsonl"
        path.write_bytes(b"".join(line + b"\n" for line in lines))
        reader, decoder = ColumnReader(source_for_kind(kind)), Decoder()
        pauses: list[int] = []
        got: dict[str, list] = {name: [] for name in want}
        for chunk in scan_lines(path, chunk_bytes=512, first_bytes=512, with_data=True):
            columns = reader.read_chunk(chunk, between=lambda: pauses.append(1))
            assert len(columns) == len(chunk.starts)
            for name, values in decoder.columns(columns).items():
                got[name] += values
        decoder.check_tables()
    assert_same(got, want)


@pytest.mark.parametrize("kind", KINDS)
@PROPERTY
@given(data=st.data())
def test_chunks_read_as_one_match_entries(kind: str, data: st.DataObject) -> None:
    """Several chunks gathered into one chunk of columns (`read_chunks`, the child's segments): the
    rows of the lines read the exact way, and of their error groups, counted on from chunk to chunk."""
    lines = [line for line in data.draw(lines_for(kind)) if line.strip() and b"\n" not in line and b"\r" not in line]
    want = expected_columns(kind, lines)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "chunks.jsonl"
        path.write_bytes(b"".join(line + b"\n" for line in lines))
        decoder = Decoder()
        columns = ColumnReader(source_for_kind(kind)).read_chunks(
            scan_lines(path, chunk_bytes=512, first_bytes=512, with_data=True))
        assert len(columns) == len(lines)
        got = decoder.columns(columns)
        decoder.check_tables()
    assert_same(got, want)


def test_no_chunks_read_as_one_are_no_rows() -> None:
    assert len(ColumnReader(source_for_kind("aitronos")).read_chunks([])) == 0


def test_blocks_cut_at_line_ends() -> None:
    lengths = filecolumns.np.array([40, 40, 200, 10, 10, 10, 100], dtype=filecolumns.np.int64)
    blocks = filecolumns._blocks(lengths)
    assert blocks[0][0] == 0 and blocks[-1][1] == len(lengths)
    assert all(hi > lo for lo, hi in blocks)
    assert all(a[1] == b[0] for a, b in zip(blocks, blocks[1:]))
    assert len(blocks) > 2  # (90 bytes a block)
    assert filecolumns._blocks(lengths[:0]) == []


def test_between_is_called_between_blocks() -> None:
    lines = [b'{"id":"%d","log_time":"2025-01-01T00:00:00Z","status":200}' % i for i in range(20)]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "calls.jsonl"
        path.write_bytes(b"\n".join(lines) + b"\n")
        chunk = next(scan_lines(path, with_data=True))
        pauses: list[int] = []
        columns = ColumnReader(source_for_kind("supermetrics")).read_chunk(chunk, 15, between=lambda: pauses.append(1))
    assert len(columns) == 15
    assert len(pauses) == len(filecolumns._blocks(chunk.lengths[:15].astype("int64"))) - 1 > 0


@pytest.mark.parametrize("kind", KINDS)
def test_chunks_read_as_one_hold_little_beyond_their_columns(tmp_path: Path, kind: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """What the child gathers from a segment's chunks (times' texts, each block's codes and
    durations) goes as each column is made from it, and the times are parsed with few temporaries:
    at its peak a segment took ~3 times its columns' arrays (Aitronos; Supermetrics ~2.1), against
    6.8 (4.7) with the times' parse into 64-bit pairs and all of it kept to the end."""
    monkeypatch.setattr(filecolumns, "DECODE_BYTES", 256 << 10)  # (as read: not a block a line)
    monkeypatch.setattr(filecolumns, "TIMES_EVERY_ROWS", 1 << 13)
    state = DemoState(aitronos_entries=6000 if kind == "aitronos" else 0,
                      supermetrics_entries=6000 if kind == "supermetrics" else 0, live_rate=0.0, seed=3)
    entries = state.aitronos_logs if kind == "aitronos" else state.supermetrics_logs
    path = tmp_path / "segment.jsonl"
    path.write_bytes(b"".join(json.dumps(entry).encode() + b"\n" for entry in entries))
    chunks = list(scan_lines(path, chunk_bytes=64 << 10, with_data=True))
    reader = ColumnReader(source_for_kind(kind))
    reader.read_chunks(chunks[:3])  # (the shapes learned, the times' templates made)
    tracemalloc.start()
    try:
        columns = reader.read_chunks(chunks[3:])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    arrays = sum(a.nbytes for a in (columns.time, columns.duration, columns.invalid, *columns.codes.values()))
    assert len(columns) > 5000 and peak < 4 * arrays
