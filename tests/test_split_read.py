"""A big file's columns read on both cores (`files/split_read.py`, `files/columns_pass.py`): a
child process reads segments from the back of the file, the viewer's thread from the front, until
they meet, and the result is what one reader reading the whole file gives — the same columns and
the same codes in the same order — wherever they meet, whatever the lines hold. A child that
fails, or that saw another number of lines, only means the viewer reads those segments itself."""

from __future__ import annotations

import json
import os
import signal
import time
import weakref
from pathlib import Path

import numpy as np
import pytest

from logview.demo import DemoState
from logview.files import back_columns, child_index, columns_pass, recoder, split_read
from logview.files.columns import ColumnChunk, ColumnReader
from logview.files.columns_pass import Spans, read_columns
from logview.files.jsonl import source_for_kind
from logview.files.lines import LineChunk, scan_lines
from logview.files import early
from logview.files.back_columns import BackColumns
from logview.files.split_read import BackReader, Claims, fork_back_reader

HOSTILE = [b'{"id": "x", "log_time": 5, "status": "200"}', b"not json at all", b"   ",
           '{"id":"é","log_time":"2025-11-15T12:00:00Z","status":503,"event":"ü"}'.encode(),
           b'{"id": "s", "created_at": "2025-11-15T12:00:00Z", "status": "error", "error": {"code": "E"}}',
           b'{"id": "big", "status": 123456789012345678901234567890}', b"[1, 2]"]


def write_file(path: Path, kind: str, count: int = 3000) -> int:
    """A file of demo entries with hostile lines among them; returns how many lines it has."""
    state = DemoState(aitronos_entries=count if kind == "aitronos" else 0,
                      supermetrics_entries=count if kind == "supermetrics" else 0, live_rate=0.0, seed=7)
    entries = state.aitronos_logs if kind == "aitronos" else state.supermetrics_logs
    lines = [json.dumps(entry).encode() for entry in entries]
    for i, bad in enumerate(HOSTILE):
        lines.insert((i + 1) * len(lines) // (len(HOSTILE) + 1), bad)
    path.write_bytes(b"\n".join(lines) + b"\n")
    return sum(len(c.starts) for c in scan_lines(path))


def columns(path: Path, kind: str, count: int, back: BackReader | None = None, spans: Spans | None = None
            ) -> ColumnChunk:
    return ColumnChunk.join(list(read_columns(path, ColumnReader(source_for_kind(kind)), count, lambda: None, back,
                                              spans=spans)))


def index_of(path: Path) -> Spans:
    """The file's line index as the viewer's store holds it: rows [lo, hi) → offsets, lengths."""
    chunks = list(scan_lines(path))
    starts = np.concatenate([c.starts for c in chunks]).astype(np.uint32)
    lengths = np.concatenate([c.lengths for c in chunks])
    return lambda lo, hi: (starts[lo:hi].astype(np.int64), lengths[lo:hi].copy())


def assert_same(a: ColumnChunk, b: ColumnChunk) -> None:
    assert len(a) == len(b)
    assert np.array_equal(a.time, b.time) and np.array_equal(a.invalid, b.invalid)
    assert np.array_equal(a.duration, b.duration, equal_nan=True)
    assert a.codes.keys() == b.codes.keys()
    for name in a.codes:
        assert np.array_equal(a.codes[name], b.codes[name]), name
    assert a.new_values == b.new_values


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ColumnReader, "chunk_bytes", 64 << 10)  # several chunks on each side
    monkeypatch.setattr(split_read, "CHILD_CHUNK_BYTES", 64 << 10)  # … read by the child, and written
    monkeypatch.setattr(split_read, "SEGMENT_ROWS", 500)  # several segments on each side
    monkeypatch.setattr(split_read, "SPLIT_FROM_BYTES", 0)


def segments_of(count: int) -> int:
    return -(-count // split_read.SEGMENT_ROWS)


def child_claims(back: BackReader) -> int:
    """The first segment the child has claimed (a large number before its first claim)."""
    return back._claims._marks[1]


def wait_for_child(back: BackReader, segments_left: int, count: int) -> None:
    """Until the child has claimed all but the first `segments_left` segments (or ended)."""
    deadline = time.monotonic() + 20
    while child_claims(back) > segments_left and not back._ended() and time.monotonic() < deadline:
        time.sleep(0.001)


def read_by_the_child(path: Path, kind: str, count: int) -> tuple[BackReader, BackColumns]:
    """A child that read every segment of `path`, once it has ended, and its columns."""
    back = BackReader(path, kind)
    wait_for_child(back, 0, count)
    while not back._ended():
        time.sleep(0.01)
    found = back.columns()
    assert found is not None
    return back, found


@pytest.mark.parametrize("kind", ["aitronos", "supermetrics"])
@pytest.mark.parametrize("viewer_from", ["the start", "half", "the end"])
def test_front_and_back_together_are_one_reader_reading_the_whole_file(tmp_path, kind, viewer_from, monkeypatch):
    """The viewer begins at once, once the child has claimed half the segments, or once it has
    read them all: the two meet wherever that puts them, read from the offsets of the index
    (hostile lines, a blank one and Windows line ends among them)."""
    path = tmp_path / "logs.jsonl"
    count = write_file(path, kind)
    path.write_bytes(path.read_bytes().replace(b"}\n", b"}\r\n", 40).replace(b"\n", b"\n\n", 3))
    recoded: list[int] = []
    recode = recoder.Recoder.recode
    monkeypatch.setattr(recoder.Recoder, "recode", lambda self, chunk: recoded.append(len(chunk)) or recode(self, chunk))
    back = BackReader(path, kind)
    wait_for_child(back, {"the start": 1 << 40, "half": segments_of(count) // 2, "the end": 0}[viewer_from], count)
    assert_same(columns(path, kind, count, back, spans=index_of(path)), columns(path, kind, count))
    if viewer_from == "the end":  # (the child's segments were taken, none read again)
        assert len(recoded) == segments_of(count) and sum(recoded) == count
    elif viewer_from == "half":
        assert len(recoded) >= segments_of(count) // 2


def test_the_child_codes_each_value_once_for_all_its_segments(tmp_path):
    """One reader for all the child's segments (a reader each coded every segment's values again,
    the slow way): its table holds each event once, in the order it met them, from the back; the
    viewer gives each its code where the file first holds it (the test above)."""
    path = tmp_path / "logs.jsonl"
    count = write_file(path, "supermetrics")
    back, found = read_by_the_child(path, "supermetrics", count)
    assert len(found.segments) == segments_of(count)
    rows = [line for line in path.read_bytes().splitlines() if line.strip()]
    size = split_read.SEGMENT_ROWS
    as_met = [line for lo in range((len(rows) - 1) // size * size, -1, -size) for line in rows[lo:lo + size]]
    events = [json.loads(line).get("event") for line in as_met if line[:1] == b"{"]
    met = list(dict.fromkeys(event for event in events if type(event) is str))
    assert found.values["event"] == [None, *met]
    back.close()


def test_the_viewer_keeps_its_freed_heap_from_one_segment_to_the_next(tmp_path, monkeypatch):
    """Given back to the system after each segment, the heap's pages were faulted in again by the
    next segment's temporaries (~3 MiB of them, its times' numpy work above all): 13% more of the
    viewer's reading CPU (Supermetrics) for no lower peak. It goes back once the viewer meets the
    child (below) and when the read ends."""
    path = tmp_path / "logs.jsonl"
    count = write_file(path, "supermetrics")
    released: list[int] = []
    monkeypatch.setattr(columns_pass, "release_free_memory", lambda: released.append(1) or True)
    monkeypatch.setattr(split_read, "_child", lambda *args: os._exit(1))  # (claims none: the viewer reads all)
    back = BackReader(path, "supermetrics")
    assert_same(columns(path, "supermetrics", count, back, spans=index_of(path)), columns(path, "supermetrics", count))
    assert released == []


def test_lines_read_where_the_index_has_them_are_the_lines_a_scan_finds(tmp_path):
    path = tmp_path / "logs.jsonl"
    count = write_file(path, "aitronos")
    path.write_bytes(path.read_bytes().replace(b"}\n", b"}\r\n", 40).replace(b"\n", b"\n\n", 3))
    assert_same(columns(path, "aitronos", count, spans=index_of(path)), columns(path, "aitronos", count))


def test_an_indexed_file_cut_short_since_gives_the_lines_still_there(tmp_path):
    path = tmp_path / "logs.jsonl"
    count = write_file(path, "supermetrics")
    spans = index_of(path)
    data = path.read_bytes()
    path.write_bytes(data[:data.index(b"\n", len(data) // 2)])  # (truncated after it was indexed, at a line's end)
    found = columns(path, "supermetrics", count, spans=spans)
    assert len(found) == sum(len(c.starts) for c in scan_lines(path)) < count  # (not a chunk's worth fewer)
    assert_same(found, columns(path, "supermetrics", len(found)))


def test_the_two_sides_claim_each_segment_once_until_they_meet():
    claims = Claims(100)
    assert [claims.claim_front(segment) for segment in range(3)] == [True] * 3
    assert [claims.claim_back(segment) for segment in range(9, 2, -1)] == [True] * 7
    assert not claims.claim_front(3) and not claims.claim_back(2)  # (3 is the child's, 2 the viewer's)


def slow_child(path: Path, monkeypatch: pytest.MonkeyPatch) -> BackReader:
    """A child (of a Supermetrics file) that takes 0.5 s a segment, once it has claimed its first
    (the last segment)."""
    real = split_read.indexed_chunks

    def slow(*args, **kwargs):  # (only the child reads through split_read's own name)
        time.sleep(0.5)
        return real(*args, **kwargs)

    monkeypatch.setattr(split_read, "indexed_chunks", slow)
    back = BackReader(path, "supermetrics")
    wait_for_child(back, segments_of(sum(len(c.starts) for c in scan_lines(path))) - 1, 0)
    return back


def test_a_slow_child_leaves_the_viewer_reading_on(tmp_path, monkeypatch):
    """A child starved by other work (niced, it gets a core last) reads one segment while the
    viewer reads all the others: the viewer waits for it only as long as that one takes, not for
    a share fixed in advance."""
    path = tmp_path / "logs.jsonl"
    count = write_file(path, "supermetrics", 6000)
    back = slow_child(path, monkeypatch)
    began = time.monotonic()
    found = columns(path, "supermetrics", count, back, spans=index_of(path))
    # (the child's fixed share, 5/8 of the lines, slept ~4 s here: 3 s leaves a loaded machine room)
    assert time.monotonic() - began < 3.0
    assert_same(found, columns(path, "supermetrics", count))
    assert child_claims(back) >= segments_of(count) - 2


def test_the_viewer_takes_the_childs_columns_as_soon_as_it_ends(tmp_path, monkeypatch):
    """The viewer that has met the child waits for the segment the child is reading: it takes
    the columns as the child ends, not at its next look (each look also asks whether the viewer
    still wants them)."""
    path = tmp_path / "logs.jsonl"
    count = write_file(path, "supermetrics")
    monkeypatch.setattr(split_read, "CHILD_POLL_S", 60.0)
    back = slow_child(path, monkeypatch)
    back._claims._marks[0] = segments_of(count) - 1  # (the viewer has read all the others)
    began = time.monotonic()
    found = back.columns()
    assert found is not None and list(found.segments) == [segments_of(count) - 1]
    assert time.monotonic() - began < 20  # (~0.5 s: the rest of its segment; its next look: 60 s on)
    back.close()


def test_a_child_that_fails_leaves_the_back_to_the_viewer(tmp_path):
    path = tmp_path / "logs.jsonl"
    count = write_file(path, "supermetrics")
    back = BackReader(path, "supermetrics")
    os.kill(back.pid, signal.SIGKILL)  # (as if it had crashed, or run out of memory)
    time.sleep(0.2)  # gone before it is let go: the viewer's word to start finds no one to read it
    assert_same(columns(path, "supermetrics", count, back, spans=index_of(path)), columns(path, "supermetrics", count))


def test_a_child_that_saw_other_lines_than_the_index_leaves_the_back_to_the_viewer(tmp_path):
    path = tmp_path / "logs.jsonl"
    count = write_file(path, "aitronos")
    spans = index_of(path)
    with path.open("ab") as handle:  # lines written after the viewer indexed the file
        handle.write(b'{"id": "late"}\n' * 5)
    back = BackReader(path, "aitronos")
    wait_for_child(back, 0, count)
    found = columns(path, "aitronos", count, back, spans=spans)
    assert len(found) == count
    assert_same(found, columns(path, "aitronos", count))


def test_the_child_s_columns_are_taken_as_it_says_it_is_done_not_as_its_process_ends(tmp_path, monkeypatch):
    """The child's process is slow to end after its last segment (niced, its memory let go on a
    busy machine: up to 40 ms): the viewer takes its columns once it says it has read all it
    could claim, and the process is reaped aside."""
    path = tmp_path / "logs.jsonl"
    count = write_file(path, "supermetrics")
    real_child = split_read._child

    def slow_to_end(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        code = real_child(*args, **kwargs)
        time.sleep(30)  # (its process lingers after its last segment)
        return code

    monkeypatch.setattr(split_read, "_child", slow_to_end)
    back = BackReader(path, "supermetrics")
    try:
        wait_for_child(back, 0, count)  # (every segment claimed: the viewer takes them all)
        began = time.monotonic()
        found = columns(path, "supermetrics", count, back, spans=index_of(path))
        assert time.monotonic() - began < 10
        assert_same(found, columns(path, "supermetrics", count))
        assert os.waitid(os.P_PID, back.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None  # (still there)
    finally:
        os.kill(back.pid, signal.SIGKILL)
    if back._reaper is not None:
        back._reaper.join(timeout=10)
    with pytest.raises(ChildProcessError):
        os.waitpid(back.pid, os.WNOHANG)  # reaped aside: no process left behind


def test_stopping_early_stops_the_child(tmp_path):
    path = tmp_path / "logs.jsonl"
    count = write_file(path, "supermetrics", 20_000)
    back = BackReader(path, "supermetrics")
    read = read_columns(path, ColumnReader(source_for_kind("supermetrics")), count, lambda: None, back,
                        spans=index_of(path))
    next(read)
    read.close()  # a reload or quit while reading
    with pytest.raises(ChildProcessError):
        os.waitpid(back.pid, os.WNOHANG)  # reaped: no process left behind, not even a zombie
    assert back.columns() is None


def test_started_once_per_path_and_taken_once(tmp_path):
    path = tmp_path / "logs.jsonl"
    write_file(path, "supermetrics")
    early.begin(path, "supermetrics", with_child=True)
    first = early.started(path)
    assert first is not None and first.back is not None
    early.begin(path, "supermetrics", with_child=True)
    assert early.started(path) is first  # (no second child)
    taken = early.take(path)
    assert taken.back is first.back and early.take(path).back is None
    list(taken.chunks)
    taken.back.close()


def joined(chunks) -> tuple[np.ndarray, np.ndarray, int, int]:
    chunks = list(chunks)
    return (np.concatenate([c.starts for c in chunks]), np.concatenate([c.lengths for c in chunks]),
            chunks[-1].scanned, chunks[-1].size)


def assert_same_lines(found, expected) -> None:
    a, b = joined(found), joined(expected)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1]) and a[2:] == b[2:]


def test_the_child_finds_the_lines_as_a_scan_does_and_all_it_said_is_taken_at_once(tmp_path):
    """The viewer's index of a big file is the child's: the lines of a scan of it in the child's
    reads, found before the child reads any columns, its first chunk taken alone (the first
    screen), then all the child has said since in one read, as one chunk (a million lines were 104
    records loaded and joined one at a time: 17–21 ms of the interpreter's time, beside the UI
    thread). Each read is at most CHILD_SCAN_BYTES: the child's buffers, held through the scan,
    are a quarter of the viewer's (16 MiB at 8 MiB reads)."""
    path = tmp_path / "logs.jsonl"
    write_file(path, "supermetrics", 20_000)
    assert path.stat().st_size > 2 * child_index.CHILD_SCAN_BYTES
    back = BackReader(path, "supermetrics")
    expected = list(scan_lines(path, chunk_bytes=child_index.CHILD_SCAN_BYTES))
    assert len(expected) >= 3
    assert max(b.scanned - a.scanned for a, b in zip(expected, expected[1:])) <= child_index.CHILD_SCAN_BYTES
    assert back.columns() is not None  # (the columns of the back, without waiting to be told: the index said whole by then)
    first, *rest = back.index.chunks()
    assert np.array_equal(first.starts, expected[0].starts) and np.array_equal(first.lengths, expected[0].lengths)
    assert (first.scanned, first.size) == (expected[0].scanned, expected[0].size)
    assert len(rest) == 1
    assert_same_lines(rest, expected[1:])
    assert np.array_equal(np.concatenate([first.starts, rest[0].starts]),
                          np.concatenate([c.starts for c in scan_lines(path)]))  # (the same lines as the viewer's scan)
    back.close()


def test_the_childs_records_hold_any_chunk_a_scan_finds(tmp_path):
    """A record of no lines (a stretch of the file inside one long line) and records read past
    what one `preadv` takes come back as the scan found them."""
    path = tmp_path / "logs.jsonl"
    path.write_bytes(b'{"a":1}\n{"b":"' + b"x" * (5 << 20) + b'"}\n\n{"c":3}\n')
    chunks = [*scan_lines(path, chunk_bytes=1 << 20), LineChunk(np.empty(0, np.int64), np.empty(0, np.int32), 9, 9)]
    assert 0 in [len(chunk.starts) for chunk in chunks]
    chunks *= 1 + 2 * child_index.RECORDS_A_READ // len(chunks)
    index = tmp_path / "index"
    with open(index, "wb") as out, open(os.devnull, "wb") as notify:
        lengths = [child_index.send_chunk(out, notify, chunk) for chunk in chunks]
    fd = os.open(index, os.O_RDONLY)
    try:
        assert_same_lines([child_index._records(fd, lengths, 0)], chunks)
        assert child_index._records(fd, lengths + [lengths[0]], 0) is None  # (the file ends before the last)
    finally:
        os.close(fd)


def test_a_child_that_stops_mid_index_leaves_the_rest_of_the_scan_to_the_viewer(tmp_path, monkeypatch):
    path = tmp_path / "logs.jsonl"
    write_file(path, "aitronos", 20_000)

    def one_chunk_then_die(path: Path, out_fd: int, notify_fd: int) -> None:  # (runs in the child)
        from logview.files import child_index

        with open(out_fd, "wb", closefd=False) as out, open(notify_fd, "wb", closefd=False) as notify:
            for n, chunk in enumerate(scan_lines(path)):
                if n == 1:
                    os._exit(1)
                child_index.send_chunk(out, notify, chunk)

    monkeypatch.setattr(split_read, "write_index", one_chunk_then_die)
    back = BackReader(path, "aitronos")
    assert_same_lines(back.index.chunks(), scan_lines(path))
    assert back.columns() is None  # (it failed: the viewer reads the back itself)
    back.close()


def test_a_scan_that_fails_in_the_child_fails_where_the_viewer_takes_the_lines(tmp_path, monkeypatch):
    path = tmp_path / "logs.jsonl"
    write_file(path, "supermetrics")
    viewer, scan = os.getpid(), child_index.scan_lines

    def held_in_the_child(*args, **kwargs):  # (a loaded machine ran the child to its end before the kill)
        if os.getpid() != viewer:
            time.sleep(60)
        return scan(*args, **kwargs)

    monkeypatch.setattr(child_index, "scan_lines", held_in_the_child)
    back = BackReader(path, "supermetrics")
    os.kill(back.pid, signal.SIGKILL)
    path.unlink()  # (gone before the viewer scans what the child did not)
    with pytest.raises(FileNotFoundError):
        list(back.index.chunks())
    back.close()


def test_a_child_stopped_before_its_lines_are_taken_leaves_nothing_behind(tmp_path):
    path = tmp_path / "logs.jsonl"
    write_file(path, "supermetrics", 20_000)
    back = BackReader(path, "supermetrics")
    fds = set(os.listdir("/proc/self/fd"))
    back.close()  # (the viewer quit at once, or read the file capped)
    with pytest.raises(ChildProcessError):
        os.waitpid(back.pid, os.WNOHANG)
    assert len(set(os.listdir("/proc/self/fd"))) == len(fds) - 4  # its lines' file and pipe, its columns' file, its done pipe


def test_a_big_files_early_reading_is_the_childs(tmp_path, monkeypatch):
    """The child finds the lines and then reads the columns from the back, without waiting for the
    viewer (who finds them done, or under way): here, with no viewer claiming any, all of them."""
    path = tmp_path / "logs.jsonl"
    write_file(path, "supermetrics")
    monkeypatch.setattr(split_read, "SPLIT_FROM_BYTES", 0)
    early.begin(path, "supermetrics", with_child=True)
    started = early.started(path)
    assert started is not None and started.back is not None and started.scan is started.back.index
    back = started.back
    deadline = time.monotonic() + 20
    while not back._ended() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert back._ended() and os.fstat(back._file.fileno()).st_size > 0
    taken = early.take(path)
    count = sum(len(chunk.starts) for chunk in taken.chunks)
    assert count == write_file(tmp_path / "again.jsonl", "supermetrics")
    found = back.columns()
    assert found is not None and found.rows == count and sorted(found.segments) == list(range(segments_of(count)))
    back.close()


def test_without_room_for_the_childs_file_the_viewer_reads_it_all_itself(tmp_path, monkeypatch):
    path = tmp_path / "logs.jsonl"
    write_file(path, "supermetrics")

    def no_room(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(split_read.tempfile, "TemporaryFile", no_room)
    assert fork_back_reader(path, "supermetrics") is None  # (no error reaches the command line)


def test_the_viewers_read_buffer_is_let_go_before_it_waits_for_the_child(tmp_path, monkeypatch):
    """The tree's memory peaks while the child lives: once the viewer meets it, its read buffer
    (4.5 MiB) and freed heap go back to the system before it waits for the child's last segment."""
    from logview.files import lines

    path = tmp_path / "logs.jsonl"
    count = write_file(path, "aitronos")
    alive: list[int] = []  # read buffers alive as the viewer waits for the child
    buffers: list[object] = []
    made = lines.ReadBuffer.__init__

    def tracked(buffer: lines.ReadBuffer) -> None:
        made(buffer)
        buffers.append(weakref.ref(buffer))

    monkeypatch.setattr(lines.ReadBuffer, "__init__", tracked)
    released: list[bool] = []
    monkeypatch.setattr(columns_pass, "release_free_memory", lambda: released.append(True) or True)
    waited = BackReader.columns

    def columns_of(back: BackReader, wanted):  # noqa: ANN001, ANN202
        alive.append(sum(1 for ref in buffers if ref() is not None))
        assert released, "the heap trimmed before the wait"
        return waited(back, wanted)

    monkeypatch.setattr(BackReader, "columns", columns_of)
    back = fork_back_reader(path, "aitronos")
    assert back is not None
    wait_for_child(back, segments_of(count) // 2, count)  # (the child has the back half)
    assert_same(columns(path, "aitronos", count, back, spans=index_of(path)), columns(path, "aitronos", count))
    assert alive == [0]


def test_the_childs_columns_are_its_files_pages_mapped_and_let_go_with_them(tmp_path):
    """The child's segments are taken without a copy (each fresh page of a copy cost ~2 µs to
    fault in, most of the time the end of a big file's read took): a segment's columns are its
    file's pages, mapped as the segment is taken and unmapped once its columns are dropped (so
    never more is held than a copy would hold)."""
    path = tmp_path / "logs.jsonl"
    count = write_file(path, "supermetrics")
    back, found = read_by_the_child(path, "supermetrics", count)
    inode = str(os.fstat(found.file.fileno()).st_ino)

    def mapped() -> int:
        with open("/proc/self/maps") as maps:
            return sum(1 for line in maps if line.split()[4:5] == [inode])

    segment = max(found.segments)
    chunk = found.segment(segment, found.segments[segment][1])
    assert chunk is not None and mapped() == 1
    arrays = [chunk.time, chunk.duration, chunk.invalid, *chunk.codes.values()]
    assert not any(array.flags.owndata or array.flags.writeable for array in arrays)
    whole = columns(path, "supermetrics", count)
    lo = segment * split_read.SEGMENT_ROWS
    assert np.array_equal(chunk.time, whole.time[lo:]) and np.array_equal(chunk.invalid, whole.invalid[lo:])
    assert np.array_equal(chunk.duration, whole.duration[lo:], equal_nan=True)
    del chunk, arrays
    assert mapped() == 0
    back.close()


def test_a_segment_of_values_met_before_is_recoded_without_a_look_for_new_ones(tmp_path, monkeypatch):
    """Most of the child's segments hold no value the viewer has not met: their codes are looked
    up in one pass and that is all (looking for the codes not met yet was two more passes a
    column, a quarter of the time the child's rows took to be recoded)."""
    path = tmp_path / "logs.jsonl"
    count = write_file(path, "supermetrics")
    back, found = read_by_the_child(path, "supermetrics", count)
    reader = ColumnReader(source_for_kind("supermetrics"))
    recoding = recoder.Recoder(reader, found.values)
    last = max(found.segments)
    recoding.recode(found.segment(last, found.segments[last][1]))  # (its values met: the recoder's now)
    looked: list[int] = []
    flatnonzero = np.flatnonzero
    monkeypatch.setattr(recoder.np, "flatnonzero", lambda found: looked.append(len(found)) or flatnonzero(found))
    again = recoding.recode(found.segment(last, found.segments[last][1]))
    assert looked == []
    assert_same(again, recoding.recode(found.segment(last, found.segments[last][1])))
    back.close()


def test_where_the_childs_file_cannot_be_mapped_its_columns_are_read(tmp_path, monkeypatch):
    """A file system that cannot map the child's file (or no mapping left) only means its bytes
    are read: the viewer still takes the child's segments, the same columns."""
    def refused(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise OSError(19, "No such device")

    path = tmp_path / "logs.jsonl"
    count = write_file(path, "aitronos")
    back = BackReader(path, "aitronos")
    wait_for_child(back, 0, count)
    monkeypatch.setattr(back_columns.mmap, "mmap", refused)
    recoded: list[int] = []
    recode = recoder.Recoder.recode
    monkeypatch.setattr(recoder.Recoder, "recode", lambda self, chunk: recoded.append(len(chunk)) or recode(self, chunk))
    assert_same(columns(path, "aitronos", count, back, spans=index_of(path)), columns(path, "aitronos", count))
    assert sum(recoded) == count


def test_the_rest_of_the_index_is_read_into_arrays_faulted_in_as_the_first_chunk_is_taken(tmp_path, monkeypatch):
    """The rest of the lines is taken after the first paint: the arrays it is read into are made
    as the first chunk is taken, as many lines as the first chunk's lines a byte say (+5%), their
    pages faulted in aside meanwhile. A rest with more lines than that is read into arrays of its
    own: the lines are the scan's either way."""
    from logview.files import memory

    asked: list[list[tuple[int, int]]] = []
    monkeypatch.setattr(memory, "fault_in_aside", asked.append)
    monkeypatch.setattr(memory, "FAULT_IN_ASIDE_FROM_ROWS", 1)
    path = tmp_path / "logs.jsonl"
    write_file(path, "supermetrics", 20_000)
    back = BackReader(path, "supermetrics")
    assert back.columns() is not None  # (the index said whole by then: its rest is one take)
    first, rest = back.index.chunks()
    estimated = int(1.05 * (first.size - first.scanned) * len(first.starts) / first.scanned) + 64
    assert len(rest.starts) <= estimated
    assert asked == [[(rest.starts.ctypes.data, estimated * 8), (rest.lengths.ctypes.data, estimated * 4)]]
    assert_same_lines([first, rest], scan_lines(path))
    back.close()

    asked.clear()
    long_then_short = tmp_path / "long-then-short.jsonl"
    with long_then_short.open("w") as out:
        for i in range(1_200):  # (the first 2 MiB record: long lines)
            out.write(json.dumps({"id": f"l{i}", "log_time": "2025-11-15T12:00:00Z", "request": "x" * 2_000}) + "\n")
        for i in range(60_000):
            out.write(json.dumps({"id": f"s{i}", "status": 200}) + "\n")
    back = BackReader(long_then_short, "supermetrics")
    assert back.columns() is not None
    chunks = list(back.index.chunks())
    assert len(asked) == 1 and all(chunks[1].starts.ctypes.data != address for address, _ in asked[0])
    assert_same_lines(chunks, scan_lines(long_then_short))
    back.close()
