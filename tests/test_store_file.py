"""The store over a file: rows are line offsets, columns arrive later, and every answer must
equal the in-memory store's on the same entries (which is held to `Source.matches`)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logview.files.columns import ColumnReader
from logview.files.jsonl import entry_from_line
from logview.files.lines import LineFile, scan_lines
from logview.model import Filters
from logview.sources import AitronosSource, SupermetricsSource
from logview.store import EntryStore, FilteredView

T0 = datetime(2025, 11, 15, 12, 0, tzinfo=timezone.utc)
AIT = AitronosSource("org")
SM = SupermetricsSource(1, "C1")


def sm_line(i: int, status: object = 200, event: object = "data.fetch", request: str = "GET /x") -> bytes:
    return orjson.dumps({"id": f"sm_{i}", "log_time": (T0 - timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                         "status": status, "event": event, "request": request, "duration_ms": i % 900})


_ERRORS = [None, None, {"code": "UPSTREAM", "message": "retry after 12s"}, {"code": "UPSTREAM", "message": "retry after 3s"},
           "plain failure 7", {"code": "NOPE"}]


def ait_line(i: int, status: object = "success", cred: object = "tcred_a") -> bytes:
    return orjson.dumps({"id": f"log_{i}", "created_at": (T0 - timedelta(milliseconds=1500 * i))
                         .strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z", "status": status, "credential_id": cred,
                         "tool": f"tool.{i % 3}", "error": _ERRORS[i % len(_ERRORS)], "duration_ms": [5, 1.5, None, -1][i % 4]})


_OPEN: list[EntryStore] = []


@pytest.fixture(autouse=True)
def stores_closed() -> None:
    """Each file store a test made lets its file go at the test's end (a property test makes 60):
    a worker that ran this module held every one open until it ended."""
    yield
    while _OPEN:
        _OPEN.pop().close()


def file_store(path: Path, source, *, columns_upto: int | None = None,
               chunk_bytes: int = 1 << 12) -> EntryStore:
    """A store over `path` as the viewer builds it: lines first, then columns (maybe partly)."""
    store = EntryStore(source, lines=LineFile(path))
    _OPEN.append(store)
    for chunk in scan_lines(path, chunk_bytes=chunk_bytes, first_bytes=256):
        store.append_lines(chunk)
    reader = ColumnReader(source)
    lines = [line for chunk in scan_lines(path, with_data=True) for line in chunk.lines()]
    upto = len(lines) if columns_upto is None else columns_upto
    for lo in range(0, upto, 7):
        store.fill_columns(reader.read(lines[lo:min(lo + 7, upto)]))
    return store


def memory_store(path: Path, source) -> EntryStore:
    store = EntryStore(source)
    store.append([entry_from_line(source, line) for line in path.read_bytes().splitlines() if line.strip()])
    return store


def write(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def ids(store: EntryStore, index: np.ndarray) -> list[str]:
    return [e.id for e in store.entries(index)]


def test_rows_exist_before_columns_and_column_filters_cover_only_read_rows(tmp_path: Path) -> None:
    path = write(tmp_path / "sm.jsonl", [sm_line(i, status=(200, 404, 500)[i % 3]) for i in range(60)])
    store = file_store(path, SM, columns_upto=30)
    assert (len(store), store.ready) == (60, 30)
    everything = store.select(Filters())
    assert len(everything.index) == 60  # no filter needs columns: every row is shown
    assert everything.others_total == 30  # but only read rows are counted
    assert everything.option_counts.tolist() == [10, 0, 10, 10, 0]
    errors = store.select(Filters(statuses=("5xx",)))
    assert ids(store, errors.index) == [f"sm_{i}" for i in range(30) if i % 3 == 2]
    # a row without columns still shows its own time
    assert store.time_us(59) == int((T0 - timedelta(seconds=59)).timestamp() * 1_000_000)


def test_view_grows_exactly_as_lines_and_columns_arrive(tmp_path: Path) -> None:
    path = write(tmp_path / "sm.jsonl", [sm_line(i, status=(200, 429, 503)[i % 3]) for i in range(90)])
    store = EntryStore(SM, lines=LineFile(path))
    views = {name: FilteredView(store, filters) for name, filters in
             {"all": Filters(), "4xx": Filters(statuses=("4xx",)), "search": Filters(search="sm_1")}.items()}
    reader = ColumnReader(SM)
    lines = [line for chunk in scan_lines(path, with_data=True) for line in chunk.lines()]
    chunks = list(scan_lines(path, chunk_bytes=700, first_bytes=200))
    assert len(chunks) > 3
    read = 0
    for chunk in chunks:  # interleave: lines, then some columns, like the viewer's two passes
        store.append_lines(chunk)
        upto = min(len(store), read + 11)
        store.fill_columns(reader.read(lines[read:upto]))
        read = upto
        for view in views.values():
            view.sync()
            fresh = store.select(view.filters, view.options)
            assert view.index.tolist() == fresh.index.tolist()
            assert view.option_counts.tolist() == fresh.option_counts.tolist()
    while read < len(lines):
        store.fill_columns(reader.read(lines[read:read + 11]))
        read += 11
        for view in views.values():
            view.sync()
            assert view.index.tolist() == store.select(view.filters, view.options).index.tolist()
    assert ids(store, views["4xx"].index) == [f"sm_{i}" for i in range(90) if i % 3 == 1]


filters_strategy = st.builds(
    Filters,
    statuses=st.lists(st.sampled_from(["success", "error", "blocked", "timeout"]), max_size=2, unique=True)
    .map(tuple),
    since=st.none() | st.integers(0, 200).map(lambda m: T0 - timedelta(minutes=m)),
    until=st.none() | st.integers(0, 200).map(lambda m: T0 - timedelta(minutes=m)),
    credential=st.none() | st.sampled_from(["tcred_a", "tcred_b", "tcred_zzz"]),
    tool=st.none() | st.sampled_from(["tool.1", "tool.9"]),
    error=st.none() | st.sampled_from(["UPSTREAM: retry after <n>s", "plain failure <n>", "NOPE",
                                       "error (no error message)", "zz"]),
    search=st.none() | st.sampled_from(["log_1", "tool.2", "tcred_b", "success", "status", "null"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(filters=filters_strategy, seed=st.integers(0, 2**16))
def test_file_store_answers_like_the_memory_store(tmp_path: Path, filters: Filters, seed: int) -> None:
    rng = np.random.default_rng(seed)
    lines = []
    for i in range(120):
        kind = rng.integers(0, 20)
        if kind == 0:
            lines.append(b'{"id": torn')  # not JSON
        elif kind == 1:
            lines.append(ait_line(i, status=7))  # schema misfit: status not a string
        else:
            lines.append(ait_line(i, status=["success", "error", "blocked", "timeout", None][rng.integers(0, 5)],
                                  cred=["tcred_a", "tcred_b", None][rng.integers(0, 3)]))
    path = write(tmp_path / f"ait-{seed}.jsonl", lines)
    on_file, in_memory = file_store(path, AIT), memory_store(path, AIT)
    got, want = on_file.select(filters), in_memory.select(filters)
    assert ids(on_file, got.index) == ids(in_memory, want.index)
    assert got.option_counts.tolist() == want.option_counts.tolist()
    assert got.others_total == want.others_total
    problems = np.arange(len(on_file))
    assert on_file.problem_mask(problems).tolist() == in_memory.problem_mask(problems).tolist()
    assert np.array_equal(on_file.column("duration", problems), in_memory.column("duration", problems),
                          equal_nan=True)
    # error groups: the codes may be numbered differently; the groups they stand for are the same
    assert [on_file.categories("error").values[c] for c in on_file.column("error", problems)] == \
        [in_memory.categories("error").values[c] for c in in_memory.column("error", problems)]


def test_search_job_on_a_file_matches_values_not_keys(tmp_path: Path) -> None:
    path = write(tmp_path / "sm.jsonl", [sm_line(i, request=f"GET /report/{i}") for i in range(50)])
    store = file_store(path, SM)
    for needle, expected in [("/report/4", [4] + list(range(40, 50))), ("request", []), ("null", [])]:
        job = store.search_job(needle)
        job.run()
        assert store.finish_search(job)
        view = FilteredView(store, Filters(search=needle))
        assert ids(store, view.index) == [f"sm_{i}" for i in expected], needle


def test_a_one_letter_search_on_a_file_finds_what_the_entries_hold(tmp_path: Path) -> None:
    # (a letter or digit on most lines is searched a block's bytes at once, from the store's narrow offsets)
    path = write(tmp_path / "ait.jsonl", [ait_line(i, status=["success", "error", None][i % 3]) for i in range(90)])
    on_file, in_memory = file_store(path, AIT), memory_store(path, AIT)
    for needle in ("e", "0", "s", "l", "U"):
        job = on_file.search_job(needle)
        job.run()
        assert on_file.finish_search(job)
        want = in_memory.select(Filters(search=needle)).index
        assert ids(on_file, FilteredView(on_file, Filters(search=needle)).index) == ids(in_memory, want), needle
        assert 0 < len(want) < 90 or needle in ("e", "0", "l")


def test_entries_are_read_back_exactly_from_the_file(tmp_path: Path) -> None:
    huge = 123456789012345678901234567890
    line = ('{"id":"sm_x","log_time":"2025-11-15T12:00:00Z","status":200,"extra":{"n":%d,"s":"é"}}' % huge).encode()
    path = write(tmp_path / "sm.jsonl", [sm_line(0), line, b"", b"not json at all"])
    store = file_store(path, SM)
    assert len(store) == 3  # the blank line is skipped
    assert store.entry(1).raw == json.loads(line)  # every field, the huge integer exact
    assert store.entry(2).invalid is not None and store.entry(2).raw == "not json at all"
    assert store.problem_mask(np.array([0, 1, 2])).tolist() == [False, False, True]


def test_code_columns_widen_past_65535_distinct_values() -> None:
    store = EntryStore(AIT)
    entries = [AIT.entry_from_raw({"id": f"log_{i}", "created_at": "2025-11-15T12:00:00Z", "credential_id": f"c{i}"})
               for i in range(70_000)]
    store.append(entries)
    for wanted in ("c1", "c65534", "c65535", "c69999"):
        assert ids(store, store.select(Filters(credential=wanted)).index) == [f"log_{wanted[1:]}"]


@pytest.mark.parametrize("cap", [5, 40])
def test_the_cap_applies_to_lines_only_when_given(tmp_path: Path, cap: int) -> None:
    path = write(tmp_path / "sm.jsonl", [sm_line(i) for i in range(30)])
    capped = EntryStore(SM, max_entries=cap, lines=LineFile(path))
    uncapped = EntryStore(SM, lines=LineFile(path))
    for chunk in scan_lines(path):
        capped.append_lines(chunk)
        uncapped.append_lines(chunk)
    assert (len(capped), len(uncapped)) == (min(cap, 30), 30)


# Appends a million lines to a store over PATH (before any column is read) and prints how much
# the process's resident memory grew.
MILLION_LINES = """
import sys
import numpy as np
from pathlib import Path
from logview.files.lines import LineChunk, LineFile
from logview.sources import SupermetricsSource
from logview.store import EntryStore

def resident_mib():
    return int(open("/proc/self/status").read().split("VmRSS:")[1].split()[0]) / 1024

n = 1_000_000
starts, lengths = np.arange(n, dtype=np.int64) * 200, np.full(n, 199, dtype=np.int32)
store = EntryStore(SupermetricsSource(1, "C1"), lines=LineFile(Path(sys.argv[1])))
store.append_lines(LineChunk(starts[:500], lengths[:500], 100_000, 200 * n))  # (the first screen: sizes the store)
before = resident_mib()
store.append_lines(LineChunk(starts[500:], lengths[500:], 200 * n, 200 * n))
print(resident_mib() - before)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_a_million_lines_found_take_their_offsets_memory_not_their_unread_columns(tmp_path: Path) -> None:
    """Rows whose filter columns are not read yet cost their offsets and lengths (8 MB a million),
    the view's index, and nothing for their time or duration: those were written as "none" when
    the lines came (16 MB more at once), the back of a big file read only at the end."""
    import subprocess
    import sys

    path = tmp_path / "sm.jsonl"
    path.write_bytes(b"{}\n")
    result = subprocess.run([sys.executable, "-c", MILLION_LINES, str(path)], capture_output=True, text=True,
                            timeout=60, check=True)
    assert float(result.stdout) < 15  # MiB (23 when the unread columns were written)
def test_where_a_row_is_found_without_copying_a_files_index() -> None:
    """The table asks where its cursor's row is after every post of a file's rows: with the
    ordinal a Python int, numpy cast the whole (4-byte) index to int64 first, 8 MB and ~0.3 ms of
    the UI thread for a million rows, each time (10% of its samples while an Aitronos 1M file read)."""
    import tracemalloc

    view = FilteredView.__new__(FilteredView)
    view._buffer = np.arange(0, 2_000_000, 2, dtype=np.int32)  # (a file's rows, as the view keeps them)
    view._lo, view._hi = 0, len(view._buffer)
    tracemalloc.start()
    try:
        rows = [view.row_of(ordinal) for ordinal in (-5, 0, 1, 2, 3, 1_999_998, 1_999_999, 2**31 + 5, -2**40)]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert rows == [0, 0, 1, 1, 2, 999_999, 1_000_000, 1_000_000, 0]
    assert peak < 1 << 20


@pytest.mark.parametrize("cap", [None, 40])
def test_a_post_of_several_chunks_fills_the_columns_as_one_chunk_at_a_time_would(tmp_path: Path, cap: int | None) -> None:
    """A reader's post holds its chunks as read (`ui/file_reading.py`): the store writes each
    column from all of them at once, new codes learnt in their order, the cap cutting mid-chunk."""
    path = tmp_path / "logs.jsonl"
    path.write_bytes(b"\n".join(ait_line(i, status=["success", "error", 7][i % 3], cred=f"tcred_{i % 5}")
                                for i in range(60)) + b"\n")
    lines = path.read_bytes().splitlines()
    stores = []
    for together in (False, True):
        store = EntryStore(AIT, max_entries=cap, lines=LineFile(path))
        for chunk in scan_lines(path, chunk_bytes=1 << 12, first_bytes=256):
            store.append_lines(chunk)
        reader = ColumnReader(AIT)
        chunks = [reader.read(lines[lo:lo + 11]) for lo in range(0, len(lines), 11)]
        if together:
            assert store.fill_columns(*chunks[:2]) == 22
            assert store.fill_columns(*chunks[2:]) == (cap or len(lines)) - 22
        else:
            for chunk in chunks:
                store.fill_columns(chunk)
        stores.append(store)
    apart, together = stores
    assert together.ready == apart.ready == (cap or len(lines))
    for name in ("time", "status", "credential", "event", "tool", "error", "invalid"):
        assert np.array_equal(together.span(name, 0, together.ready), apart.span(name, 0, apart.ready)), name
    assert np.array_equal(together.span("duration", 0, together.ready), apart.span("duration", 0, apart.ready),
                          equal_nan=True)
    assert [together.codes.tables()[i].values for i in range(5)] == [apart.codes.tables()[i].values for i in range(5)]


def test_columns_past_the_cap_fill_nothing(tmp_path: Path) -> None:
    path = tmp_path / "logs.jsonl"
    path.write_bytes(b"\n".join(sm_line(i) for i in range(20)) + b"\n")
    store = EntryStore(SM, max_entries=5, lines=LineFile(path))
    for chunk in scan_lines(path):
        store.append_lines(chunk)
    reader = ColumnReader(SM)
    lines = path.read_bytes().splitlines()
    assert store.fill_columns(reader.read(lines[:8])) == 5
    assert store.fill_columns(reader.read(lines[8:12]), reader.read(lines[12:])) == 0
    assert store.fill_columns() == 0 and store.ready == 5


def test_once_the_rest_is_read_the_pages_of_its_rows_are_faulted_in_aside(tmp_path, monkeypatch):
    """At the end of a split read the child's rows come in posts, one at a time on the UI thread:
    once the first of them comes (the rest all read), the pages its rows and the rest will be
    written in are faulted in aside, on the core the child has left: the time and the duration, and the codes of
    the fields that have values (an absent field's pages stay untouched), a post's rows at a time."""
    from logview.store import file_ingest

    path = tmp_path / "sm.jsonl"
    path.write_bytes(b"\n".join(sm_line(i) for i in range(300)) + b"\n")
    store = file_store(path, SM, columns_upto=100)
    asked: list[list[tuple[int, int]]] = []
    monkeypatch.setattr(file_ingest, "fault_in_aside", asked.append)
    monkeypatch.setattr(file_ingest, "FAULT_IN_ROWS", 64)
    lines = [line for chunk in scan_lines(path, with_data=True) for line in chunk.lines()]
    reader = ColumnReader(SM)
    reader.read(lines[:100])  # (the reader's codes as they were)
    store.fill_columns(reader.read(lines[100:150]))
    assert asked == []  # (rows not yet read may never be: the front's own posts)
    rest = reader.read(lines[150:200])
    rest.rest_read = True
    store.fill_columns(rest)
    filled = {name for name, table in store.codes.by_field().items() if len(table) > 1}
    assert filled == {"status", "event"}
    names = ["time", "duration", "status", "event"]
    spans = [store.span(name, lo, min(300, lo + 64)) for lo in range(150, 300, 64) for name in names]
    expected = [(span.ctypes.data, span.nbytes) for span in spans]
    assert asked == [expected]
    store.fill_columns(reader.read(lines[200:]))
    assert len(asked) == 1


def test_the_pages_of_the_rest_of_the_lines_are_faulted_in_aside_at_the_first_chunk(tmp_path, monkeypatch):
    """The first chunk sizes the offset and length columns for the whole file; their pages for the
    rest of the lines (written ~50 ms later, on the UI thread, in one post) are faulted in aside then,
    the filter columns' left untouched; a small file's rest is not worth a thread."""
    from logview.store import file_ingest

    path = tmp_path / "sm.jsonl"
    path.write_bytes(b"\n".join(sm_line(i) for i in range(300)) + b"\n")
    asked: list[list[tuple[int, int]]] = []
    monkeypatch.setattr(file_ingest, "fault_in_aside", asked.append)
    small = file_store(path, SM)
    assert asked == [] and len(small) == 300
    monkeypatch.setattr(file_ingest, "FAULT_IN_ASIDE_FROM_ROWS", 64)
    store = EntryStore(SM, lines=LineFile(path))
    chunks = scan_lines(path, chunk_bytes=1 << 12, first_bytes=256)
    first = next(chunks)
    store.append_lines(first)
    n, expected = len(first.starts), int(1.05 * first.size * len(first.starts) / first.scanned) + 64
    rest = [(store.span(name, n, expected).ctypes.data, store.span(name, n, expected).nbytes)
            for name in ("start", "length")]
    assert asked == [rest] and rest[0][1] == (expected - n) * store.span("start", 0, 1).itemsize
    for chunk in chunks:
        store.append_lines(chunk)
    assert len(asked) == 1 and len(store) == 300
    assert store.span("start", 0, 300).tolist() == [int(s) for c in scan_lines(path) for s in c.starts]
