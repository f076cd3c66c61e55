"""A file's reading begun as soon as the command line names it, while the viewer starts up.

The viewer's imports and set-up take most of a second of one core; the second core sits idle.
Two parts of reading the file use it: the line scan in a thread (`prescan.EarlyScan`: every row
reachable at the first paint) and, for a big file, a child process that reads the filter columns
of the back of the file (`split_read.BackReader`: exact counts ~1–2 s sooner). The command line
starts them (`begin`), the child first (a fork copies only the calling thread: it must come
before any thread exists); the viewer's first reading of that path takes them (`take`), and a
later reading (a reload) scans afresh and reads the whole file itself.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from logview.files.lines import LineChunk, scan_lines
from logview.files.prescan import EarlyScan
from logview.files.split_read import BackReader, fork_back_reader


@dataclass
class EarlyReading:
    """What was started for one path, until the viewer takes it."""

    scan: EarlyScan
    back: BackReader | None


@dataclass
class Reading:
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
        back = fork_back_reader(path, kind) if with_child else None  # (before the scan's thread)
        # The scan gives up the interpreter's lock in each numpy call and must win it back from
        # the imports, which keep it up to a switch interval at a time: at the default 5 ms a
        # million lines were indexed in ~0.75 s instead of ~0.15 s alone. (The viewer runs at 1 ms.)
        sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL_S))
        # The child is let go once the scan has ended: the second core is then idle until the
        # viewer reads the columns (~0.3 s later for a million lines).
        _started[path] = EarlyReading(EarlyScan(path, when_done=back.begin if back else None), back)


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
