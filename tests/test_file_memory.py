"""The memory a file read freed goes back to the system when it ends (glibc only), the chunks
a read hands out are exactly the file's bytes, and a read by the index reuses one buffer for them."""

from __future__ import annotations

import platform
import subprocess
import sys
from pathlib import Path

import pytest

from logview.files.lines import LineChunk, ReadBuffer, indexed_chunks, scan_lines

GLIBC = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"

# In a fresh process: blocks of 4 MiB freed among small objects that stay. glibc raises its mmap
# threshold at the first free, so the next blocks come from the heap, where the memory stays once
# freed, until `release_free_memory`.
_CHURN = """
import sys
from logview.files.memory import release_free_memory
def rss_mib():
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS")) / 1024
bytearray(4 << 20)  # freed at once: this raises the threshold
keep = []
blocks = []
for i in range(24):
    big = bytearray(4 << 20)
    big[::4096] = b"x" * len(big[::4096])
    blocks.append(big)
    keep.append(bytes(1000))  # (malloc's, not Python's small-object pools) pin the heap's top
before = rss_mib()
blocks.clear()
held = before - rss_mib()
if sys.argv[1] == "trim":
    assert release_free_memory()
print(before - rss_mib(), held)
"""
@pytest.mark.skipif(not GLIBC, reason="glibc's malloc only")
def test_the_memory_a_read_freed_goes_back_to_the_system_at_its_end(tmp_path: Path) -> None:
    def freed(mode: str) -> tuple[float, float]:
        out = subprocess.run([sys.executable, "-c", _CHURN, mode], capture_output=True, text=True, check=True)
        after, held = map(float, out.stdout.split())
        return after, held

    kept, held = freed("keep")
    assert held < 40 and kept < 40  # what it is for: most of the 96 MiB stays in the heap
    trimmed, _ = freed("trim")
    assert trimmed >= 80  # all 96 MiB, give or take


def test_chunks_with_data_are_the_files_bytes_whatever_the_cuts(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    lines = [b'{"n":%d,"pad":"%s"}' % (i, b"y" * (i * 37 % 300)) for i in range(400)]
    path.write_bytes(b"\n".join(lines) + b"\n\n  \n" + b'{"torn":1}')
    for chunk_bytes in (64, 1000, 4096, 1 << 20):
        chunks = list(scan_lines(path, chunk_bytes=chunk_bytes, first_bytes=50, with_data=True))
        assert [line for chunk in chunks for line in chunk.lines()] == [*lines, b'{"torn":1}']
        assert chunks[-1].scanned == path.stat().st_size


def test_chunks_read_into_one_buffer_are_the_files_bytes_each_until_the_next(tmp_path: Path) -> None:
    """A second pass by the index reads each chunk into the buffer of the one before (fresh bytes
    for each took fresh heap pages, kept until trimmed), but a short one (a segment's last): it
    would shrink the buffer, then grow it again."""
    path = tmp_path / "f.jsonl"
    lines = [b'{"n":%d,"pad":"%s"}' % (i, b"y" * (i * 37 % 300)) for i in range(400)]
    path.write_bytes(b"\n".join(lines) + b"\n\n  \n" + b'{"torn":1}')
    index = LineChunk.join(list(scan_lines(path)))
    for chunk_bytes in (64, 1000, 4096):
        into, seen, reused, count = ReadBuffer(), [], 0, 0
        last = None
        for chunk in indexed_chunks(path, [(index.starts, index.lengths)], chunk_bytes, into):
            seen += chunk.lines()  # (taken before the next chunk is read over it)
            reused, count, last = reused + (id(chunk.data) == last), count + 1, id(chunk.data)
            del chunk  # (a chunk still held when the next is read is not read over: see below)
        assert seen == [*lines, b'{"torn":1}']
        if chunk_bytes > 300:  # (else a chunk is a line, of any length)
            assert reused >= count // 2


def test_a_chunk_still_in_use_is_not_read_over(tmp_path: Path) -> None:
    """Its bytes held (here as a view, as a reader's block being decoded is; or the chunk itself),
    the next chunk is read into a buffer of its own, whatever its length."""
    path = tmp_path / "f.jsonl"
    lines = [b'{"n":%d}' % (i % 10) for i in range(100)]  # (chunks of one length)
    path.write_bytes(b"\n".join(lines) + b"\n")
    index = LineChunk.join(list(scan_lines(path)))
    chunks = indexed_chunks(path, [(index.starts, index.lengths)], 100, ReadBuffer())
    first = next(chunks)
    held = memoryview(first.data)  # (as a reader's block still being decoded would be)
    before = held.tobytes()
    second = next(chunks)
    assert second.lines() == lines[len(first.starts):len(first.starts) + len(second.starts)]
    assert held.tobytes() == before


@pytest.mark.skipif(not GLIBC, reason="glibc's malloc only")
def test_glibc_is_found_without_starting_a_process() -> None:
    """`ctypes.util.find_library` ran `ldconfig -p`: a vfork of the viewer at start-up that shared
    and counted its memory again beside a big file's child (see `files/memory.py`)."""
    code = """
import subprocess
def refused(*args, **kwargs):
    raise AssertionError("a process was started")
subprocess.Popen = refused
from logview.files.memory import release_free_memory
assert release_free_memory() in (True, False)
from logview.files import memory
assert memory._LIBC is not None
"""
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_viewers_read_holds_a_chunk_of_two_mib_at_a_time(tmp_path: Path) -> None:
    """The viewer reads its columns 2 MiB of a file at a time (`columns.CHUNK_BYTES`), each chunk
    costing its bytes about three times over while it is read: with 4 MiB chunks a big file's read
    held the viewer 6-7 MiB higher at the tree's peak, beside the child (Aitronos 1M). Here ~9 MiB
    of Aitronos lines read the viewer's way peak at ~4.5 MiB traced (10.7 with 4 MiB chunks).
    (Traced in a process of its own: tracemalloc counts every thread's allocations, and a worker
    of the suite holds other tests' threads, which once pushed the peak over the bound.)"""
    import json

    from logview.demo.state import DemoState

    state = DemoState(aitronos_entries=14_000, supermetrics_entries=0, live_rate=0.0, seed=3)
    path = tmp_path / "big.jsonl"
    path.write_bytes(b"".join(json.dumps(entry).encode() + b"\n" for entry in state.aitronos_logs))
    assert path.stat().st_size > 8 << 20
    measured = subprocess.run([sys.executable, "-c", _TRACED_READ, str(path)], capture_output=True, text=True,
                              check=True, timeout=120)
    read, peak, lines = map(int, measured.stdout.split())
    assert read == lines == 14_000
    assert peak < 7 << 20


_TRACED_READ = """
import sys, tracemalloc
import numpy as np
from pathlib import Path
from logview.files.columns import ColumnReader
from logview.files.columns_pass import read_columns
from logview.files.jsonl import source_for_kind
from logview.files.lines import scan_lines

path = Path(sys.argv[1])
lines = list(scan_lines(path))
starts, lengths = np.concatenate([c.starts for c in lines]), np.concatenate([c.lengths for c in lines])
reader = ColumnReader(source_for_kind("aitronos"))
tracemalloc.start()
read = sum(len(columns) for columns in read_columns(path, reader, len(starts), lambda: None,
                                                     spans=lambda lo, hi: (starts[lo:hi], lengths[lo:hi])))
print(read, tracemalloc.get_traced_memory()[1], len(starts))
"""


@pytest.mark.skipif(not GLIBC, reason="glibc (Linux) only")
def test_pages_faulted_in_aside_are_in_memory_and_hold_what_they_held() -> None:
    """`fault_in_aside` brings a region's pages into memory in a thread of its own (the end of a
    split read: the store's pages for the child's rows, on the core the child has left), and
    leaves what they hold as it was: a page written meanwhile is not written over."""
    import ctypes
    import mmap

    from logview.files.memory import fault_in_aside, faulted_in

    pages = 64
    region = mmap.mmap(-1, pages * mmap.PAGESIZE)
    region[5:8] = b"abc"
    address = ctypes.addressof(ctypes.c_char.from_buffer(region))
    libc = ctypes.CDLL(None)
    libc.mincore.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p)

    def resident() -> int:
        vector = ctypes.create_string_buffer(pages)
        assert libc.mincore(address, pages * mmap.PAGESIZE, vector) == 0
        return sum(byte & 1 for byte in vector.raw)

    assert resident() == 1
    fault_in_aside([(address + 100, pages * mmap.PAGESIZE - 100)])  # (from within its first page)
    assert faulted_in(5)
    assert resident() == pages
    assert region[:10] == b"\0" * 5 + b"abc\0\0" and region[mmap.PAGESIZE:] == b"\0" * ((pages - 1) * mmap.PAGESIZE)


@pytest.mark.skipif(not GLIBC, reason="glibc (Linux) only")
def test_pages_are_faulted_in_by_a_niced_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """The thread runs at nice 19 (its own: Linux's nice is a thread's), so that the faults take
    an idle core and not the first paint's or the file's child's (a first-rows figure 0.03 s slower
    in the session that added the faults at the first chunk)."""
    import os
    import threading

    import numpy as np

    from logview.files import memory

    asked: list[tuple[int, int, int]] = []
    monkeypatch.setattr(os, "setpriority", lambda which, who, value: asked.append((which, who, value)))
    monkeypatch.setattr(memory, "_FAULTING", memory._Faulting())  # (its thread not started yet)
    region = np.empty(1 << 16)
    memory.fault_in_aside([(region.ctypes.data, region.nbytes)])
    assert memory.faulted_in(5)
    assert len(asked) == 1
    which, who, value = asked[0]
    assert (which, value) == (os.PRIO_PROCESS, memory.FAULT_IN_NICE) == (os.PRIO_PROCESS, 19)
    assert who not in (0, os.getpid(), threading.get_native_id())  # (the thread's own id: not the process's)


@pytest.mark.skipif(not GLIBC, reason="glibc (Linux) only")
def test_one_kept_thread_faults_in_every_call_s_regions(monkeypatch: pytest.MonkeyPatch) -> None:
    """A read's calls (the index's rest, the store's offsets, the columns at the end) are handed to
    one thread (an executor's one worker), started at the first and kept, not a thread each; each
    call's pages are in memory once it says so. A fork's child keeps no such thread: it would
    start one of its own."""
    import os
    import threading

    import numpy as np

    from logview.files import memory

    def faulting_threads() -> set[threading.Thread]:
        return {thread for thread in threading.enumerate() if thread.name.startswith("logview-fault-in")}

    others = faulting_threads()  # (earlier tests' faulting threads, still kept)
    monkeypatch.setattr(memory, "_FAULTING", memory._Faulting())
    regions = [np.zeros(1 << 15) for _ in range(3)]
    for region in regions:
        memory.fault_in_aside([(region.ctypes.data, region.nbytes)])
    assert memory.faulted_in(5)
    faulting = faulting_threads() - others
    assert len(faulting) == 1
    region = np.zeros(1 << 15)
    memory.fault_in_aside([(region.ctypes.data, region.nbytes)])
    assert memory.faulted_in(5)
    assert faulting_threads() - others == faulting
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # (the child: the faulting forgot the parent's thread, and starts one of its own)
        region = np.zeros(1 << 15)
        memory.fault_in_aside([(region.ctypes.data, region.nbytes)])
        os.write(write, b"1" if memory.faulted_in(5) else b"0")
        os._exit(0)
    os.waitpid(pid, 0)
    assert os.read(read, 1) == b"1"
    os.close(read)
    os.close(write)


_SEARCHED = """
import sys, tempfile
from pathlib import Path
import numpy as np
from logview.files.lines import LineFile
from logview.sources import SupermetricsSource
from logview.store.search import FileSearchJob
def rss_mib():
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS")) / 1024
n = 200_000
path = Path(tempfile.mkdtemp()) / "big.jsonl"
requests = [b"GET /v2/reports/keywords?page=%d" % i for i in range(20)] + [b"POST /api/oauth/token_refresh"] * 20
lines = [b'{"id":"%08x-%010x","log_time":"2025-11-15T11:%02d:%02dZ","status":200,"event":"data.page","request":"%s",'
         b'"duration_ms":%d,"request_id":"57903bf3-8c05-4bf5-a89f-%012x"}'
         % (i, i * 7919, i // 60 % 60, i % 60, requests[i % 40], i % 997, i) for i in range(n)]
path.write_bytes(b"\\n".join(lines) + b"\\n")
starts = np.cumsum([0] + [len(line) + 1 for line in lines[:-1]]).astype(np.int64)
lengths = np.array([len(line) for line in lines], dtype=np.int64)
del lines
before = rss_mib()
job = FileSearchJob("keywords", 0, 0, n, LineFile(path), SupermetricsSource(1, "C"), starts, lengths, np.zeros(n, bool))
job.run()
print(rss_mib() - before, int(job.hits.sum()))
"""


@pytest.mark.skipif(not GLIBC, reason="glibc's malloc only")
def test_the_memory_a_file_search_freed_goes_back_to_the_system() -> None:
    """A search of a file's 40 MiB left ~33 MiB of its blocks' freed arrays to the process (the viewer over the
    Aitronos 1M file went from ~110 MiB to ~220 for good at a search, found in a walk); ~7 MiB stay now, the
    hits and the arrays kept."""
    out = subprocess.run([sys.executable, "-c", _SEARCHED], capture_output=True, text=True, check=True, timeout=120)
    grown, hits = out.stdout.split()
    assert int(hits) == 100_000
    assert float(grown) < 20, grown
