"""Writing the filtered view to a file (`s`): the same formats as `logview export`.

JSONL holds each raw entry exactly as received; CSV the source's columns. The file is written
next to its destination and renamed into place, so a failed save never leaves half a file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from logview.export import EntryWriter, format_for
from logview.model import LogEntry
from logview.sources.base import Source

CHUNK = 5000


def save_entries(path: Path, entries: list[LogEntry], source: Source) -> int:
    """Write `entries` to `path` (CSV for `.csv`, JSONL otherwise); returns how many."""
    fmt = format_for(None, path)
    directory = path.parent if str(path.parent) else Path(".")
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "wb") as stream:
            writer = EntryWriter(stream, fmt, source)
            for start in range(0, len(entries), CHUNK):
                writer.write(entries[start:start + CHUNK])
            writer.detach()
        os.replace(temp_name, path)
    except BaseException:
        try:
            os.unlink(temp_name)
        except OSError:
            pass
        raise
    return len(entries)
