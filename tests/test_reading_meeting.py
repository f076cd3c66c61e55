"""The viewer's reading as it meets the child (`files/columns_pass.py`, `ui/file_reading.py`): what
it read since its last post goes to the store before it waits for the child's last segment, and a
reader waiting for the UI thread to take a post is woken as it is taken, not at its next look."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np

from logview.files.columns import FIELDS, ColumnChunk
from logview.files.jsonl import source_for_kind
from logview.files.split_read import BackReader, fork_back_reader
from logview.ui import file_reading
from logview.ui.feed_messages import ColumnsRead
from logview.ui.file_reading import FileReading
from test_split_read import (  # noqa: F401 - `small_chunks`: several segments on each side
    assert_same, columns, index_of, segments_of, small_chunks, wait_for_child, write_file)


class Worker:
    is_cancelled = False


def rows(count: int) -> ColumnChunk:
    return ColumnChunk(time=np.zeros(count, np.int64), codes={name: np.zeros(count, np.int32) for name in FIELDS},
                       duration=np.zeros(count), invalid=np.zeros(count, bool))


def test_the_viewer_says_it_has_met_the_child_before_it_waits_for_it(tmp_path, monkeypatch):
    path = tmp_path / "logs.jsonl"
    count = write_file(path, "supermetrics")
    back = fork_back_reader(path, "supermetrics")
    assert back is not None
    wait_for_child(back, segments_of(count) // 2, count)  # (the child has the back half)
    events: list[str] = []
    waited = BackReader.columns
    monkeypatch.setattr(BackReader, "columns", lambda back, wanted: events.append("wait") or waited(back, wanted))
    from logview.files.columns_pass import read_columns
    from logview.files.columns import ColumnReader

    found = []
    for chunk in read_columns(path, ColumnReader(source_for_kind("supermetrics")), count, lambda: None, back,
                              spans=index_of(path), met=lambda: events.append(f"met after {sum(map(len, found))}")):
        found.append(chunk)
    assert len(events) == 2 and events[1] == "wait"
    read_by_the_viewer = int(events[0].split()[-1])
    assert 0 <= read_by_the_viewer < count  # (the child, still reading, may have claimed every segment)
    assert_same(ColumnChunk.join(found), columns(path, "supermetrics", count))


def test_what_the_viewer_read_since_its_last_post_is_posted_at_the_meeting(monkeypatch):
    posts: list[list[int]] = []

    def read(*args, met, **kwargs):  # noqa: ANN001, ANN202 - the viewer's 3 chunks, the meeting, the child's 2
        yield from (rows(10), rows(20), rows(30))
        met()
        yield from (rows(40), rows(50))

    monkeypatch.setattr(file_reading, "read_columns", read)

    def post(message) -> None:  # noqa: ANN001 - taken by the UI thread at once
        if isinstance(message, ColumnsRead):
            posts.append([len(chunk) for chunk in message.chunks])
            reading.received += 1

    reading = FileReading(Path("unused"), source_for_kind("supermetrics"), generation=1, max_entries=None, post=post)
    reading.load.found = 150
    reading._read_columns(Worker(), lambda: None)  # type: ignore[arg-type]
    assert posts == [[10, 20, 30], [40, 50]]


def test_a_reader_waiting_for_its_post_to_be_taken_is_woken_as_it_is_taken(monkeypatch):
    monkeypatch.setattr(file_reading, "RECEIVED_POLL_S", 60.0)
    reading = FileReading(Path("unused"), source_for_kind("supermetrics"), generation=1, max_entries=None,
                          post=lambda message: None)
    reading.posted = 1
    began = time.monotonic()
    threading.Timer(0.05, lambda: setattr(reading, "received", 1)).start()
    reading._wait_until_received(Worker())  # type: ignore[arg-type]
    assert time.monotonic() - began < 20.0  # (woken, not at its next look 60 s on: a loaded machine has room)
