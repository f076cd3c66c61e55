"""A file's lines found while the viewer is still starting up.

Why: the viewer's imports and set-up take most of a second of one core, and the second core sits
idle meanwhile. Finding a file's lines (`lines.scan_lines`) is reads and numpy passes that run
without the interpreter's lock, so a thread started as soon as the command line names the file
indexes a million lines (~0.3 s) in that idle time: every row is reachable (`G`) at the first
paint instead of ~0.5 s after it, and reading the filter columns starts that much sooner.

The command line starts it, and the viewer's first reading takes it, through `early.py`.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from pathlib import Path

from logview.files.lines import LineChunk, scan_lines

_END = object()


class EarlyScan:
    """`scan_lines(path)` run in a daemon thread; its chunks are handed out in order by `chunks`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._found: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._scan, name="logview-line-scan", daemon=True)
        self._thread.start()

    def _scan(self) -> None:
        try:
            for chunk in scan_lines(self.path):
                if self._stopped.is_set():
                    return
                self._found.put(chunk)
        except BaseException as exc:  # handed to whoever reads the chunks, as a scan of its own would raise it
            self._found.put(exc)
        finally:
            self._found.put(_END)

    def chunks(self) -> Iterator[LineChunk]:
        """The chunks as `scan_lines(path)` yields them, waiting for each; an error of the scan
        is raised here. Closing the iterator early stops the scan (its chunks are not kept)."""
        try:
            while (item := self._found.get()) is not _END:
                if isinstance(item, BaseException):
                    raise item
                yield item  # type: ignore[misc]
        finally:
            self.stop()

    def stop(self) -> None:
        self._stopped.set()
