"""`logview export --file`: a JSONL file filtered again, or written as CSV, without the network.

A file of one API is read as the viewer reads it (`store/whole_file.py`: its lines indexed, their
filter columns read; the rows left in file order), the view's filters pick the rows, and their
lines are written by the viewer's `s`'s writer (`files/writer.write_lines`; in JSONL each line's
bytes copied as they stand, exactly as the API returned them: until s29 each line's JSON was written
again, compact, and a line that is not JSON as a JSON string, unlike `s`): the bytes a save writes,
in the file's order, in the time a save takes plus the reading (each line was made an entry, ~35 times
that, s28 walk #2). A merged timeline's file (envelopes) is parsed a batch at a time, each line
keeping its source. On a terminal a progress line says how far it has got and a
last line how many entries were written (`logview: 37,918 entries of the 1,000,000 in x.jsonl`),
as an API's export says them.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import BinaryIO

from logview.cli.export import (EXIT_OK, EXIT_USAGE, CannotWrite, Reporter, _cannot_write, _open_output,
                                _quiet_broken_pipe, say_fieldless)
from logview.cli.output import output_name, what_was_written, writing
from logview.files.writer import on_a_terminal, written_in_place
from logview.model import Filters, counted
from logview.sanitize import clean_line
from logview.sources.base import Source
from logview.sources.mixed import MixedSource

FRAME_EVERY_S = 0.1  # the progress line is drawn again at most this often


class FileProgress:
    """How far a file's export has got, on the reporter's progress line (a terminal's)."""

    def __init__(self, reporter: Reporter, path: Path) -> None:
        self._reporter, self._name = reporter, clean_line(path.name)
        self._drawn = 0.0
        self._lines = 0  # the lines indexed
        # the entries written so far and those being written (said if it is stopped)
        self.written: Callable[[], tuple[int, int]] = lambda: (0, 0)

    def _draw(self, text: str, *, now: bool = False) -> None:
        moment = time.monotonic()
        if now or moment - self._drawn >= FRAME_EVERY_S:
            self._drawn = moment
            self._reporter.frame(f"{self._name}: {text}")

    def read(self, rows: int, share: float | None) -> None:
        """The lines indexed (`share`: of the file's bytes), then (`share` None) the rows whose
        fields are read (without lines indexed: the entries read, a merged timeline's file)."""
        if share is not None:
            self._lines = rows
            self._draw(f"reading · {rows:,} lines ({share:.0%})")
        elif self._lines:
            self._draw(f"reading fields · {rows:,} of {self._lines:,} ({rows / self._lines:.0%})")
        else:
            self._draw(f"reading · {counted(rows, 'entry', 'entries')}")

    def writing(self, total: int, stream: BinaryIO) -> WriteCount:
        """The count of the entries written to `stream`; none said when it is the terminal itself
        (the entries then follow each other there, the progress line cleared first)."""
        if on_a_terminal(stream):
            self._reporter.end(keep=False)
        count = WriteCount(None if on_a_terminal(stream) else self, total)
        self.written = lambda: (count.written, count.in_flight)
        return count


class WriteCount:
    """The entries written so far of `total`, said on the progress line (`progress`: if any)."""

    def __init__(self, progress: FileProgress | None, total: int) -> None:
        self._progress, self.total, self.written = progress, total, 0
        self.in_flight = 0  # the rows being written now
        if progress is not None:
            progress._draw(f"writing {counted(total, 'entry', 'entries')}", now=True)

    def writing(self, rows: int) -> None:
        self.in_flight = rows

    def __call__(self, rows: int) -> None:
        self.written, self.in_flight = self.written + rows, 0
        if self._progress is not None:
            self._progress._draw(f"writing · {self.written:,} of {counted(self.total, 'entry', 'entries')} "
                                 f"({self.written / self.total:.0%})")


class Exported:
    """What a file's export wrote: the entries that matched, of how many in the file, those left
    out of a CSV (not JSON objects), and those of the other API (a file mixing both: `_say_other_api`)."""

    def __init__(self, matched: int = 0, total: int = 0, fieldless: int = 0, other_api: int = 0) -> None:
        self.matched, self.total, self.fieldless, self.other_api = matched, total, fieldless, other_api

    @property
    def written(self) -> int:
        return self.matched - self.fieldless


def export_file(path: Path, source: Source, filters: Filters, *, fmt: str, output: Path | None,
                max_entries: int | None, verbose: bool = False) -> int:
    """Re-export a JSONL file (filtered, or to CSV) without touching the network; a mixed file
    (`source` a MixedSource) keeps each line's source. `max_entries`: the first N that match."""
    reporter = Reporter(sys.stderr, verbose=verbose)
    progress = FileProgress(reporter, path)
    with ExitStack() as stack:
        try:
            stream, publish = _open_output(stack, output)
        except CannotWrite as error:
            return _cannot_write(error)
        try:
            if isinstance(source, MixedSource):
                exported = _export_envelopes(path, source, filters, fmt, stream, output, max_entries, progress)
            else:
                exported = _export_lines(path, source, filters, fmt, stream, output, max_entries, progress)
            with writing(output_name(output)):
                publish()  # (no entries matched: an empty file, or a CSV's header, says so)
        except BrokenPipeError:
            reporter.end(keep=False)
            return _quiet_broken_pipe()
        except OSError as error:  # (the file read: `writing` has made the output's own errors OutputFailed)
            reporter.end(keep=False)
            print(f"logview: cannot read {path}: {error.strerror or error}", file=sys.stderr)
            return EXIT_USAGE
        except KeyboardInterrupt:  # (Ctrl-C, SIGTERM): whoever reads only the output must learn it is cut
            reporter.end()
            # (a file not written in place is never published: the entries written go with it)
            kept = output is None or written_in_place(output) is not None
            raise KeyboardInterrupt(what_was_written(output, *(progress.written() if kept else (0, 0)))) from None
        except BaseException:
            reporter.end()
            raise
    reporter.closing(f"logview: {counted(exported.written, 'entry', 'entries')} of the {exported.total:,} in "
                     f"{clean_line(path.name)}")
    say_fieldless(exported.fieldless, "line", "lines")
    if exported.other_api:
        _say_other_api(path, exported.other_api, exported.matched, source, fmt)
    return EXIT_OK


def _export_lines(path: Path, source: Source, filters: Filters, fmt: str, stream: BinaryIO, output: Path | None,
                  max_entries: int | None, progress: FileProgress) -> Exported:
    """A file of one API: read as the viewer reads it, its lines picked by a view and written."""
    from logview.files.jsonl import other_api_lines
    from logview.files.writer import write_lines
    from logview.store.view import FilteredView
    from logview.store.whole_file import read_whole_file

    store = read_whole_file(path, source, progress.read, newest_first=False)  # (in file order, as ever)
    try:
        index = FilteredView(store, filters).index
        index = index if max_entries is None else index[:max_entries]
        starts, lengths = store.column("start", index), store.column("length", index)
        with writing(output_name(output)):
            count = progress.writing(len(index), stream)
            writer = write_lines(stream, fmt, store.lines, starts, lengths, source, wrote=count, writing=count.writing)
        invalid = store.column("invalid", index)
        other = other_api_lines(store.lines, starts[invalid].tolist(), lengths[invalid].tolist(), source.kind) \
            if source.kind in ("aitronos", "supermetrics") and invalid.any() else 0
        return Exported(len(index), len(store), writer.fieldless if writer else 0, other)
    finally:
        store.close()


def _export_envelopes(path: Path, source: MixedSource, filters: Filters, fmt: str, stream: BinaryIO,
                      output: Path | None, max_entries: int | None, progress: FileProgress) -> Exported:
    """A merged timeline's file: its entries in file order, a batch at a time, each with its source."""
    from logview.files.mixed import iter_envelope_batches
    from logview.files.writer import EntryWriter

    exported, remaining = Exported(), max_entries
    with writing(output_name(output)):
        writer = EntryWriter(stream, fmt, source)
        progress.written = lambda: (writer.written, writer.in_flight)
        for origins, batch in iter_envelope_batches(path):
            exported.total += len(batch)
            progress.read(exported.total, None)
            matching = [i for i, entry in enumerate(batch) if source.matches(entry, filters)]
            if remaining is not None:
                matching = matching[:remaining]
                remaining -= len(matching)
            writer.write([batch[i] for i in matching], [origins[i] for i in matching])
            exported.matched += len(matching)
            if remaining == 0:
                break
    exported.fieldless = writer.fieldless
    return exported


def _say_other_api(path: Path, count: int, written: int, source: Source, fmt: str) -> None:
    """A file mixing both APIs: the other's entries, written invalid (in a CSV, under this API's
    columns, mostly empty), and how to write the other half instead."""
    from logview.files.jsonl import API_NAMES, mix_words, other_half_words

    where = (f"written under the {API_NAMES[source.kind]} columns, mostly empty (--format jsonl keeps each line "
             "as it is)" if fmt == "csv" else "written as they are")
    print(f"logview: {clean_line(path.name)}: {mix_words(count, written, source.kind)}; they were {where}; "
          f"{other_half_words(source.kind)}",
          file=sys.stderr)
