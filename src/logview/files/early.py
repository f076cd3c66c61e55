"""A file's reading begun as soon as the command line names it, while the viewer starts up.

The viewer's imports and set-up take most of a second of one core; the second core sits idle.
Two parts of reading the file use it: the line scan (every row reachable at the first paint) and,
for a big file, the filter columns of the back of the file (exact counts ~1–2 s sooner). For a big
file a child process does both (`split_read.BackReader`: the lines first, `child_index.py`); for
another, a thread scans the lines (`prescan.EarlyScan`). The command line starts them (`begin`);
the viewer's first reading of that path takes them (`take`), and a later reading (a reload) scans
afresh and reads the whole file itself.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import msgspec

from logview.files.lines import LineChunk, scan_lines
from logview.files.prescan import EarlyScan
from logview.files.split_read import BackReader, fork_back_reader


class LineScan(Protocol):
    def chunks(self) -> Iterator[LineChunk]:
        """The chunks of `scan_lines(path)`, as they are found (once)."""


class EarlyReading(msgspec.Struct):
    """What was started for one path, until the viewer takes it: the scan of its lines (the
    child's, for a big file) and the child reading the back's columns."""

    scan: LineScan
    back: BackReader | None


class Reading(msgspec.Struct):
    """What a reading of a file starts from: its line chunks (the early scan's, or a scan of its
    own) and the child reading its back, if one was started for it."""

    chunks: Iterator[LineChunk]
    back: BackReader | None


SWITCH_INTERVAL_S = 0.001
_started: dict[Path, EarlyReading] = {}
_lock = threading.Lock()


def begin(path: Path, kind: str, *, with_child: bool) -> None:
    """Start reading `path` (a file of `kind`) now, for the viewer's first reading to take.
    `with_child`: the whole file will be read (no --max-entries), so a big one's back may be
    read by a child. A second call for the same path changes nothing."""
    with _lock:
        if path in _started:
            return
        back = fork_back_reader(path, kind) if with_child else None  # (before any thread: a fork)
        # A scan in a thread gives up the interpreter's lock in each numpy call and must win it
        # back from the imports, which keep it up to a switch interval at a time: at the default
        # 5 ms a million lines were indexed in ~0.75 s instead of ~0.15 s alone (the viewer runs
        # at 1 ms). A big file's child scans in a process of its own.
        sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL_S))
        _started[path] = EarlyReading(back.index if back is not None else EarlyScan(path), back)


def take(path: Path) -> Reading:
    """What was started for `path` if it is not taken yet, else a scan of its own."""
    with _lock:
        early = _started.pop(path, None)
    if early is None:
        return Reading(scan_lines(path), None)
    return Reading(early.scan.chunks(), early.back)


def started(path: Path) -> EarlyReading | None:
    """What was started for `path` and not taken yet (for tests and diagnostics)."""
    with _lock:
        return _started.get(path)
