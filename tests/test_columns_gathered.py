"""The viewer's reader makes the columns of an indexed file's chunks a segment at a time
(`columns_pass.GATHER_ROWS`, `ColumnReader.gather`), and a time text's date is worked out once a
run of one date (`stamps._days`): the same columns as reading each line, whatever the runs."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from logview.files import columns_pass, stamps
from logview.files.columns import ColumnChunk, ColumnReader
from logview.files.columns_pass import read_columns
from logview.files.jsonl import source_for_kind
from logview.files.stamps import StampTexts
from logview.times import epoch_us, parse_api_time
from test_split_read import assert_same, columns, index_of, write_file


@pytest.mark.parametrize("kind", ["aitronos", "supermetrics"])
def test_an_indexed_files_columns_come_a_segment_at_a_time(tmp_path, monkeypatch, kind):
    path = tmp_path / "logs.jsonl"
    count = write_file(path, kind, 1500)  # (with hostile lines among them)
    monkeypatch.setattr(ColumnReader, "chunk_bytes", 8 << 10)  # (a few dozen lines a chunk)
    monkeypatch.setattr(columns_pass, "GATHER_ROWS", 400)
    pauses = []
    found = list(read_columns(path, ColumnReader(source_for_kind(kind)), count, lambda: pauses.append(1),
                              spans=index_of(path)))
    sizes = [len(chunk) for chunk in found]
    assert sum(sizes) == count and len(sizes) == -(-count // 400) >= 4
    assert all(400 <= size < 500 for size in sizes[:-1])  # (each a whole number of chunks)
    assert len(pauses) > count // 60  # (the reader still stands back before each chunk and block)
    assert_same(ColumnChunk.join(found), columns(path, kind, count))  # (a scan's chunks, each its columns)


def test_dates_one_character_apart_in_runs_parse_exactly(monkeypatch):
    """Runs of dates that differ from the one before in a single character, at each of the 10 of
    YYYY-MM-DD (a century, a decade, a month's tens ...), some of them no date at all; the table of
    dates met kept small, so that it is filled afresh on the way."""
    monkeypatch.setattr(stamps, "DATES_MET_MOST", 3)
    start = datetime(2025, 11, 15, 11, 59, 54, tzinfo=timezone.utc)
    dates = ["2025-11-15"]
    for at in range(10):
        text = dates[-1]
        if text[at].isdigit():
            dates.append(text[:at] + str((int(text[at]) + 1) % 10) + text[at + 1:])
    dates += ["1925-11-15", "2025-11-15", "2025-02-29", "2024-02-29", "0000-01-01", "2025-13-01"]
    for millis in (False, True):
        texts = []
        for i, date in enumerate(dates):
            for row in range(5):
                moment = start + timedelta(seconds=row, milliseconds=137 * i)
                texts.append(date + moment.strftime("T%H:%M:%S") + (f".{moment.microsecond // 1000:03d}Z" if millis else "Z"))
        for _ in range(2):  # (the second time, dates met before)
            gathered = StampTexts()
            gathered.add(texts)
            micros, done = gathered.parse()
            for text, value, parsed in zip(texts, micros.tolist(), done.tolist()):
                expected = parse_api_time(text)
                assert parsed == (expected is not None), text
                if parsed:
                    assert value == epoch_us(expected), text
        assert 0 < np.count_nonzero(done) < len(texts)  # (dates and texts that are none)
