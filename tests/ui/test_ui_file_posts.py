"""A big file's filter columns reach the screen in posts of bounded size: the columns a child
read for the back of the file come much faster than the viewer's own reading, and posted in one
go they were held twice over (the chunks and their join) as the store took them, the peak of the
whole read. With the cap made small, every post of the child's columns stays within it, and the
counts are those of the file."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from logview.files import early, split_read
from logview.files.columns import ColumnChunk
from logview.files.jsonl import source_for_kind
from logview.files.lines import scan_lines
from logview.ui import file_reading
from logview.ui.feed import Feed
from test_ui_bigfile import status_in
from test_ui_file_reload import demo_entries, write_entries
from ui_helpers import SIZE, file_app, screen_text, wait_until

CAP = 1_500


async def test_a_childs_columns_come_in_posts_no_bigger_than_the_cap(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "logs.jsonl"
    entries = demo_entries(12_000, seed=8)
    write_entries(path, entries)
    monkeypatch.setattr(file_reading, "POST_COLUMNS_ROWS_AT_MOST", CAP)
    monkeypatch.setattr(split_read, "SPLIT_FROM_BYTES", 0)  # (a small file stands for a big one)
    monkeypatch.setattr(split_read, "CHILD_CHUNK_BYTES", 64 << 10)
    monkeypatch.setattr(split_read, "SEGMENT_ROWS", 200)  # (the child writes each segment as read)
    sizes: list[int] = []
    taken = Feed.on_feed_columns_read

    def recording(feed: Feed, message: Feed.ColumnsRead) -> None:
        sizes.append(message.rows)
        taken(feed, message)

    monkeypatch.setattr(Feed, "on_feed_columns_read", recording)
    early.begin(path, "supermetrics", with_child=True)
    app = file_app(path, max_entries=None)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.viewer.session.phase == "complete")
        assert sum(sizes) == len(entries)
        assert len(sizes) >= len(entries) // (CAP + 200)
        assert max(sizes) < CAP + 200  # (a post passes the cap by at most the segment that reached it)
        failed = sum(1 for entry in entries if status_in("supermetrics", entry.get("status"), "5xx"))
        await pilot.press("4")  # 5xx
        await wait_until(pilot, lambda: f"shown {failed:,} " in screen_text(app))


async def test_the_columns_reach_the_store_as_read_not_joined_into_a_copy(tmp_path: Path, monkeypatch) -> None:
    """A post of columns holds the chunks the reader made (the viewer's and the child's): joined,
    each post was copied whole while the reader held both, ~70 against ~40 ms of CPU to take a
    million rows into the store (Aitronos, in process). The counts are the file's."""
    path = tmp_path / "logs.jsonl"
    entries = demo_entries(12_000, seed=11)
    write_entries(path, entries)
    monkeypatch.setattr(file_reading, "POST_COLUMNS_ROWS_AT_MOST", CAP)
    monkeypatch.setattr(split_read, "SPLIT_FROM_BYTES", 0)
    monkeypatch.setattr(split_read, "CHILD_CHUNK_BYTES", 64 << 10)
    monkeypatch.setattr(split_read, "SEGMENT_ROWS", 200)
    joined: list[int] = []
    join = ColumnChunk.join.__func__

    def counted(cls: type[ColumnChunk], chunks: list[ColumnChunk]) -> ColumnChunk:
        joined.append(len(chunks))  # (in the viewer only: the child, forked before, joins its segments' parts)
        return join(cls, chunks)

    monkeypatch.setattr(ColumnChunk, "join", classmethod(counted))
    early.begin(path, "supermetrics", with_child=True)
    app = file_app(path, max_entries=None)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.viewer.session.phase == "complete")
        assert [n for n in joined if n > 1] == []
        failed = sum(1 for entry in entries if status_in("supermetrics", entry.get("status"), "5xx"))
        await pilot.press("4")  # 5xx
        await wait_until(pilot, lambda: f"shown {failed:,} " in screen_text(app))


def _slow_child(path, kind, claims, out, index_fd, notify_fd, *, done_fd) -> None:  # noqa: ANN001 - split_read._child's own
    """A child that finds the lines, then takes far longer than any test waits over the last
    segment's columns (as a starved child may)."""
    rows = sum(len(chunk.starts) for chunk in scan_lines(path))
    claims.claim_back((rows - 1) // claims.segment_rows)  # (the last segment, before the viewer can)
    split_read.write_index(path, index_fd, notify_fd)
    time.sleep(60)
    os._exit(1)


def test_a_reading_cancelled_while_the_child_reads_stops_at_once(tmp_path: Path, monkeypatch) -> None:
    """q or r once the viewer has read the front and waits for the child: the reading thread
    stops then (it was held until the child had read the whole back, the app gone from the
    screen but its process still there), and the child is stopped and reaped."""
    path = tmp_path / "logs.jsonl"
    write_entries(path, demo_entries(3_000, seed=9))
    monkeypatch.setattr(split_read, "SPLIT_FROM_BYTES", 0)
    monkeypatch.setattr(split_read, "_child", _slow_child)
    monkeypatch.setattr(split_read, "SEGMENT_ROWS", 500)  # (the viewer reads all segments but the last)
    early.begin(path, "supermetrics", with_child=True)
    started = early.started(path)
    assert started is not None and started.back is not None
    child = started.back.pid
    worker = SimpleNamespace(is_cancelled=False)
    reading: file_reading.FileReading

    def post(message: object) -> None:
        if isinstance(message, (Feed.LinesFound, Feed.ColumnsRead)):
            reading.received += 1
        if isinstance(message, Feed.LinesFound):  # (and drawn at once)
            reading.lines_shown()

    lines = list(scan_lines(path))  # (the index as the screen would hold it: the child's segments are its rows)
    starts, lengths = np.concatenate([c.starts for c in lines]), np.concatenate([c.lengths for c in lines])
    reading = file_reading.FileReading(path, source_for_kind("supermetrics"), generation=1, max_entries=None, post=post,
                                       spans=lambda lo, hi: (starts[lo:hi], lengths[lo:hi]))
    thread = threading.Thread(target=reading.run, args=(worker, lambda: None))
    try:
        assert reading.begin()
        thread.start()
        time.sleep(0.5)  # (the front of 3,000 lines is read in a few ms: the thread waits for the child)
        assert thread.is_alive()
        worker.is_cancelled = True
        thread.join(timeout=2)
        assert not thread.is_alive()
        with pytest.raises(ChildProcessError):  # stopped and reaped
            os.waitpid(child, os.WNOHANG)
    finally:
        try:
            os.kill(child, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if thread.ident is not None:
            thread.join(timeout=70)


def test_the_reading_waits_for_the_first_paint(tmp_path: Path) -> None:
    """The rest of the lines and the columns come once the screen has painted its first rows:
    a reader beside the UI thread's start-up would share the interpreter with it."""
    path = tmp_path / "logs.jsonl"
    write_entries(path, demo_entries(3_000, seed=10))
    painted = threading.Event()
    posts: list[object] = []
    worker = SimpleNamespace(is_cancelled=False)
    reading: file_reading.FileReading

    def post(message: object) -> None:
        posts.append(message)
        reading.received += 1  # (as the feed counts them)
        if isinstance(message, Feed.LinesFound):  # (and drawn at once)
            reading.lines_shown()

    reading = file_reading.FileReading(path, source_for_kind("supermetrics"), generation=1, max_entries=None,
                                       post=post, first_paint=painted)
    assert reading.begin() and reading.first_lines is not None
    thread = threading.Thread(target=reading.run, args=(worker, lambda: None))
    thread.start()
    try:
        time.sleep(0.3)
        assert posts == []  # nothing before the paint
        painted.set()
        thread.join(timeout=10)
        assert not thread.is_alive()
        assert any(isinstance(message, Feed.ColumnsRead) for message in posts)
        assert isinstance(posts[-1], Feed.Finished) and posts[-1].done.loaded == 3_000
    finally:
        worker.is_cancelled = True
        thread.join(timeout=5)


def test_without_a_paint_the_reading_goes_on_after_its_longest_wait(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "logs.jsonl"
    write_entries(path, demo_entries(500, seed=11))
    monkeypatch.setattr(file_reading, "FIRST_PAINT_WAIT_S", 0.2)
    posts: list[object] = []
    reading = file_reading.FileReading(path, source_for_kind("supermetrics"), generation=1, max_entries=None,
                                       post=posts.append, first_paint=threading.Event())
    assert reading.begin()
    started = time.monotonic()
    reading.run(SimpleNamespace(is_cancelled=False), lambda: None)
    assert time.monotonic() - started >= 0.2
    assert isinstance(posts[-1], Feed.Finished)


async def test_a_files_first_paint_shows_rows_and_the_rest_follows(tmp_path: Path) -> None:
    path = tmp_path / "logs.jsonl"
    entries = demo_entries(20_000, seed=12)
    write_entries(path, entries)
    app = file_app(path, max_entries=None)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: f"shown {len(entries):,} " in screen_text(app))  # (the status line)
        assert app.viewer.feed._painted.is_set()
        assert len(app.viewer.session.store) == len(entries)
