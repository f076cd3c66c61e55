"""Writing entries to a file or stream, in the two formats logview writes: JSONL (each entry
exactly as received) and CSV (the source's known columns). `export` and the viewer's `s` share
these, and the one rule that picks the format from a file's name."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO, TextIO

from logview.files.envelope import envelope_line
from logview.model import LogEntry
from logview.sources.base import Source, dump_json
from logview.sources.mixed import MixedSource


# What a file name's extension says about its format; `--format` overrides it. JSONL goes by many
# names (BigQuery and others write NDJSON as .json; a log is often .log or .txt), CSV by one.
JSONL_EXTENSIONS = (".jsonl", ".ndjson", ".json", ".log", ".txt")
CSV_EXTENSIONS = (".csv",)


class UnknownFormat(ValueError):
    """A file name whose extension promises a format logview does not write (`logs.xlsx`)."""


def format_for(fmt: str | None, output: Path | None) -> str:
    """The one rule for `export` and the viewer's `s`: an explicit --format wins; otherwise the
    output's extension (`.csv`: CSV; `.jsonl`, `.ndjson`, `.json`, `.log`, `.txt` or none: JSONL);
    stdout is JSONL. Any other extension raises UnknownFormat rather than write JSONL under a name
    that promises something else. Only letters make an extension: `logs.2025-11-15` has none."""
    if fmt:
        return fmt
    if output is None:
        return "jsonl"
    suffix = output.suffix.lower()
    if suffix in CSV_EXTENSIONS:
        return "csv"
    if suffix in JSONL_EXTENSIONS or not suffix[1:].isalpha():
        return "jsonl"
    raise UnknownFormat(f"cannot tell the format from {suffix!r}: name the file {', '.join(JSONL_EXTENSIONS)} "
                        f"(JSONL) or {', '.join(CSV_EXTENSIONS)} (CSV)")


class EntryWriter:
    """Writes batches of entries in one format and flushes after each batch. Entries of both APIs
    (a `MixedSource`) are written with the source each comes from: JSONL as envelopes (see
    `sources/envelope.py`), CSV with a leading `source` column."""

    def __init__(self, stream: BinaryIO, fmt: str, source: Source) -> None:
        self._stream = stream
        self._source = source
        self._mixed = source if isinstance(source, MixedSource) else None
        self._csv: csv.writer | None = None  # type: ignore[valid-type]
        self._text: TextIO | None = None
        if fmt == "csv":
            # errors: a lone surrogate (JSON `"\ud800"`) is written as `\ud800`, not a crash
            self._text = io.TextIOWrapper(stream, encoding="utf-8", errors="backslashreplace", newline="",
                                          write_through=True)
            self._csv = csv.writer(self._text)
            self._csv.writerow(source.csv_columns)
        self.written = 0

    def write(self, entries: Sequence[LogEntry], origins: Sequence[str] | None = None) -> None:
        """`origins`: for entries of both APIs, the source each comes from (an entry does not know it)."""
        mixed = self._mixed
        if mixed is not None and origins is None:
            raise ValueError("entries of both APIs are written with their sources")
        if self._csv is not None:
            self._csv.writerows(map(mixed.csv_row, entries, origins) if mixed else map(self._source.csv_row, entries))
            self._text.flush()  # type: ignore[union-attr]
        else:
            lines = map(envelope_line, origins, entries) if mixed else (dump_json(entry.raw) for entry in entries)
            self._stream.write(b"".join(line + b"\n" for line in lines))
            self._stream.flush()
        self.written += len(entries)

    def detach(self) -> None:
        """Let go of the stream without closing it (stdout stays usable)."""
        if self._text is not None:
            self._text.detach()
