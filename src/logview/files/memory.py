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
"""

from __future__ import annotations

import ctypes
import platform

# glibc's name on every Linux it runs on, opened by that name: `ctypes.util.find_library("c")`
# ran `ldconfig -p` in a subprocess at each launch, ~4 ms of a big file's first rows.
GLIBC_NAME = "libc.so.6"


def _glibc() -> ctypes.CDLL | None:
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    try:
        libc = ctypes.CDLL(GLIBC_NAME)
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") else None


_LIBC = _glibc()


def release_free_memory() -> bool:
    """Return the heaps' free pages to the system (after a read: its small objects are gone)."""
    return _LIBC is not None and _LIBC.malloc_trim(0) == 1
