"""Give a file read's large transient buffers back to the system (glibc's malloc only).

Why: reading a file allocates buffers of a few MB again and again (the chunk being scanned, its
newline mask, a chunk's bytes while its columns are read), then frees them. glibc serves a block
that large with its own `mmap` and unmaps it on free, but each such free *raises* the threshold
(up to 32 MiB) so that the next ones come from the heap instead, where freed memory stays in the
process, fragmented among small objects: measured on 1M-entry files, 40 MiB (Supermetrics) and
70 MiB (Aitronos) held free in the heaps once reading ended, counted in the peak RSS. Holding the
threshold fixed (at 1 MiB) keeps every large block mapped on its own, so its memory
goes back when it is freed. Elsewhere (macOS, musl) nothing is done.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import platform

# Not glibc's default (128 KiB): blocks of 128 KiB-1 MiB (a chunk's columns, lists of a chunk's
# values) come and go too often: each mapped anew cost ~0.25 s more system time on a 1M-line file
# for ~1 MiB less memory.
MMAP_THRESHOLD = 1 << 20
# Fixing the mmap threshold also fixes the heap's trim threshold at glibc's 128 KiB: the heap's top
# then goes back to the system at nearly every free and faults in again at the next allocations.
# 16 MiB kept free at the top (given back when a read ends, `release_free_memory`): the Aitronos 1M
# file read in 8.1 s of CPU instead of 9.9 (2 of 2 paired runs; Supermetrics the same either way),
# for 3–5 MiB more peak RSS.
TRIM_THRESHOLD = 16 << 20
_M_MMAP_THRESHOLD, _M_TRIM_THRESHOLD = -3, -1  # mallopt's parameter numbers (malloc.h)


def _glibc() -> ctypes.CDLL | None:
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None


_LIBC = _glibc()


def unpool_large_blocks() -> bool:
    """Serve blocks of MMAP_THRESHOLD bytes or more with their own mapping, for the rest of the
    process (returns whether it could: glibc only)."""
    return _LIBC is not None and _LIBC.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1 \
        and _LIBC.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1


def release_free_memory() -> bool:
    """Return the heaps' free pages to the system (after a read: its small objects are gone)."""
    return _LIBC is not None and _LIBC.malloc_trim(0) == 1
