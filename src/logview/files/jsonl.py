"""Read back JSONL files written by `logview export`: one raw API entry per line, newest first.
(The merged tab's files hold an envelope per line instead: `envelope.py`, `mixed_file.py`.)

Files are untrusted: blank lines are skipped, and a line that is not JSON (a torn last line,
invalid UTF-8) becomes an invalid entry holding the text, so it is shown, not lost.
"""

from __future__ import annotations

import csv
import re
import shlex
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Literal, TypeVar

from logview.model import LogEntry, SourceKind, sized
from logview.sources.aitronos import AitronosSource
from logview.sources.base import InvalidBody, Source, load_json, unreadable_reason
from logview.sources.invalid_entries import invalid_entry
from logview.files.envelope import is_envelope
from logview.files.lines import BOM, LineFile
from logview.files.not_jsonl import encoding_words, not_jsonl_words, wide_encoding
from logview.sources.mixed import MixedSource
from logview.sources.supermetrics import SupermetricsSource

DETECT_LINES = 50
FileKind = Literal["aitronos", "supermetrics", "mixed"]  # "mixed": envelopes, from the merged tab
_COLUMN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_ .-]{0,63}")
Parsed = TypeVar("Parsed")


class UnknownFileFormat(ValueError):
    """The file's entries match neither API's shape; pass `--source` to say which it is."""


class CsvExport(UnknownFileFormat):
    """A CSV written by logview: its columns are not the entries, so it cannot be read back."""


# What a compressed file starts with, its compression, and the suffix its tool expects: read as
# lines, its bytes became 143 rows of "invalid entry", and `export` wrote them out with exit 0
COMPRESSED = ((b"\x1f\x8b", "gzip", ".gz"), (b"BZh", "bzip2", ".bz2"),
              (b"\xfd7zXZ\x00", "xz", ".xz"), (b"\x28\xb5\x2f\xfd", "zstd", ".zst"))


def _decompress_hint(path: Path, tool: str, suffix: str) -> str:
    """A command that decompresses `path` whatever its name ("gunzip it first" was refused by
    gunzip for a name without .gz, s19 V8), into a file beside it that is not itself."""
    if path.name.endswith(suffix) and len(path.name) > len(suffix):
        plain = path.with_name(path.name[: -len(suffix)])
    else:
        plain = path.with_name(path.name.removesuffix(".jsonl") + ".plain.jsonl")
    return f"{tool} -dc {shlex.quote(str(path))} > {shlex.quote(str(plain))}"


API_NAMES = {"aitronos": "Aitronos", "supermetrics": "Supermetrics"}
# Each API's time field, in the order an entry is told by them (one holding both is Supermetrics')
_TIME_FIELDS: dict[SourceKind, str] = {"supermetrics": SupermetricsSource.time_field,
                                       "aitronos": AitronosSource.time_field}


def api_of(raw: object) -> SourceKind | None:
    """Which API an entry is of, told by its time field (`log_time`: Supermetrics)."""
    if not isinstance(raw, dict):
        return None
    return next((api for api, field in _TIME_FIELDS.items() if field in raw), None)


def other_api_entries(entries: list[LogEntry], kind: SourceKind) -> int:
    """How many of a file's `entries`, read as `kind`'s, are invalid because the other API's: a
    file that mixes both (`cat` of two exports) said nothing of it (s26 walk #2)."""
    return sum(1 for entry in entries if entry.invalid is not None and api_of(entry.raw) not in (None, kind))


def other_api_lines(lines: LineFile, starts: Iterable[int], lengths: Iterable[int], kind: SourceKind) -> int:
    """How many of a file's lines at `starts` (rows read invalid as `kind`'s) are the other API's
    entries, as `other_api_entries` counts them, each line read back and parsed (a file of one API
    has few or no invalid lines)."""
    other = 0
    for start, length in zip(starts, lengths):
        try:
            raw = load_json(lines.read(start, length))
        except (InvalidBody, OSError):
            continue
        other += api_of(raw) not in (None, kind)
    return other


def mix_words(count: int, total: int, kind: SourceKind) -> str:
    """"25 of its 51 entries are Supermetrics entries: the file is read as Aitronos"."""
    other = API_NAMES["aitronos" if kind == "supermetrics" else "supermetrics"]
    return (f"{count:,} of its {total:,} entr{'y' if total == 1 else 'ies'} {'is a' if count == 1 else 'are'} "
            f"{other} entr{'y' if count == 1 else 'ies'}: the file is read as {API_NAMES[kind]}")


def other_half_words(kind: SourceKind) -> str:
    """How to read a mixed file's other half: "--source supermetrics reads them instead"."""
    return f"--source {'aitronos' if kind == 'supermetrics' else 'supermetrics'} reads them instead"


def source_for_kind(kind: FileKind) -> Source:
    """A parsing-only source (files never touch the network, so ids and URLs are placeholders)."""
    if kind == "mixed":
        return MixedSource()
    if kind == "aitronos":
        return AitronosSource("file")
    return SupermetricsSource(1, "file")


def detect_kind(path: Path, given: SourceKind | None = None) -> FileKind:
    """What wrote this file: one API, the one most of its entries are (or `given` by --source,
    which on a file mixing both picks the half read), or the merged tab ("mixed") when they are
    envelopes. A CSV export, a compressed, empty or UTF-16 file, one that is not JSON Lines (a JSON
    array, pretty-printed JSON), --source on a mixed file, and --source on a file holding none of
    that API's entries, are refused saying what to do instead."""
    sample = _sniff(path)
    if sample == "mixed":
        if given is not None:
            raise UnknownFileFormat(f"{path} holds entries of both APIs, each with its source (saved from the "
                                    "merged tab); --source does not apply: open it without --source")
        return "mixed"
    if not sample.objects or (sample.first_line or b"").strip() in (b"[", b"{"):
        # (a JSON array was "cannot tell which API … pass --source", and --source then showed every
        # line invalid; found by a tester)
        raise UnknownFileFormat(not_jsonl_words(path, sample.first_line, sample.whole))
    votes = sample.votes
    found = max(votes, key=votes.__getitem__) if votes else None  # (a tie: the first seen)
    if given is not None and found is not None and given not in votes and \
            (searched := _bytes_without_field(path, given)) is not None:
        # (every line then read as invalid, s24 walk #9; a file mixing both is read as --source says, s27 walk #8)
        field, missing = _TIME_FIELDS[found], _TIME_FIELDS[given]
        # (a big file is sampled, not read whole: its words say what was read, s28 review)
        where, reads = ("", "none of it") if not searched else \
            (f", in the {sized(searched)} read of its {sized(path.stat().st_size)}", "few of its entries, if any")
        raise UnknownFileFormat(f"{path} looks like a{'n Aitronos' if found == 'aitronos' else ' Supermetrics'} "
                                f"export (its entries have {field}, not {missing}{where}): --source {given} would read "
                                f"{reads}; open it without --source (the API is told from its fields)")
    if given is not None:
        return given
    if found is None:
        raise UnknownFileFormat(
            f"{path}: cannot tell which API wrote this file (no `created_at` or `log_time` field "
            "in its first entries); pass --source aitronos or --source supermetrics"
        )
    return found


# A file up to this size has every line counted; a bigger one its first lines and PROBES runs of
# PROBE_LINES lines spread through it, so that the halves of `cat a.jsonl b.jsonl` are both seen
# (the first 50 lines' API read a half-and-half file as its minority's, s27 walk #8) while a
# million-line file's launch reads a few hundred lines, not 200 MB.
WHOLE_FILE_BYTES = 1 << 20
PROBES, PROBE_LINES = 16, 16


@dataclass
class _Sample:
    """What the lines read of a file hold: each API's entries counted (in the order first seen),
    the JSON objects among them, of an API or not, and the first line that is not blank."""

    votes: dict[SourceKind, int] = field(default_factory=dict)
    objects: int = 0
    first_line: bytes | None = None
    whole: bool = True  # every line of the file was read


def _sniff(path: Path) -> _Sample | Literal["mixed"]:
    """The lines of the whole file, or of a sample of it, counted."""
    sample = _Sample()
    with path.open("rb") as handle:
        start = handle.read(8)
        for magic, compression, suffix in COMPRESSED:
            if start.startswith(magic):
                raise UnknownFileFormat(f"{path} is {compression}-compressed: logview reads plain JSONL "
                                        f"(decompress it first: {_decompress_hint(path, compression, suffix)})")
        if encoding := wide_encoding(start):  # (its every line read as not JSON; found by a tester)
            raise UnknownFileFormat(encoding_words(path, encoding))
        handle.seek(0)
        size = path.stat().st_size
        first_lines = None if size <= WHOLE_FILE_BYTES else DETECT_LINES
        sample.whole = first_lines is None
        seen = _count_lines(path, handle, first_lines, sample, first=True)
        if seen == "mixed":
            return "mixed"
        if not seen and not handle.read(1):
            raise UnknownFileFormat(f"{path} is empty: it holds no entries" if not start else
                                    f"{path} holds only blank lines: it has no entries")
        if first_lines is not None:
            for probe in range(1, PROBES + 1):
                handle.seek(size * probe // (PROBES + 1))
                handle.readline()  # (the rest of a line begun before the probe)
                _count_lines(path, handle, PROBE_LINES, sample, first=False)
    return sample


def _count_lines(path: Path, handle: BinaryIO, most: int | None, sample: _Sample,
                 first: bool) -> int | Literal["mixed"]:
    """Counts each of the next `most` lines (all if None) into `sample`; how many were not blank,
    or "mixed" at an envelope. `first`: the file's start, where a CSV header is told."""
    seen = 0
    for number, line in enumerate(handle):
        if most is not None and number >= most:
            break
        if first and number == 0:
            line = line.removeprefix(BOM)
        if not line.strip():
            continue
        seen += 1
        if sample.first_line is None:
            sample.first_line = line
        try:
            raw = load_json(line)
        except InvalidBody:
            if first and seen == 1 and looks_like_csv_header(line):
                raise CsvExport(f"{path} is a CSV export; --file reads JSONL "
                                "(save or export with .jsonl to open it again)") from None
            continue
        if is_envelope(raw):
            return "mixed"
        sample.objects += isinstance(raw, dict)
        if kind := api_of(raw):
            sample.votes[kind] = sample.votes.get(kind, 0) + 1
    return seen


# Where a big file's sample found none of --source's entries, its bytes are searched for that API's
# time field over its first HEAD_BYTES and PROBES windows of PROBE_BYTES spread through it: a key
# is cheap to find in bytes (~5 MiB: a few ms), where reading a 1 GB file whole for it took seconds
HEAD_BYTES, PROBE_BYTES = 1 << 20, 1 << 18


def _bytes_without_field(path: Path, kind: SourceKind) -> int | None:
    """How many bytes of a big file were searched for `kind`'s time field as a key, where its lines'
    sample found none of `kind`'s entries, and none held it (0: a file whose every line was counted);
    None where one did: --source then reads what the user asked for, not a refusal the file belies."""
    key = b'"' + _TIME_FIELDS[kind].encode() + b'":'
    size = path.stat().st_size
    if size <= WHOLE_FILE_BYTES:
        return 0  # (every line was counted)
    searched = 0
    with path.open("rb") as handle:
        for start, length in sample_windows(size):
            handle.seek(start)
            window = handle.read(length + len(key) - 1)  # (a key across a window's end is found in it)
            if key in window:
                return None
            searched += min(length, len(window))
    return searched


def sample_windows(size: int) -> list[tuple[int, int]]:
    """The byte ranges (start, length) of a file of `size` that `_bytes_without_field` searches, in
    order, none overlapping: the head, then one at each of `_sniff`'s probes."""
    windows, end = [], 0
    for start in [0, *(size * probe // (PROBES + 1) for probe in range(1, PROBES + 1))]:
        start = max(start, end)
        stop = min(size, start + (HEAD_BYTES if not windows else PROBE_BYTES))
        if stop > start:
            windows.append((start, stop - start))
            end = stop
    return windows


def looks_like_csv_header(line: bytes) -> bool:
    """A line that is not JSON but a row of column names (`id,log_time,status,…`), as the CSV
    `logview export` and `s` write starts. A torn JSON line never is one: it has braces or quotes."""
    try:
        text = line.decode("utf-8").strip().lstrip("\ufeff")  # a byte order mark from a spreadsheet
    except UnicodeDecodeError:
        return False
    cells = next(csv.reader([text]), [])
    return len(cells) >= 2 and all(_COLUMN_NAME.fullmatch(cell) for cell in cells)


def entry_from_line(source: Source, line: bytes) -> LogEntry:
    """One file line (without its line break) as an entry; a line that is not JSON becomes an
    invalid entry holding its text."""
    try:
        raw = load_json(line)
    except InvalidBody as error:
        text = line.decode("utf-8", errors="replace")
        return invalid_entry(text, source.kind, source.time_field, unreadable_reason(error))
    entry = source.entry_from_raw(raw)
    if entry.invalid is not None and source.kind in API_NAMES and (api := api_of(raw)) not in (None, source.kind):
        # ("created_at: Field required" over a plain Supermetrics entry said nothing of why, s26 walk #2)
        article = "an" if API_NAMES[api][0] in "AEIOU" else "a"  # (an Aitronos entry, a Supermetrics entry)
        entry.invalid = (f"{article} {API_NAMES[api]} entry ({_TIME_FIELDS[api]}) in a file read as {API_NAMES[source.kind]}: "
                         f"{other_half_words(source.kind).replace('them', 'those')}")
    return entry


def iter_line_batches(path: Path, parse: Callable[[bytes], Parsed], batch_size: int = 5000,
                      on_bytes: Callable[[int], None] | None = None) -> Iterator[list[Parsed]]:
    """Each line that is not blank, without its break, through `parse`, in file order, in batches.
    `on_bytes` hears how many bytes were read by the time each batch is handed over."""
    batch: list[Parsed] = []
    read = 0
    with path.open("rb") as handle:
        for line in handle:
            if not read:
                line = line.removeprefix(BOM)
            read += len(line)
            if not line.strip():
                continue
            batch.append(parse(line.rstrip(b"\r\n")))
            if len(batch) >= batch_size:
                if on_bytes is not None:
                    on_bytes(read)
                yield batch
                batch = []
    if batch:
        yield batch
