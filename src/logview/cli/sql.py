"""`logview sql`: SQL over the local archive, read-only, as a table, CSV or JSONL.

The rows are written as they are read (a table measures its columns on the first rows), so a
query over a million entries streams; stdout is data, stderr the messages.
"""

from __future__ import annotations

import asyncio
import csv
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack
from itertools import chain, islice
from typing import TYPE_CHECKING, Any, TextIO

import orjson

from logview.archive import Archive, ArchiveError, default_archive_path
from logview.cli.archive import held_elsewhere
from logview.cli.output import STDOUT, say_fitted, terminal_columns, writing
from logview.archive.query import LogsQuery, QueryError
from logview.cli.parsers import refuse_file_option, sql_parser
from logview.cli.resolve import (UsageError, archive_choice, archive_turned_off, archived_identity, no_archive_yet,
                                 resolve_connection)
from logview.model import Filters
from logview.files.writer import on_a_terminal
from logview.sanitize import clean_line, inert_json, visible

if TYPE_CHECKING:
    from logview.archive.retention import Retention
    from logview.cli.export import Reporter

EXIT_OK, EXIT_USAGE, EXIT_API = 0, 2, 3
CELL_WIDTH = 60  # a wider cell is cut (with …): `raw` would otherwise make every row a screenful
NARROWEST_CELL = 12  # on a terminal, columns give way to fit its width down to this, else none does
MEASURED_ROWS = 200  # a table's column widths are taken from these first rows
SYNC_MAX_ENTRIES = 100_000  # what one `--sync` fetches at most: the viewer's default cap


def _fail(message: str) -> int:
    say_fitted(f"logview sql: {message}")
    return EXIT_USAGE


def run_sql_command(argv: Sequence[str]) -> int:
    parser = sql_parser()
    refuse_file_option(parser, argv, "logview sql", "it queries the archive")
    args = parser.parse_args(argv)
    path, keeps = default_archive_path(), True
    try:
        identity = archived_identity(args, "sql")
        if args.sync and not (args.source or args.profile):
            raise UsageError("--sync needs a source to fetch from: --source … or --profile NAME")
        if args.verbose and not args.sync:  # (it was ignored without a word: found in a walk)
            raise UsageError("-v logs the requests of --sync: without it, sql asks the API nothing")
        # (the config read once: what is said of the archive below is this reading's, s29)
        keeps, retention = archive_choice(args, lenient=not args.sync)
        if args.sync:
            failure = _sync(args, keeps, retention)
            if failure is not None:
                return failure
        with LogsQuery(path, identity) as query:
            if not query.known:
                elsewhere = held_elsewhere(path, identity)
                print(f"logview sql: nothing archived yet for {clean_line(identity.describe())}"
                      + (f" ({elsewhere})" if elsewhere else ""), file=sys.stderr)
            columns, rows = query.run(args.query)
            with writing(STDOUT):
                count = write_rows(args.format, columns, rows, sys.stdout)
    except UsageError as error:
        return _fail(str(error))
    except ArchiveError as error:
        return _fail(no_archive_yet(path, keeps) if not path.exists() else error.without_no_archive())
    except QueryError as error:  # (SQLite's words quote the statement: its control characters written visible)
        return _fail(visible(str(error)))
    except BrokenPipeError:  # `| head`: the reader has what it wanted
        sys.stderr.close()
        return EXIT_OK
    if args.format == "table":
        print(f"({count:,} row{'' if count == 1 else 's'})", file=sys.stderr)
    if (off := archive_turned_off(path, keeps)) is not None:  # (--sync refuses it: `_sync`)
        print(f"logview sql: {off}", file=sys.stderr)
    return EXIT_OK


async def sync_archive(connection: Any, filters: Filters, archive: Archive,
                       max_entries: int | None = SYNC_MAX_ENTRIES, reporter: Reporter | None = None) -> int:
    """Top the archive up for `connection` (an `options.Connection`): what is newer than the
    archive, then the gaps, down to `max_entries` in all; returns how many entries were fetched.
    The key stays in the connection's client; only entries and spans reach the archive.
    `reporter` tells of it on stderr as `logview export` does (progress on a terminal, requests
    and the budget's waits with -v)."""
    from logview.api.paging import EntriesLoaded, Notice
    from logview.archive import identity_of
    from logview.archive.sync import ArchivedPager
    from logview.cli.export import Reporter

    identity = identity_of(connection.source)
    if identity is None:
        raise ValueError("choose a connector first: the archive keeps entries by connector")
    reporter = reporter or Reporter(sys.stderr, verbose=False, live=False)
    async with connection.client(on_request=reporter.request, on_budget_wait=reporter.budget) as client:
        reporter.follow_budget(client, connection.source, max_entries)
        pager = ArchivedPager(connection.source, client, filters, archive.source(identity),
                              max_entries=max_entries, show_archived=False)
        fetched = 0
        async for event in pager.backfill():
            if isinstance(event, Notice) and event.kind == "archive":
                raise ArchiveError(event.message)
            if isinstance(event, EntriesLoaded):
                fetched += len(event.entries)
            reporter.tell(event, pager.count.from_archive)
        return fetched


def _sync(args, enabled: bool, retention: Retention) -> int | None:
    """Top the archive up from the API first (`--sync`), as the config's archive keys say (`enabled`,
    `retention`: `archive_choice`); an exit code when that cannot be done."""
    if not enabled:
        raise UsageError("--sync writes the archive, and the config says archive = false")
    from logview.cli.export import Reporter

    with ExitStack() as stack:
        connection = resolve_connection(args, stack, default_demo=False)
        assert connection is not None
        with Archive.open(retention=retention) as archive:
            from logview.model import ApiFailure

            reporter = Reporter(sys.stderr, verbose=args.verbose)
            try:
                asyncio.run(sync_archive(connection, kept_range(retention), archive, reporter=reporter))
            except ApiFailure as failure:
                reporter.end(keep=False)  # (the message says the budget as the line did)
                # (what was fetched is archived; the statement is not run over a half-synced archive)
                print(f"logview sql: {failure.describe()}; the statement was not run (without --sync it reads "
                      "the archive as it is)", file=sys.stderr)
                if (refused := connection.refused(failure.error)) is not None:
                    print(f"logview sql: {refused}", file=sys.stderr)
                return EXIT_API
            except KeyboardInterrupt:  # (Ctrl-C, SIGTERM: "interrupted" alone left what became of both unsaid, walk)
                raise KeyboardInterrupt("the statement was not run; what --sync fetched is archived") from None
            finally:
                reporter.end()
    return None


def kept_range(retention: Retention) -> Filters:
    """What `--sync` fetches: under `archive_max_age`, the age's span and nothing older (it fetched
    the whole history at every run, which the archive dropped again at once, s26 walk #3)."""
    if retention.max_age_s is None:
        return Filters()
    from logview.archive.retention import age_text

    return Filters().with_time_range(age_text(retention.max_age_s), "")


_BINARY = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # (C0 and DEL, but tab, line feed and CR)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):  # a blob: its text when it is UTF-8 (`raw`), else its bytes as SQL writes them
        try:
            text = value.decode("utf-8")
        except UnicodeDecodeError:
            return f"x'{value.hex()}'"
        # (and so is one holding a control character, binary: `zeroblob(10)` was an empty cell in a table)
        return f"x'{value.hex()}'" if _BINARY.search(text) else text
    return str(value)


def _unique(columns: list[str]) -> list[str]:
    """Column names as JSON keys, each once: a name repeated (`SELECT a.id, b.id`) becomes `id:2`."""
    seen: dict[str, int] = {}
    keys = []
    for name in columns:
        seen[name] = seen.get(name, 0) + 1
        keys.append(name if seen[name] == 1 else f"{name}:{seen[name]}")
    return keys


def _width(text: str) -> int:
    """The columns `text` (made inert: no control character) takes in a terminal: wide (CJK)
    characters two, combining marks none; ASCII one each, counted at once (a character at a time,
    a table of 100k archived rows took 14.7 s, its `raw` cells most of it). Not Rich's
    `cell_len`: nothing outside `ui/` imports Rich (the layers' contract)."""
    if text.isascii() or (text.endswith("…") and text[:-1].isascii()):  # (… ends a cut cell: one column)
        return len(text)
    return sum(map(_char_width, text))


def _char_width(char: str) -> int:
    return 0 if unicodedata.combining(char) else 2 if unicodedata.east_asian_width(char) in "WF" else 1


def write_rows(fmt: str, columns: list[str], rows: Iterator[tuple[Any, ...]], out: TextIO) -> int:
    """Write the result in `fmt`; returns how many rows. CSV and JSONL are exact, but on a terminal
    a value's control characters are written visible and inert (`sanitize.visible`, `inert_json`),
    as `export` writes them (the table removes them)."""
    on_terminal = on_a_terminal(out)
    if fmt == "csv":
        shown = visible if on_terminal else str
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([shown(name) for name in columns])
        count = 0
        for count, row in enumerate(rows, 1):
            writer.writerow([shown(_text(value)) for value in row])
        return count
    if fmt == "jsonl":
        count, keys = 0, _unique(columns)
        for count, row in enumerate(rows, 1):
            record = {name: _text(value) if isinstance(value, bytes) else value for name, value in zip(keys, row)}
            line = orjson.dumps(record, option=orjson.OPT_SERIALIZE_NUMPY)
            out.write((inert_json(line) if on_terminal else line).decode() + "\n")
        return count
    return _write_table(columns, rows, out, terminal_columns(out) if on_terminal else None)


def _cell(value: Any, most: int = CELL_WIDTH) -> str:
    """A value as a person reads it, on one line, made inert, cut to `most` columns."""
    if isinstance(value, float):  # (as CSV and JSONL write it: six places cut 2**63 to `…808.`, s26 walk #6)
        text = repr(value)
    else:
        text = clean_line(_text(value))
    if text.isascii():
        return text if len(text) <= most else text[:most - 1] + "…"
    kept = width = 0  # (one pass, up to the first character past `most`: a cell may hold a whole entry's JSON)
    for char in text:
        width += _char_width(char)
        if width > most:
            return text[:kept] + "…"  # (the characters within `most` - 1 columns, and the …)
        kept += width < most
    return text


def _write_table(columns: list[str], rows: Iterator[tuple[Any, ...]], out: TextIO, room: int | None) -> int:
    """The rows aligned under their names; on a terminal `room` columns wide, as wide as it at most."""
    first = list(islice(rows, MEASURED_ROWS))
    numeric = [bool(first) and all(isinstance(row[i], (int, float)) or row[i] is None for row in first)
               for i in range(len(columns))]
    widths = [max([_width(_cell(name)), *(_width(_cell(row[i])) for row in first)]) for i, name in enumerate(columns)]
    if room is not None:
        widths = _fitted(widths, room)
        if _table_width(widths) > room:
            return _write_records(columns, chain(first, rows), out, room)
    out.write(_line([_cell(name, most) for name, most in zip(columns, widths)], widths, [False] * len(columns)))
    out.write("  ".join("-" * width for width in widths).rstrip() + "\n")
    count = 0
    for count, row in enumerate(chain(first, rows), 1):
        out.write(_line([_cell(value, most) for value, most in zip(row, widths)], widths, numeric))
    return count


def _write_records(columns: list[str], rows: Iterator[tuple[Any, ...]], out: TextIO, room: int) -> int:
    """Each row as a block of `name  value` lines under `-[ row N ]`, as psql's expanded display: a
    table too wide for the terminal even with every column narrowed (`SELECT *` at 80 columns) wrapped
    each row over four lines, a value broken wherever the line ended (found in a walk)."""
    names = [_cell(name, NARROWEST_CELL * 2) for name in columns]
    name_width = max(map(_width, names))
    most = max(NARROWEST_CELL, room - name_width - 2)
    count = 0
    for count, row in enumerate(rows, 1):
        out.write(f"-[ row {count:,} ]".ljust(room, "-")[:room] + "\n")
        for name, value in zip(names, row):
            out.write(_line([name, _cell(value, most)], [name_width, most], [False, False]))
    return count


def _table_width(widths: list[int]) -> int:
    return sum(widths) + 2 * (len(widths) - 1)


def _fitted(widths: list[int], room: int) -> list[int]:
    """`widths` narrowed, the widest first, until the table fits `room` columns: at 60 columns a table of
    81 wrapped each row over two lines (s29 walk #6). None goes below NARROWEST_CELL: a table that
    would need that keeps its widths (and is written a record at a time: `_write_records`)."""
    fitted = list(widths)
    while _table_width(fitted) > room:
        widest = max(range(len(fitted)), key=fitted.__getitem__)
        if fitted[widest] <= NARROWEST_CELL:
            return widths
        fitted[widest] -= 1
    return fitted


def _line(cells: Iterable[str], widths: list[int], right: list[bool]) -> str:
    pads = [" " * max(0, width - _width(cell)) for cell, width in zip(cells, widths)]
    padded = [pad + cell if align else cell + pad for cell, pad, align in zip(cells, pads, right)]
    return "  ".join(padded).rstrip() + "\n"
