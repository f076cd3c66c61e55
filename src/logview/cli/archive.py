"""`logview archive list | path | prune | clear`: what the local archive holds, and trimming it."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

from logview.archive import (Archive, ArchiveError, SourceIdentity, SourceSummary, Span, default_archive_path,
                             parse_age)
from logview.archive.location import archive_files
from logview.archive.turns import sweep
from logview.cli.output import STDOUT, parts_fitted, say_fitted, terminal_columns, writing
from logview.cli.parsers import ARCHIVE_COMMANDS, archive_parser, refuse_file_option
from logview.cli.resolve import UsageError, archive_choice, archive_turned_off, archived_identity, no_archive_yet
from logview.model import sized
from logview.sanitize import clean_line

EXIT_OK, EXIT_USAGE = 0, 2


def _fail(message: str) -> int:
    say_fitted(f"logview archive: {message}")
    return EXIT_USAGE


def run_archive_command(argv: Sequence[str]) -> int:
    parser = archive_parser()
    command = next((f"logview archive {arg}" for arg in argv if arg in ARCHIVE_COMMANDS), "logview archive")
    refuse_file_option(parser, argv, command, "the archive holds API sources only")
    args = parser.parse_args(argv)
    path = default_archive_path()
    if args.command == "path":
        _say(str(path))
        return EXIT_OK
    try:
        if args.command == "list":
            with writing(STDOUT):
                return _list(path)
        identity = archived_identity(args, f"archive {args.command}")
        if not path.exists():
            print(f"no archive yet at {path}: nothing to {args.command}", file=sys.stderr)
            return EXIT_OK
        if args.command == "prune":
            return _prune(args, identity)
        return _clear(args, identity, path)
    except UsageError as error:
        return _fail(str(error))
    except ArchiveError as error:
        return _fail(error.without_no_archive())


def _say(line: str) -> None:
    """A result line on stdout (a full disk: one line on stderr, see `writing`)."""
    with writing(STDOUT):
        print(line)


def _list(path) -> int:
    keeps, _ = archive_choice(argparse.Namespace(), lenient=True)  # (the config read once, for both words)
    if not path.exists():
        print(no_archive_yet(path, keeps))
        return EXIT_OK
    with Archive.open(path, readonly=True) as archive:
        summaries = archive.summaries()
    size = sum(file.stat().st_size for file in archive_files(path) if file.exists())
    columns = terminal_columns(sys.stdout)
    held = f"({sized(size)}, {len(summaries)} source{'' if len(summaries) == 1 else 's'})"
    print("\n".join(parts_fitted([str(path), held], columns, separator=" ")))  # (the path kept whole)
    for summary in summaries:
        print("\n".join(_summary_fitted(summary, columns)))
    if (off := archive_turned_off(path, keeps)) is not None:
        print(off, file=sys.stderr)
    return EXIT_OK


def when(time_us: int | None, exact: bool = False) -> str:
    """A UTC time to the second, for a person: `2025-11-15 09:46:40Z` (`exact`: to the microsecond)."""
    if time_us is None:
        return "?"
    try:
        moment = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(microseconds=time_us)
        return moment.strftime("%Y-%m-%d %H:%M:%S.%fZ" if exact else "%Y-%m-%d %H:%M:%SZ")
    except (OverflowError, ValueError, OSError):
        return str(time_us)


def _spans(spans: list[Span]) -> str:
    """The spans, newest first; two whose gap lies within one second, to the microsecond: "12:31:59Z …
    12:46:52Z, 16:11:58Z … 12:31:59Z" read as one range cut in two (s28 walk)."""
    exact = set()
    for newer, older in zip(spans, spans[1:]):
        if newer.start_us is not None and when(newer.start_us) == when(older.end_us):
            exact.update((id(newer), id(older)))

    def said(span: Span) -> str:
        fine = id(span) in exact
        start = "the beginning" if span.start_us is None else when(span.start_us, exact=fine)
        return f"{start} … {when(span.end_us, exact=fine)}"
    return ", ".join(map(said, spans))


def summary_parts(summary: SourceSummary) -> list[str]:
    """A source's line in parts: `aitronos https://api.aitronos.com org_1 · 1,200 entries · <oldest> …
    <newest> · complete: <ranges>` (and the ranges complete for one server filter only)."""
    parts = [clean_line(summary.identity.describe()),
             f"{summary.entries:,} entr{'y' if summary.entries == 1 else 'ies'}"]
    if summary.entries:
        parts.append(f"{when(summary.oldest_us)} … {when(summary.newest_us)}")
    complete = summary.covered.get("")
    parts.append(f"complete: {_spans(complete)}" if complete else "no range known complete")
    return parts + [f"complete for {clean_line(key)}: {_spans(spans)}" for key, spans in summary.covered.items() if key]


def _summary_fitted(summary: SourceSummary, columns: int | None) -> list[str]:
    """A source's line fitted to `columns` (`parts_fitted`); its ranges known complete, a part too long
    for a line, broken between its ranges: at 80 columns three ranges ran past the edge, the terminal
    breaking a time in two (`… 2026-12-01 01:33:17Z …` / `2026-12-03 01:33:17Z`, found in a walk)."""
    lines = []
    for line in parts_fitted(summary_parts(summary), columns):
        label, colon, spans = line.partition(": ")
        if columns is None or len(line) <= columns or not label.lstrip().startswith("complete") or not colon:
            lines.append(line)
            continue
        *earlier, last = spans.split(", ")
        lines += parts_fitted([f"{label}:", *(f"{span}," for span in earlier), last], columns, separator=" ")
    return lines


def _prune(args, identity) -> int:
    _, retention = archive_choice(args)
    try:
        # (`--max-age ""`, an unset variable: refused, not the config's age taken without a word)
        max_age_s = parse_age(args.max_age) if args.max_age is not None else None
    except ValueError as error:
        raise UsageError(f"--max-age: {error}") from None
    if max_age_s is not None and max_age_s <= 0:  # (as --max-entries 0: `archive clear` forgets all)
        raise UsageError("--max-age: must be more than 0 (`logview archive clear` forgets everything)")
    with Archive.open(retention=retention) as archive:
        held = identity is None or archive.holds(identity)
        removed = archive.prune(identity, max_entries=args.max_entries, max_age_s=max_age_s)
        kept = archive.retention if args.max_entries is None and max_age_s is None else None
    if not held:
        return _nothing_archived(identity, "prune")
    which = "every source" if identity is None else clean_line(identity.describe())
    rule = f" (keeping {kept.describe()})" if kept else ""
    _say(f"pruned {removed:,} entr{'y' if removed == 1 else 'ies'} of {which}{rule}")
    return EXIT_OK


def _nothing_archived(identity, command: str) -> int:
    """A source the archive holds nothing of, as `logview sql` says it: "pruned 0 entries of" read as
    a source with nothing old enough to go, for a connector typed wrong (s28 walk #12)."""
    hint = held_elsewhere(default_archive_path(), identity) or "`logview archive list` shows what it holds"
    print(f"nothing archived yet for {clean_line(identity.describe())}: nothing to {command} ({hint})", file=sys.stderr)
    return EXIT_OK


def held_elsewhere(path, identity: SourceIdentity) -> str | None:
    """Where the archive holds `identity`'s ids fetched from another base URL, in words (`it holds 1/DEMO01
    from http://127.0.0.1:8765: --base-url http://127.0.0.1:8765 names it`), else None: flags that left out
    the base_url a profile gave read "nothing archived yet" of a source it held (found in a walk)."""
    try:
        with Archive.open(path, readonly=True) as archive:
            urls = [held.base_url for held in (summary.identity for summary in archive.summaries() if summary.entries)
                    if (held.api, held.scope) == (identity.api, identity.scope) and held.base_url != identity.base_url]
    except ArchiveError:
        return None
    if not urls:
        return None
    return clean_line(f"it holds {identity.scope} from {' and '.join(urls)}: --base-url {urls[0]} names it")


def _clear(args, identity, path) -> int:
    if identity is None and not args.yes:
        if not sys.stdin.isatty():
            return _fail("clearing everything needs --yes when stdin is not a terminal "
                         "(or name one source with --source/--profile)")
        try:
            answer = input(f"Clear every archived entry in {path}? The next launches fetch them again. [y/N] ")
        except EOFError:  # Ctrl-D: no answer is no
            answer = ""
            print()
        except KeyboardInterrupt:  # (its line ended: "[y/N] ^Clogview: interrupted" read as one, found in a walk)
            print()
            raise
        if answer.strip().lower() not in ("y", "yes"):
            print("nothing cleared")
            return EXIT_OK
    try:
        archive = Archive.open(path)
    except ArchiveError as error:
        if error.reason != "corrupt" or identity is not None:
            raise
        for file in archive_files(path):  # a damaged archive is cleared by removing it
            file.unlink(missing_ok=True)
        sweep(path)
        _say(f"removed the damaged archive {path}")
        return EXIT_OK
    with archive:
        held = identity is None or archive.holds(identity)
        removed = archive.clear(identity)  # (a source holding nothing may still have names kept)
    if not held:
        return _nothing_archived(identity, "clear")
    which = "" if identity is None else f" of {clean_line(identity.describe())}"
    _say(f"cleared {removed:,} entr{'y' if removed == 1 else 'ies'}{which}")
    return EXIT_OK
