"""Writing entries to a file or stream, in the two formats logview writes: JSONL (each entry
exactly as received) and CSV (the source's known columns). `export` and the viewer's `s` share
these, and the one rule that picks the format from a file's name."""

from __future__ import annotations

import csv
import os
import secrets
import stat
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from logview.files.envelope import envelope_line
from logview.files.lines import LineFile
from logview.model import LogEntry
from logview.sanitize import inert_copied_line, inert_json, visible
from logview.sources.base import InvalidBody, Source, dump_json, load_json
from logview.sources.mixed import MixedSource
from logview.sources.typed_page import raw_values


# What a file name's extension says about its format; `--format` overrides it. JSONL goes by many
# names (BigQuery and others write NDJSON as .json; a log is often .log or .txt), CSV by one.
JSONL_EXTENSIONS = (".jsonl", ".ndjson", ".json", ".log", ".txt")
CSV_EXTENSIONS = (".csv",)


class UnknownFormat(ValueError):
    """A file name whose extension promises a format logview does not write (`logs.xlsx`)."""


def _named_format(path: Path) -> str | None:
    """The format `path`'s extension names, if it names one logview writes."""
    suffix = path.suffix.lower()
    return "csv" if suffix in CSV_EXTENSIONS else "jsonl" if suffix in JSONL_EXTENSIONS else None


def format_for(fmt: str | None, output: Path | None) -> str:
    """The one rule for `export` and the viewer's `s`: an explicit --format wins; otherwise the
    output's extension (`.csv`: CSV; `.jsonl`, `.ndjson`, `.json`, `.log`, `.txt` or none: JSONL);
    stdout is JSONL. Any other extension raises UnknownFormat rather than write JSONL under a name
    that promises something else. Only letters make an extension: `logs.2025-11-15` has none."""
    if fmt:
        return fmt
    if output is None:
        return "jsonl"
    named = _named_format(output)
    if named:
        return named
    suffix = output.suffix.lower()
    if not suffix[1:].isalpha():
        return "jsonl"
    raise UnknownFormat(f"cannot tell the format from {suffix!r}: name the file {', '.join(JSONL_EXTENSIONS)} "
                        f"(JSONL) or {', '.join(CSV_EXTENSIONS)} (CSV)")


def name_contradiction(fmt: str, output: Path | None) -> str | None:
    """What to warn when an explicit format is not the one the output's name says (`--format csv
    -o logs.ndjson`): the format given wins, but whoever opens the file goes by its name."""
    named = _named_format(output) if output is not None else None
    if output is not None and named is None and output.suffix[1:].isalpha():
        return f"writing {fmt.upper()} to {output}: logview writes no {output.suffix} files, whatever its name says"
    if named is None or named == fmt:
        return None
    return f"writing {fmt.upper()} to {output}: its name says {named.upper()}"


class OutputFile:
    """A file that takes its name only once entries are in it (`publish`), or when the export
    ends well: it is written beside its place and renamed into place, so a failed export leaves
    no empty file behind, nor an older file of that name emptied. Once published the writing goes
    on into it, so the entries written stay written when a later page fails. A link stays a link:
    the file it names is written so, beside itself (written through, a save stopped at a quit left
    it half written). A name that is not a regular file (`/dev/stdout`, a pipe) is written through
    directly (`written_in_place` says why)."""

    def __init__(self, path: Path) -> None:
        self.path = _linked_file(path)
        self._temp: Path | None = None
        if self.path.is_symlink() or (self.path.exists() and not self.path.is_file()):
            self.stream: BinaryIO = self.path.open("wb")
            return
        try:
            handle, self._temp = self._create_beside()
        except PermissionError:
            if not self.path.is_file():
                raise
            self.stream = self.path.open("wb")  # a file we may write in a folder we may not: in place
            return
        if self.path.exists():  # the new file keeps the old one's permissions, as writing into it would
            os.fchmod(handle, stat.S_IMODE(self.path.stat().st_mode))
        self.stream = os.fdopen(handle, "wb")

    def _create_beside(self) -> tuple[int, Path]:
        while True:  # 0o666 and the umask: the permissions opening the file itself would give
            temp = self.path.with_name(f".{self.path.name}.{secrets.token_hex(4)}.partial")
            try:
                return os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), temp
            except FileExistsError:
                continue

    def publish(self) -> None:
        if self._temp is not None:
            self.stream.flush()
            os.replace(self._temp, self.path)
            self._temp = None

    def __enter__(self) -> OutputFile:
        return self

    def __exit__(self, failing: type[BaseException] | None, *_: object) -> None:
        """Close; a file never published is removed, as if it had never been begun."""
        try:
            self.stream.close()
        except OSError:  # what a failed write left in the buffer fails again (a full disk):
            if failing is None:  # the failure on its way says it, not this second one
                raise
        finally:
            if self._temp is not None:
                self._temp.unlink(missing_ok=True)


def _linked_file(path: Path) -> Path:
    """The file a link names (to be written, or not there yet), else `path` itself. A link that
    opens though its target's name is nowhere (`/dev/stdout` into a pipe names `pipe:[N]`) is
    written through: followed, its name was created and failed (found in a walk)."""
    if not path.is_symlink():
        return path
    try:
        target = path.resolve()
    except (OSError, RuntimeError):  # (a loop of links: written through, and failing, as before)
        return path
    return target if target.is_file() or not path.exists() else path


def written_in_place(path: Path) -> str | None:
    """Why `OutputFile(path)` writes straight into its target, so that what is written cannot be
    taken back (a save stopped at a quit leaves it there), in words: `a pipe`; None when it is
    written beside its place and renamed into it."""
    try:
        mode = path.stat().st_mode  # (through a link: what it names)
    except OSError:
        return None
    if stat.S_ISFIFO(mode):
        return "a pipe"
    if not stat.S_ISREG(mode):
        return "not a regular file"
    return None if os.access(_linked_file(path).parent, os.W_OK) else "written in place: its folder cannot be written"


class EntryWriter:
    """Writes batches of entries in one format and flushes after each batch. Entries of both APIs
    (a `MixedSource`) are written with the source each comes from: JSONL as envelopes (see
    `sources/envelope.py`), CSV with a leading `source` column. `on_first_entries` is called once
    the first entries are written and flushed. On a terminal the control characters an entry
    holds are written visible and inert (`sanitize.visible`, `inert_json`): a logged `ESC ]0;…`
    retitled the terminal (s21 walk #3); to a file or a pipe every byte stays as it was."""

    def __init__(self, stream: BinaryIO, fmt: str, source: Source,
                 on_first_entries: Callable[[], None] | None = None) -> None:
        self._stream = stream
        self._on_first_entries = on_first_entries
        self._source = source
        self._mixed = source if isinstance(source, MixedSource) else None
        self._csv: csv.writer | None = None  # type: ignore[valid-type]
        self.on_terminal = on_a_terminal(stream)  # (control characters made inert; a progress line cleared first)
        if fmt == "csv":
            self._csv = csv.writer(_EncodedRows(stream))
            self._csv.writerow(source.csv_columns)
        self.written = 0
        self.in_flight = 0  # entries being written now (stopped midway, the output may hold part of them)
        self.fieldless = 0  # entries with no field (a line that is not a JSON object): no CSV row

    def write(self, entries: Sequence[LogEntry], origins: Sequence[str] | None = None) -> None:
        """`origins`: for entries of both APIs, the source each comes from (an entry does not know it)."""
        mixed = self._mixed
        if mixed is not None and origins is None:
            raise ValueError("entries of both APIs are written with their sources")
        self.in_flight = len(entries)
        if self._csv is not None:
            entries, origins = self._with_fields(entries, origins)
            self._write_rows(map(mixed.csv_row, entries, origins) if mixed else map(self._source.csv_row, entries))
        else:
            lines = map(envelope_line, origins, entries) if mixed else map(dump_json, raw_values(list(entries)))
            if self.on_terminal:
                lines = map(inert_json, lines)
            self._stream.write(b"".join(line + b"\n" for line in lines))
        self._flushed(len(entries))

    def write_parsed(self, values: Sequence[Any]) -> None:
        """CSV rows of one source's file lines as parsed (`load_json`; None: not JSON), no entry made:
        what `write` writes of their entries, the row of each JSON object (a file's CSV took ~30%
        longer making each line's entry, its time parsed and its fields checked, for a row of its fields)."""
        assert self._csv is not None and self._mixed is None, "a CSV of one source"
        objects = [value for value in values if isinstance(value, dict)]
        self.fieldless += len(values) - len(objects)
        self.in_flight = len(objects)
        self._write_rows(map(self._source.csv_row_of, objects))
        self._flushed(len(objects))

    def _write_rows(self, rows: Iterable[list[str]]) -> None:
        assert self._csv is not None
        self._csv.writerows(([visible(cell) for cell in row] for row in rows) if self.on_terminal else rows)

    def _flushed(self, count: int) -> None:
        self._stream.flush()
        if count and not self.written and self._on_first_entries is not None:
            self._on_first_entries()
        self.written += count
        self.in_flight = 0

    def _with_fields(self, entries: Sequence[LogEntry],
                     origins: Sequence[str] | None) -> tuple[Sequence[LogEntry], Sequence[str] | None]:
        """The entries a CSV row can hold: one that is not a JSON object (a line of a file that is
        not JSON) has none of the columns, and its row was `,,,,,,` without a word (s21 walk #11);
        it is left out and counted in `fieldless`, for the caller to say."""
        if all(isinstance(entry.raw, dict) for entry in entries):
            return entries, origins
        kept = [i for i, entry in enumerate(entries) if isinstance(entry.raw, dict)]
        self.fieldless += len(entries) - len(kept)
        return [entries[i] for i in kept], None if origins is None else [origins[i] for i in kept]


def on_a_terminal(stream: object) -> bool:
    """Whether `stream` writes to a terminal (stdout, or `--output /dev/tty`); not when it cannot tell."""
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError, OSError):  # (no such method, or a closed stream)
        return False


class _EncodedRows:
    """What the CSV writer writes its rows into: each one encoded onto the byte stream at once.
    (A TextIOWrapper over stdout had to be detached at the end, which flushed again what a full
    disk had refused: a second error over the first; and left attached, it closed stdout.) A lone
    surrogate (JSON `"\\ud800"`) is written as `\\ud800`, not a crash."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream

    def write(self, row: str) -> None:
        self._stream.write(row.encode("utf-8", "backslashreplace"))


def copy_lines(stream: BinaryIO, lines: LineFile, starts: np.ndarray, lengths: np.ndarray, chunk: int = 5000, *,
               inert: bool = False) -> None:
    """Write a file's lines at `starts` byte for byte, each with the line break it had in the file:
    `\r\n` where it had one (a file written on Windows stays so), `\n` otherwise (also after a
    last line that had none). `inert`: to a terminal, each line's controls written as escapes
    (`sanitize.inert_copied_line`)."""
    for lo in range(0, len(starts), chunk):
        part = lengths[lo:lo + chunk]
        # one byte more than each line: its CR, if it ends in CR LF (a line's length leaves it out)
        read = lines.read_lines(starts[lo:lo + chunk], part.astype(np.int64) + 1)
        stream.write(b"".join((inert_copied_line(line[:n]) if inert else line[:n]) +
                              (b"\r\n" if line[n:] == b"\r" else b"\n")
                              for line, n in zip(read, part.tolist())))


def write_lines(stream: BinaryIO, fmt: str, lines: LineFile, starts: np.ndarray, lengths: np.ndarray,
                source: Source, *, wrote: Callable[[int], None] = lambda rows: None,
                writing: Callable[[int], None] = lambda rows: None, chunk: int = 5000) -> EntryWriter | None:
    """A file's lines at `starts` in `fmt`, as the viewer's `s` and `logview export --file` write
    them. JSONL: copied byte for byte (`copy_lines`: exactly as the API returned them, a line that
    is not JSON as it stands; on a terminal with its controls made inert). CSV parses them into the
    source's columns (a line that is not a JSON object left out: the writer returned counts it,
    `fieldless`; None for JSONL). `writing` hears of each chunk about to be written, `wrote` once it is."""
    writer = None if fmt == "jsonl" else EntryWriter(stream, fmt, source)
    inert = writer is None and on_a_terminal(stream)  # (`EntryWriter`'s rule: see there)
    for lo in range(0, len(starts), chunk):
        part = slice(lo, lo + chunk)
        writing(len(starts[part]))
        if writer is not None:
            writer.write_parsed([_parsed(line) for line in lines.read_lines(starts[part], lengths[part])])
        else:
            copy_lines(stream, lines, starts[part], lengths[part], chunk, inert=inert)
            stream.flush()  # (a pipe's reader sees each chunk as it is written)
        wrote(len(starts[part]))
    return writer


def _parsed(line: bytes) -> Any:
    """A file's line as `entry_from_line` parses it (None: not JSON), for its CSV row."""
    try:
        return load_json(line)
    except InvalidBody:
        return None
