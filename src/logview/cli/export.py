"""`logview export`: entries to stdout or a file, messages to stderr.

JSONL carries each entry exactly as the API returned it; CSV the source's known columns. Every
page is flushed as it is written, so whatever was fetched before a failure or Ctrl-C stays written.
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import BinaryIO, TextIO

from logview.api.types import RequestRecord, RetryEvent, RetryPolicy
from logview.model import ApiFailure, Filters, LogEntry
from logview.options import Connection
from logview.api.paging import BackfillDone, EntriesLoaded, Notice, Pager
from logview.sources.base import Source, dump_json
from logview.files.envelope import envelope_line
from logview.sources.mixed import MixedSource

EXIT_OK, EXIT_API = 0, 3


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


class Reporter:
    """Messages on stderr: a live progress line on a terminal, request lines with -v."""

    def __init__(self, stream: TextIO, *, verbose: bool) -> None:
        self._stream = stream
        self._verbose = verbose
        self._live = stream.isatty()
        self._line_open = False

    def _say(self, text: str) -> None:
        self._end_progress()
        print(text, file=self._stream, flush=True)

    def _end_progress(self) -> None:
        if self._line_open:
            self._stream.write("\n")
            self._line_open = False

    def request(self, record: RequestRecord) -> None:
        if self._verbose:
            status = record.status if record.status is not None else "-"
            outcome = "" if record.outcome == "ok" else f" {record.outcome}"
            self._say(f"{record.method} {record.target} → {status}{outcome} ({record.elapsed_s * 1000:.0f} ms)")

    def progress(self, event: EntriesLoaded) -> None:
        if not self._live:
            return
        total = f" of {event.total:,}" if event.total is not None else ""
        self._stream.write(f"\r\x1b[K{event.loaded:,}{total} entries, {event.pages:,} pages")
        self._stream.flush()
        self._line_open = True

    def retry(self, event: RetryEvent) -> None:
        self._say(f"logview: {event.describe()}")

    def notice(self, event: Notice) -> None:
        self._say(f"logview: {event.message}")

    def done(self, event: BackfillDone) -> None:
        if self._live or self._verbose:
            self._say(f"logview: {event.loaded:,} entries in {event.pages:,} pages")
        else:
            self._end_progress()

    def failure(self, message: str, detail: str | None) -> None:
        self._say(f"logview: {message}")
        if detail:
            self._say(f"  {detail}")


async def _export(connection: Connection, filters: Filters, writer: EntryWriter, reporter: Reporter,
                  max_entries: int | None) -> int:
    client = connection.client(policy=RetryPolicy(), on_request=reporter.request)
    async with client:
        pager = Pager(connection.source, client, filters, max_entries=max_entries)
        try:
            async for event in pager.backfill():
                if isinstance(event, EntriesLoaded):
                    writer.write(event.entries)
                    reporter.progress(event)
                elif isinstance(event, RetryEvent):
                    reporter.retry(event)
                elif isinstance(event, Notice):
                    reporter.notice(event)
                elif isinstance(event, BackfillDone):
                    reporter.done(event)
        except ApiFailure as failure:
            detail = failure.error.detail
            reporter.failure(client.redact(failure.describe()), client.redact(detail) if detail else None)
            return EXIT_API
    return EXIT_OK


def _open_output(stack: ExitStack, output: Path | None) -> BinaryIO:
    if output is None:
        return sys.stdout.buffer
    return stack.enter_context(output.open("wb"))


def _quiet_broken_pipe() -> int:
    """The reader went away (`| head`): stop quietly, and stop Python complaining at exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return EXIT_OK


def export_connection(connection: Connection, filters: Filters, *, fmt: str, output: Path | None,
                      verbose: bool, max_entries: int | None) -> int:
    reporter = Reporter(sys.stderr, verbose=verbose)
    with ExitStack() as stack:
        writer = EntryWriter(_open_output(stack, output), fmt, connection.source)
        try:
            return asyncio.run(_export(connection, filters, writer, reporter, max_entries))
        except BrokenPipeError:
            return _quiet_broken_pipe()
        finally:
            writer.detach()
    return EXIT_OK  # pragma: no cover


def export_file(path: Path, source: Source, filters: Filters, *, fmt: str, output: Path | None,
                max_entries: int | None) -> int:
    """Re-export a JSONL file (filtered, or to CSV) without touching the network; a mixed file
    (`source` a MixedSource) keeps each line's source."""
    remaining = max_entries
    with ExitStack() as stack:
        writer = EntryWriter(_open_output(stack, output), fmt, source)
        try:
            for batch, origins in _file_batches(path, source):
                matching = [i for i, entry in enumerate(batch) if source.matches(entry, filters)]
                if remaining is not None:
                    matching = matching[:remaining]
                    remaining -= len(matching)
                writer.write([batch[i] for i in matching], None if origins is None else [origins[i] for i in matching])
                if remaining == 0:
                    break
        except BrokenPipeError:
            return _quiet_broken_pipe()
        finally:
            writer.detach()
    return EXIT_OK


def _file_batches(path: Path, source: Source) -> Iterator[tuple[list[LogEntry], list[str] | None]]:
    """A file's entries in file order, in batches, with the source of each for a mixed file."""
    if isinstance(source, MixedSource):
        from logview.files.mixed import iter_envelope_batches

        for origins, entries in iter_envelope_batches(path):
            yield entries, origins
        return
    from logview.files.jsonl import iter_file_batches

    for batch in iter_file_batches(path, source.kind):
        yield batch, None
