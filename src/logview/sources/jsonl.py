"""Read back JSONL files written by `logview export`: one raw API entry per line, newest first.

Files are untrusted: blank lines are skipped, and a line that is not JSON (a torn last line,
invalid UTF-8) becomes an invalid entry holding the text, so it is shown, not lost.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from logview.model import LogEntry, SourceKind
from logview.sources.aitronos import AitronosSource
from logview.sources.base import InvalidBody, Source, invalid_entry, load_json
from logview.sources.supermetrics import SupermetricsSource

DETECT_LINES = 50


class UnknownFileFormat(ValueError):
    """The file's entries match neither API's shape; pass `--source` to say which it is."""


def source_for_kind(kind: SourceKind) -> Source:
    """A parsing-only source (files never touch the network, so ids and URLs are placeholders)."""
    if kind == "aitronos":
        return AitronosSource("file")
    return SupermetricsSource(1, "file")


def detect_kind(path: Path) -> SourceKind:
    """Which API wrote this file, from the time field of its first readable entries."""
    with path.open("rb") as handle:
        for number, line in enumerate(handle):
            if number >= DETECT_LINES:
                break
            if not line.strip():
                continue
            try:
                raw = load_json(line)
            except InvalidBody:
                continue
            if isinstance(raw, dict):
                if "log_time" in raw:
                    return "supermetrics"
                if "created_at" in raw:
                    return "aitronos"
    raise UnknownFileFormat(
        f"{path}: cannot tell which API wrote this file (no `created_at` or `log_time` field "
        "in its first entries); pass --source aitronos or --source supermetrics"
    )


def entry_from_line(source: Source, line: bytes) -> LogEntry:
    """One file line (without its line break) as an entry; a line that is not JSON becomes an
    invalid entry holding its text."""
    try:
        raw = load_json(line)
    except InvalidBody as error:
        text = line.decode("utf-8", errors="replace")
        return invalid_entry(text, source.kind, source.time_field, f"not JSON: {error}")
    return source.entry_from_raw(raw)


def iter_file_batches(path: Path, kind: SourceKind, batch_size: int = 5000) -> Iterator[list[LogEntry]]:
    """Entries in file order, in batches, never raising on a bad line."""
    source = source_for_kind(kind)
    batch: list[LogEntry] = []
    with path.open("rb") as handle:
        for line in handle:
            if not line.strip():
                continue
            batch.append(entry_from_line(source, line.rstrip(b"\r\n")))
            if len(batch) >= batch_size:
                yield batch
                batch = []
    if batch:
        yield batch
