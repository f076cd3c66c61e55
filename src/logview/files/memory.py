"""Give the memory a file read freed back to the system once it ends (glibc's malloc only).

Why: reading a file allocates buffers of a few MB again and again and frees them. glibc serves the
first from their own mappings but then raises its threshold, so later ones come from the heap,
where the freed memory stays in the process among small objects: 38 MiB (Supermetrics) and
70 MiB (Aitronos) once a 1M-entry file was read. `malloc_trim` at the end of a read gives it back.

Measured and dropped: holding the mmap threshold at 1 MiB for the whole read, so that each big
buffer went back as it was freed. It lowered the peak by ~6 MiB, but the reader's thread then
mapped and unmapped memory all the time, and each of those holds the process's address-space
lock that the UI thread's own page faults wait on: keys while reading answered in 63 / 127 ms
(p50 / p95) against 27 / 78 ms without it (tmux, Supermetrics 1M, 3 paired runs). The child that
reads a big file's back did so until it cost it ~20% more CPU (a fresh mapping, and its page
faults, for every 1 MiB chunk) for no lower peak (it holds one chunk at a time: the heap reuses it).
Elsewhere (macOS, musl) nothing is done.

glibc is found in the process itself (`dlopen(NULL)`: the interpreter links it), not by
`ctypes.util.find_library`, which runs `ldconfig -p` in a subprocess: a vfork of the viewer, at
start-up, beside the child reading a big file's back. Until it execs, that process shares the
viewer's memory and counts it again: the tree's RSS sampled every 2 ms peaked at 140 MiB there
(the viewer's 49 and the child's 42, twice) in 4 of 6 Aitronos 1M launches, above the read's own peak.
"""

from __future__ import annotations

import ctypes
import os
import platform
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from mmap import PAGESIZE


def _glibc() -> ctypes.CDLL | None:
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    for name in (None, "libc.so.6"):  # (the process's own symbols, glibc's among them; else its soname)
        try:
            libc = ctypes.CDLL(name)
        except OSError:
            continue
        if hasattr(libc, "malloc_trim"):
            return libc
    return None


_LIBC = _glibc()


def release_free_memory() -> bool:
    """Return the heaps' free pages to the system (after a read: its small objects are gone)."""
    return _LIBC is not None and _LIBC.malloc_trim(0) == 1


FAULT_IN_NICE = 19
_MADV_POPULATE_WRITE = 23  # (Linux 5.14 on; older kernels refuse it, and nothing is done)
# Rows of a file's columns from which their pages are worth faulting in aside (both callers, at a
# file's first chunk: `child_index.LineArrays.for_the_rest`, `file_ingest._fault_in_lines`). 65,536
# rows of offsets and lengths (8 + 4 bytes) are 768 KiB, ~190 pages, ~0.4 ms of first writes at
# ~2 µs a page, spread over the posts that write them: less than the faulting thread's start, which
# cost its first caller 0.4–50 ms on a loaded machine (s21), so a smaller file never starts it.
FAULT_IN_ASIDE_FROM_ROWS = 1 << 16


class _Faulting:
    """One thread, started at the first regions asked for and kept (an executor of one worker),
    that faults in the regions it is handed in the order they come. A thread per call cost each
    caller a thread's start: 3 ms (0.2–75) at each of a 1M read's three calls, load ~4, against
    0.02 ms to hand them on to a kept one; the first two calls' pages were in no later for running
    side by side (two niced threads on two busy cores: 35 ms median against 21 here, s21, 16 paired
    reads)."""

    def __init__(self) -> None:
        self._executor: ThreadPoolExecutor | None = None
        self._last: Future[None] | None = None  # (one worker: once it is done, all before it are)
        self._starting = threading.Lock()

    def hand(self, regions: list[tuple[int, int]]) -> None:
        with self._starting:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(1, "logview-fault-in", initializer=_nice_this_thread)
            self._last = self._executor.submit(_fault_in, regions)

    def wait(self, timeout: float) -> bool:
        """Whether every region handed so far has been faulted in, waiting up to `timeout` s."""
        last = self._last
        if last is None:
            return True
        try:
            last.result(timeout)
        except TimeoutError:
            return False
        return True

    def forget_thread(self) -> None:
        """In a fork's child, which inherits no thread: the next regions start one of its own."""
        self._executor, self._last, self._starting = None, None, threading.Lock()


def _nice_this_thread() -> None:
    # Niced (Linux's nice is a thread's: `_LIBC` is glibc's on Linux alone): the faults are worth
    # doing on an idle core, never at the cost of the first paint or the file's child
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), FAULT_IN_NICE)
    except OSError:
        pass


def _fault_in(regions: list[tuple[int, int]]) -> None:
    assert _LIBC is not None
    madvise = _LIBC.madvise
    madvise.argtypes, madvise.restype = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int), ctypes.c_int
    for address, size in regions:
        start = address - address % PAGESIZE
        madvise(start, size + address - start, _MADV_POPULATE_WRITE)


_FAULTING = _Faulting()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=lambda: _FAULTING.forget_thread())  # (the faulting of the moment)


def fault_in_aside(regions: list[tuple[int, int]]) -> None:
    """Fault in the pages of these (address, bytes) regions of the process's memory, writable,
    in a thread that holds no lock of the interpreter's (one, kept: `_Faulting`): each page
    costs ~2 µs the first time it is written (more where the host backs it afresh), time the thread
    that writes it next need not spend. Their contents are left as they are (`MADV_POPULATE_WRITE`),
    so whatever writes them meanwhile is not disturbed; a region freed meanwhile is refused, not touched."""
    if _LIBC is None or not regions:
        return
    _FAULTING.hand(regions)


def faulted_in(timeout: float = 5.0) -> bool:
    """Whether every region asked for so far is faulted in, waiting up to `timeout` s (tests, benchmarks)."""
    return _FAULTING.wait(timeout)
