"""A file truncated while it is read (walk s20 #7): the reading (`ui/file_reading.py`, with the
child reading the back of the file, `files/split_read.py`) ends with the lines still whole in the
file, each counted once, whatever it was doing at the cut: never a crash, never rows past the cut
(they read back as nothing) counted as what they had been."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import numpy as np
import pytest

from logview.files import early
from logview.files.columns import ColumnChunk
from logview.files.jsonl import source_for_kind
from logview.files.lines import LineChunk, scan_lines
from logview.files.split_read import BackReader
from logview.files.watch import FileWatch
from logview.ui import file_reading
from logview.ui.feed_messages import ColumnsRead, Failed, Finished, LinesFound, Noticed
from logview.ui.file_reading import FileReading, lines_within
from test_split_read import (  # noqa: F401 - `small_chunks`: several segments on each side
    columns, segments_of, small_chunks, wait_for_child, write_file)

KIND = "supermetrics"


class Worker:
    is_cancelled = False


class Screen:
    """What the UI thread takes of a reading's posts: its lines (the store's offsets, `spans`)
    and columns, and the words and the end it is told."""

    def __init__(self) -> None:
        self.lines: list[LineChunk] = []
        self.columns: list[ColumnChunk] = []
        self.notices: list[str] = []
        self.finished: Finished | None = None
        self.failed: list[Failed] = []
        self.reading: FileReading | None = None

    def post(self, message) -> None:  # noqa: ANN001 - taken at once, as the UI thread does
        if isinstance(message, LinesFound):
            self.lines.append(message.chunk)
        elif isinstance(message, ColumnsRead):
            self.columns.extend(message.chunks)
        elif isinstance(message, Noticed):
            self.notices.append(message.notice.message)
        elif isinstance(message, Finished):
            self.finished = message
        elif isinstance(message, Failed):
            self.failed.append(message)
        if isinstance(message, (LinesFound, ColumnsRead)):
            assert self.reading is not None
            self.reading.received += 1
        if isinstance(message, LinesFound):  # (and drawn at once: the columns are read after)
            self.reading.lines_shown()

    def spans(self, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        joined = LineChunk.join(self.lines)
        return joined.starts[lo:hi].astype(np.int64), joined.lengths[lo:hi].copy()

    def rows_kept(self) -> int:
        """The rows the store keeps at the end (`Feed.on_feed_finished`)."""
        assert self.finished is not None
        found = sum(len(chunk.starts) for chunk in self.lines)
        return found if self.finished.lines is None else min(found, self.finished.lines)


def whole_lines(path: Path, size: int) -> int:
    """How many of `path`'s lines (as indexed: not the blank ones) end within its first `size` bytes."""
    chunk = LineChunk.join(list(scan_lines(path)))
    return int(np.count_nonzero(chunk.starts + chunk.lengths <= size))


def read_with_the_child(path: Path, screen: Screen, *, child_segments_left: int | None = None,
                        pause=lambda: None) -> FileReading:  # noqa: ANN001
    """`path` read as `logview --file` reads it: a child started on it from the command line,
    the viewer's reading taking it over (once the child has claimed all but `child_segments_left`)."""
    early.begin(path, KIND, with_child=True)
    started = early.started(path)
    assert started is not None and started.back is not None
    reading = FileReading(path, source_for_kind(KIND), generation=1, max_entries=None, post=screen.post,
                          spans=screen.spans, watch=FileWatch(path))
    screen.reading = reading
    reading.watch.read()
    assert reading.begin()
    screen.lines.append(reading.first_lines)
    if child_segments_left is not None:
        count = path.read_bytes().count(b"\n")
        wait_for_child(started.back, child_segments_left, count)
    reading.run(Worker(), pause)  # type: ignore[arg-type]
    return reading


def cut(path: Path, size: int) -> None:
    with path.open("r+b") as same_file:  # (in place, as `truncate -s` does: the same inode)
        same_file.truncate(size)


def assert_kept_rows_read_as_the_file_now_holds_them(path: Path, screen: Screen, kept: int) -> None:
    assert not screen.failed
    read = ColumnChunk.join(screen.columns)
    assert len(read) >= kept  # (every row kept has its columns: none left 'counting … to go')
    if not kept:
        return
    fresh = columns(path, KIND, kept)  # the lines still in the file, read afresh
    assert np.array_equal(read.time[:kept], fresh.time)
    assert np.array_equal(read.invalid[:kept], fresh.invalid)
    assert np.array_equal(read.duration[:kept], fresh.duration, equal_nan=True)


@pytest.mark.parametrize("where", ["start", "middle", "meeting"])
@pytest.mark.parametrize("at", [0, 0.2, 0.5])  # (of the file's bytes: emptied, or cut in a line)
def test_a_file_truncated_while_its_fields_are_read_keeps_the_lines_still_whole_in_it(
        tmp_path, monkeypatch, where, at) -> None:
    path = tmp_path / "logs.jsonl"
    count = write_file(path, KIND, 6_000)
    size = int(path.stat().st_size * at)
    size += 0 if not size else 7  # (a few bytes into a line: that torn line is not kept)
    expected = whole_lines(path, size)
    screen = Screen()
    child_segments_left = None
    pause = lambda: None  # noqa: E731
    if where == "start":  # before any field is read, every line indexed
        real = file_reading.read_columns
        monkeypatch.setattr(file_reading, "read_columns", lambda path, *a, **k: cut(path, size) or real(path, *a, **k))
    elif where == "middle":  # the child has read the back half (those lines recorded whole), the viewer its first chunks
        child_segments_left = segments_of(count) // 2
        calls = iter(range(1 << 30))  # (at the viewer's first pause: a later one may never come on a loaded
        pause = lambda: next(calls) == 0 and cut(path, size)  # noqa: E731  machine, the child having read on to meet it)
    else:  # as the viewer meets the child (once it has claimed a segment: a child starved of a core on a loaded
        # machine, claiming none before the viewer read every line, made no meeting and no cut, CI of b8d6dd8)
        child_segments_left = segments_of(count) - 1
        met = BackReader.met
        monkeypatch.setattr(BackReader, "met", lambda back, row_s: cut(path, size) or met(back, row_s))
    reading = read_with_the_child(path, screen, child_segments_left=child_segments_left, pause=pause)
    assert path.stat().st_size == size  # (the cut was made while the file was read)
    assert screen.finished is not None and screen.rows_kept() == expected < count
    assert reading.load.found == expected and screen.finished.done.loaded == expected
    assert_kept_rows_read_as_the_file_now_holds_them(path, screen, expected)
    assert screen.notices == [f"logs.jsonl was truncated on disk while it was read: its {count - expected:,} "
                              "entries past the cut are left out — r reads it again"]
    assert reading.watch.news() is None  # (said once: the watch measures from the cut)


def test_a_file_truncated_after_it_was_read_keeps_its_rows_and_the_watch_says_it_is_shorter(tmp_path) -> None:
    path = tmp_path / "logs.jsonl"
    count = write_file(path, KIND, 6_000)
    screen = Screen()
    reading = read_with_the_child(path, screen)
    assert screen.finished is not None and screen.finished.lines is None and screen.rows_kept() == count
    assert_kept_rows_read_as_the_file_now_holds_them(path, screen, count)
    assert not screen.notices
    cut(path, path.stat().st_size // 2)
    assert reading.watch.news() == ("logs.jsonl changed on disk since it was read (shorter now): the rows shown "
                                    "may no longer match it — r reads it again")


def test_a_child_killed_as_the_file_is_truncated_leaves_the_viewer_the_lines_still_there(tmp_path, monkeypatch):
    path = tmp_path / "logs.jsonl"
    count = write_file(path, KIND, 6_000)
    size = path.stat().st_size // 3 + 5
    expected = whole_lines(path, size)
    real = file_reading.read_columns

    def truncated_and_child_killed(path, reader, found, pause, back, **kwargs):  # noqa: ANN001, ANN202
        cut(path, size)
        os.kill(back.pid, signal.SIGKILL)
        time.sleep(0.1)
        return real(path, reader, found, pause, back, **kwargs)

    monkeypatch.setattr(file_reading, "read_columns", truncated_and_child_killed)
    screen = Screen()
    read_with_the_child(path, screen)
    assert screen.rows_kept() == expected
    assert_kept_rows_read_as_the_file_now_holds_them(path, screen, expected)


def test_the_lines_within_a_size_are_found_by_their_ends():
    starts, lengths = np.array([0, 10, 25, 40]), np.array([9, 14, 14, 3])  # ends 9, 24, 39, 43

    def spans(lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        return starts[lo:hi], lengths[lo:hi]

    assert [lines_within(spans, 4, size) for size in (0, 8, 9, 24, 38, 39, 43, 100)] == [0, 0, 1, 2, 2, 3, 4, 4]
    assert lines_within(spans, 2, 100) == 2  # (no more than the lines counted)
