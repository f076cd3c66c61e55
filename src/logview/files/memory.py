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


def fault_in_aside(regions: list[tuple[int, int]]) -> None:
    """Fault in the pages of these (address, bytes) regions of the process's memory, writable,
    in a thread of their own that holds no lock of the interpreter's: each page costs ~2 µs the
    first time it is written (more where the host backs it afresh), time the thread that writes it
    next need not spend. Their contents are left as they are (`MADV_POPULATE_WRITE`), so whatever
    writes them meanwhile is not disturbed; a region freed meanwhile is refused, not touched."""
    if _LIBC is None or not regions:
        return
    madvise = _LIBC.madvise
    madvise.argtypes, madvise.restype = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int), ctypes.c_int

    def fault_in() -> None:
        # Niced (Linux's nice is a thread's: `_LIBC` is glibc's on Linux alone): the faults are
        # worth doing on an idle core, never at the cost of the first paint or the file's child
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), FAULT_IN_NICE)
        except OSError:
            pass
        for address, size in regions:
            start = address - address % PAGESIZE
            madvise(start, size + address - start, _MADV_POPULATE_WRITE)

    threading.Thread(target=fault_in, name="logview-fault-in", daemon=True).start()

