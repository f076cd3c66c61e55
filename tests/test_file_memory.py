"""A file read's large transient buffers go back to the system when freed (glibc only), and the
chunks a read hands out are exactly the file's bytes."""

from __future__ import annotations

import platform
import subprocess
import sys
from pathlib import Path

import pytest

from logview.files.lines import scan_lines

GLIBC = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"

# In a fresh process: blocks of 4 MiB freed among small objects that stay. With the threshold
# left to glibc, each free raises it and the next blocks come from the heap, where the memory
# stays once freed; held fixed, each block is unmapped when freed.
_CHURN = """
import sys
from logview.files.memory import unpool_large_blocks, release_free_memory
if sys.argv[1] == "fixed":
    assert unpool_large_blocks()
def rss_mib():
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS")) / 1024
bytearray(4 << 20)  # freed at once: with the threshold left to glibc, this raises it
keep = []
blocks = []
for i in range(24):
    big = bytearray(4 << 20)
    big[::4096] = b"x" * len(big[::4096])
    blocks.append(big)
    keep.append(bytes(1000))  # (malloc's, not Python's small-object pools) pin the heap's top
before = rss_mib()
blocks.clear()
print(before - rss_mib())
"""


@pytest.mark.skipif(not GLIBC, reason="glibc's malloc only")
def test_large_blocks_go_back_to_the_system_when_freed(tmp_path: Path) -> None:
    def freed(mode: str) -> float:
        out = subprocess.run([sys.executable, "-c", _CHURN, mode], capture_output=True, text=True, check=True)
        return float(out.stdout)

    assert freed("fixed") >= 80  # all 96 MiB, give or take
    assert freed("dynamic") < 40  # what the fix is for: most stays in the heap


def test_chunks_with_data_are_the_files_bytes_whatever_the_cuts(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    lines = [b'{"n":%d,"pad":"%s"}' % (i, b"y" * (i * 37 % 300)) for i in range(400)]
    path.write_bytes(b"\n".join(lines) + b"\n\n  \n" + b'{"torn":1}')
    for chunk_bytes in (64, 1000, 4096, 1 << 20):
        chunks = list(scan_lines(path, chunk_bytes=chunk_bytes, first_bytes=50, with_data=True))
        assert [line for chunk in chunks for line in chunk.lines()] == [*lines, b'{"torn":1}']
        assert chunks[-1].scanned == path.stat().st_size
