"""A file store's narrow columns never overflow: line offsets take 4 bytes only while they fit
(chosen from the file's size, widened when a file grows past it), and code columns widen past
65,535 distinct values. Every answer stays exact."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import orjson

from logview.files.columns import ColumnReader
from logview.files.lines import LineChunk, LineFile, scan_lines
from logview.model import Filters
from logview.sources import SupermetricsSource
from logview.store import EntryStore, FilteredView
from logview.store.file_rows import NARROW_OFFSETS_BELOW

SM = SupermetricsSource(1, "C1")


def _line(i: int, event: str = "data.fetch") -> bytes:
    return orjson.dumps({"id": f"sm_{i}", "log_time": "2025-11-15T12:00:00Z", "status": 200 + i % 3,
                         "event": event, "request": "GET /x", "duration_ms": i})


def _sparse_file(path: Path, size: int, lines: dict[int, bytes]) -> None:
    """A file of `size` bytes (a hole, taking no disk) with `lines` written at their offsets."""
    with open(path, "wb") as handle:
        handle.truncate(size)
        for offset, line in lines.items():
            handle.seek(offset)
            handle.write(line + b"\n")


def test_offsets_beyond_4_gib_are_exact_in_a_file_that_large(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    far = [0, (4 << 30) + 12345, (5 << 30) + 7]
    _sparse_file(path, (5 << 30) + 4096, {offset: _line(i) for i, offset in enumerate(far)})
    store = EntryStore(SM, lines=LineFile(path))
    assert store.cols["start"].dtype == np.int64  # chosen from the file's size
    lengths = np.array([len(_line(i)) for i in range(3)], dtype=np.int32)
    store.append_lines(LineChunk(np.array(far, dtype=np.int64), lengths, os.path.getsize(path), os.path.getsize(path)))
    assert store.line_span(0, 3)[0].tolist() == far
    assert [store.line(i) for i in range(3)] == [_line(i) for i in range(3)]
    store.close()


def test_a_small_file_that_grows_past_the_narrow_offsets_widens_them(tmp_path: Path) -> None:
    path = tmp_path / "grown.jsonl"
    path.write_bytes(b"\n".join(_line(i) for i in range(3)) + b"\n")
    store = EntryStore(SM, lines=LineFile(path))
    assert store.cols["start"].itemsize == 4  # a small file: 4 bytes a row
    for chunk in scan_lines(path):
        store.append_lines(chunk)
    near = store.line_span(0, 3)[0].tolist()
    # the file grows past 2 GiB while it is read: lines at and beyond the narrow limit
    far = [NARROW_OFFSETS_BELOW - 1 - len(_line(3)), NARROW_OFFSETS_BELOW + 5, (4 << 30) + 99]
    _sparse_file(path, (4 << 30) + 4096, {0: path.read_bytes()[:-1],
                                           **{offset: _line(3 + i) for i, offset in enumerate(far)}})
    store.lines.reopen()
    lengths = np.array([len(_line(3 + i)) for i in range(3)], dtype=np.int32)
    size = os.path.getsize(path)
    store.append_lines(LineChunk(np.array(far[:1], dtype=np.int64), lengths[:1], size, size))
    assert store.cols["start"].itemsize == 4  # the last offset below the limit still fits
    store.append_lines(LineChunk(np.array(far[1:], dtype=np.int64), lengths[1:], size, size))
    assert store.line_span(0, 6)[0].tolist() == near + far  # nothing wrapped around
    assert [store.line(i) for i in range(6)] == [_line(i) for i in range(6)]
    store.close()


def test_more_than_65535_distinct_values_keep_filters_and_counts_exact(tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl"
    n = 70_000
    path.write_bytes(b"\n".join(_line(i, event=f"event.{i}") for i in range(n)) + b"\n")
    store = EntryStore(SM, lines=LineFile(path))
    reader = ColumnReader(SM)
    for chunk in scan_lines(path, with_data=True):
        store.append_lines(chunk)
        store.fill_columns(reader.read_chunk(chunk))
    for i in (0, 65_535, 65_536, n - 1):
        view = FilteredView(store, Filters(event=f"event.{i}"))
        assert view.index.tolist() == [i]
        assert store.entry(view.ordinal(0)).raw["event"] == f"event.{i}"
    everything = FilteredView(store, Filters())
    assert len(everything) == n and everything.index.tolist() == list(range(n))
    assert store.status_counts() == {200: (n + 2) // 3, 201: (n + 1) // 3, 202: n // 3}
    store.close()


def test_the_ordinals_of_a_files_rows_as_they_are_found_take_four_bytes(tmp_path: Path) -> None:
    """A file's rows, selected as their lines are found (no filter can be decided yet), are
    numbered in 4 bytes each: the index made for a million lines is 4 MB, not 8; a store in memory
    keeps 8 (a live tail numbers its rows down from 0). The same rows either way."""
    path = tmp_path / "rows.jsonl"
    path.write_bytes(b"".join(_line(i) + b"\n" for i in range(500)))
    store = EntryStore(SM, lines=LineFile(path))
    for chunk in scan_lines(path):
        store.append_lines(chunk)
    selection = store.select(Filters())
    assert selection.index.dtype == np.int32 and selection.index.tolist() == list(range(500))
    assert store.select(Filters(), lo=100, hi=150).index.tolist() == list(range(100, 150))
    view = FilteredView(store, Filters())
    assert len(view) == 500 and view.index.dtype == np.int32
    store.close()
    memory = EntryStore(SM)
    assert memory.select(Filters()).index.dtype == np.int64
