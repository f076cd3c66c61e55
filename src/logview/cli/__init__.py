"""Command line: `logview [viewer]`, `logview export`, `logview demo-server`, `logview config`,
`logview archive`, `logview sql`.

Parses arguments (`parsers.py`), resolves them into a `Connection` (or a file) plus `Filters`
(`resolve.py`) and hands them to the command. Exit codes: 0 done, 2 usage or config error, 3 API
error after retries, 130 interrupted by Ctrl-C, 143 by SIGTERM (which stops logview the same way).
"""

from __future__ import annotations

import dataclasses
import functools
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from logview.cli.early_file import begin_a_plain_file_launch
from logview.cli.output import STDOUT, OutputFailed, parts_fitted, say_fitted, terminal_columns, writing

if TYPE_CHECKING:
    import argparse

    from logview.archive import Archive
    from logview.model import Filters
    from logview.options import Connection

# Resolving (sources, options, the config's models) loads once the arguments are parsed: `--help`
# and a usage error answer before it, and the names below stay importable from here. The parsers
# (argparse, the config's path) load as a command needs them: a plain file's launch begins its
# reading before them (`early_file.py`).
_RESOLVED_HERE = ("UsageError", "distinct_profiles", "resolve_connection", "viewer_options")


def __getattr__(name: str) -> Any:
    if name in _RESOLVED_HERE:
        from logview.cli import resolve

        return getattr(resolve, name)
    if name == "viewer_parser":
        from logview.cli.parsers import viewer_parser

        return viewer_parser
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


EXIT_OK, EXIT_CRASH, EXIT_USAGE, EXIT_API, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
EXIT_TERMINATED = 128 + signal.SIGTERM  # (the shell's convention: 128 + the signal)

__all__ = ["main", "viewer_parser", *_RESOLVED_HERE]


def _fail(message: str, code: int = EXIT_USAGE) -> int:
    say_fitted(f"logview: {message}")  # (a profile's problems, a path: fitted to a narrow terminal)
    return code


def run_viewer_command(argv: Sequence[str]) -> int:
    from logview.ui.bulk_gc import hold_for_startup, release_startup_hold

    hold_for_startup()  # (the viewer releases it at its first rows; a big file's child runs without it)
    try:
        begin_a_plain_file_launch(argv)
        from logview.cli.parsers import viewer_parser

        return _run_viewer(viewer_parser().parse_args(argv))
    finally:
        release_startup_hold(freeze=False)  # (if the viewer never drew rows)


def _run_viewer(args: argparse.Namespace) -> int:
    import argparse

    from logview.cli.age_range import reaches_past_age, within_retention, within_words
    from logview.cli.resolve import UsageError, archive_choice, config_once, profiles_once, viewer_options

    profiles_once(args, "opening")
    config_once(args)  # (before the tabs' copies of the arguments: they share its one reading of the file)
    with ExitStack() as stack:
        try:
            profiles = args.profile
            if len(profiles) > 1:  # several profiles: one tab each, the same flags for all
                if args.demo or args.file is not None:
                    raise UsageError("several --profile options open tabs; they do not mix with --demo or --file")
                options = [viewer_options(argparse.Namespace(**{**vars(args), "profile": [name]}), stack)
                           for name in profiles]
            else:
                options = [viewer_options(args, stack)]
            # (an API's launch keeps what it fetches: a config refusing the archive's keys stops it here)
            keep, retention = archive_choice(args) if any(o.connection for o in options) else (False, None)
        except UsageError as error:
            return _fail(str(error))
        file, kind = options[0].file, options[0].file_source
        if file is not None and kind in ("aitronos", "supermetrics"):  # (not a mixed file)
            from logview.files import early

            # (its lines found, and a big file's back read by a child, while the viewer starts up)
            early.begin(file, kind, with_child=options[0].max_entries is None)
        options[0] = dataclasses.replace(options[0], notes=tuple(args.notes_said))
        if future := _future_since(options):  # (the view stays empty until then: said, as export says it)
            print(f"logview: {future}", file=sys.stderr)
            options[0] = dataclasses.replace(options[0], notes=(*options[0].notes, future))
        # (an Aitronos file's credentials named from the archive once it is read; any file's: `r` may find it is
        # now an Aitronos export, and make the viewer again as a launch on it would, s30; asked only then)
        if file is not None:
            options[0] = dataclasses.replace(options[0], names_archive=functools.partial(_kept_archive, args))
        connections = [o.connection for o in options if o.connection is not None]
        if any(c.source.base_url.lower().startswith("https://") for c in connections):
            from logview.api import tls

            tls.prepare()  # (the certificates are loaded while the viewer starts up)
        if not connections:  # (Textual imports asyncio next)
            _import_asyncio_without_tls()
        from logview.ui.app import run_viewer

        # The archive keeps what an API sent: a file has nothing to keep (and its launch reads no
        # config for it). The demo's data and port are new at each start: it keeps them in an
        # archive of its own run, gone when it ends, so that its filters are answered from what
        # was loaded as a real source's are (without, each status key reloaded from the demo's
        # budget: a minute's wait for a first look).
        path = None
        if keep and (bounded := [within_retention(o, retention) for o in options]) != options:
            options = bounded  # (what the archive would drop at the quit is not loaded by default)
            options[0] = dataclasses.replace(options[0], notes=(*options[0].notes, within_words(retention)))
        if keep and any(reaches_past_age(o.connection, o.filters, retention) for o in options):
            options[0] = dataclasses.replace(options[0], notes=(*options[0].notes, retention.not_kept_words("shown")))
        if keep and any(connection.demo for connection in connections):
            path = _demo_archive_path(stack)
        return run_viewer(*options, keep_archive=keep, retention=retention, archive_path=path)
    return EXIT_OK  # pragma: no cover - ExitStack never swallows


def _kept_archive(args: argparse.Namespace) -> Path | None:
    """The user's archive, unless the config or `--no-archive` keeps none."""
    from logview.archive.location import default_archive_path
    from logview.cli.resolve import archive_choice

    keep, _ = archive_choice(args, lenient=True)  # (a file's launch reads no config: README)
    return default_archive_path() if keep else None


def _import_asyncio_without_tls() -> None:
    """asyncio imported for a viewer that talks to no server (a file): without `ssl`, which it
    imports only for TLS connections and does without where Python has none. `ssl` loads OpenSSL:
    with hashlib kept off a file's launch too (`ui/stylesheet.py`), ~5 MiB less resident and ~5 ms
    less of imports, in the process that peaks with a big file's child beside it. A later
    `import ssl` loads it as usual (asyncio's connections would still lack TLS: a file's viewer
    opens none)."""
    if "asyncio" in sys.modules or "ssl" in sys.modules:
        return
    sys.modules["ssl"] = None  # type: ignore[assignment]  # (an import of it raises ImportError)
    try:
        import asyncio  # noqa: F401
    finally:
        del sys.modules["ssl"]


def run_export_command(argv: Sequence[str]) -> int:
    from logview.cli.export import export_connection
    from logview.cli.export_file import export_file
    from logview.cli.parsers import export_parser
    from logview.files.writer import UnknownFormat, format_for, name_contradiction

    args = export_parser().parse_args(argv)
    from logview.cli.filter_flags import connection_filters, filters_from_args
    from logview.cli.resolve import UsageError, file_kind, profiles_once, resolve_connection

    profiles_once(args, "exporting")
    if args.output is not None and str(args.output) == "-":  # (the usual spelling of stdout)
        args.output = None
    try:
        fmt = format_for(args.format, args.output)
    except UnknownFormat as error:
        return _fail(f"{error}; or choose one with --format")
    contradiction = name_contradiction(fmt, args.output)
    if contradiction:  # the explicit --format wins; the name will mislead whoever opens the file
        print(f"logview: {contradiction}", file=sys.stderr)
    with ExitStack() as stack:
        try:
            connection = resolve_connection(args, stack, default_demo=False)
            if connection is None:
                from logview.files.jsonl import source_for_kind

                source = source_for_kind(file_kind(args))
                filters = filters_from_args(args, source)
                _say_future_since(filters)
                return export_file(args.file, source, filters, fmt=fmt,
                                   output=args.output, max_entries=args.max_entries, verbose=args.verbose)
            filters = connection_filters(args, connection)
            _say_future_since(filters)
            archive = _archive_for(args, connection, stack)
        except UsageError as error:
            return _fail(str(error))
        return export_connection(connection, filters, fmt=fmt, output=args.output,
                                 verbose=args.verbose, max_entries=args.max_entries, archive=archive)
    return EXIT_OK  # pragma: no cover


def _future_since(options: list) -> str | None:
    """The first viewer's `--since` later than now, in words (a tab of each profile may have its own)."""
    from logview.cli.filter_flags import since_in_the_future

    return next((words for option in options if (words := since_in_the_future(option.filters, done="shown"))), None)


def _say_future_since(filters: Filters) -> None:
    from logview.cli.filter_flags import since_in_the_future

    words = since_in_the_future(filters)
    if words:
        print(f"logview: {words}", file=sys.stderr)


def _demo_archive_path(stack: ExitStack) -> Path:
    """An archive for the demo's run alone, in a private temporary folder removed at its end."""
    import tempfile

    from logview.archive.location import ARCHIVE_NAME  # (the archive opens next: sqlite loads with it anyway)

    return Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="logview-demo-"))) / ARCHIVE_NAME


def _archive_for(args: argparse.Namespace, connection: Connection, stack: ExitStack) -> Archive | None:
    """The archive an export reads and fills (not with --no-archive, archive = false, or the demo,
    whose data is new at each start); one line on stderr when it cannot be used."""
    from logview.cli.resolve import archive_choice

    keep, retention = archive_choice(args)
    if not keep or connection.demo:
        return None
    from logview.archive import Archive, ArchiveError

    try:
        return stack.enter_context(Archive.open(retention=retention))
    except ArchiveError as error:
        print(f"logview: without the archive this run: {error}", file=sys.stderr)
        return None


def run_demo_server_command(argv: Sequence[str]) -> int:
    from logview.demo.budget import parse_budget_option
    from logview.demo.server import DemoServerFailed, run_foreground
    from logview.cli.parsers import demo_server_parser

    parser = demo_server_parser()
    args = parser.parse_args(argv)
    try:
        budget = parse_budget_option(args.budget)
    except ValueError as error:  # (in argparse's voice, as --port's: it said "logview: --budget: …", s27 walk #5)
        parser.error(f"argument --budget: {error}")
    try:
        run_foreground(args.host, args.port, aitronos_entries=args.aitronos_entries,
                       supermetrics_entries=args.supermetrics_entries, live_rate=args.rate, seed=args.seed,
                       budget=budget, broken=args.broken)
    except OSError as error:  # the address is in use, the host does not resolve: one line, no traceback
        return _fail(error.strerror or str(error))
    except DemoServerFailed as error:
        return _fail(str(error), 1)  # (what a bug ends with: README's exit codes)
    return EXIT_OK


def run_config_command(argv: Sequence[str]) -> int:
    from logview.cli.parsers import config_parser
    from logview.settings.check import check_config

    config_parser().parse_args(argv)
    report = check_config()
    with writing(STDOUT):
        columns = terminal_columns(sys.stdout)  # (on a terminal, lines break between their parts)
        for line in report.parted:
            print("\n".join(parts_fitted(line.parts, columns, line.separator)))
        if report.ok:
            print("config OK")
            return EXIT_OK
    said = "".join(f"\n  {problem}" for problem in report.problems)
    say_fitted(f"{len(report.problems)} problem{'s' if len(report.problems) != 1 else ''}:{said}")
    return EXIT_USAGE


def run_archive_command(argv: Sequence[str]) -> int:
    from logview.cli.archive import run_archive_command as run

    return run(argv)


def run_sql_command(argv: Sequence[str]) -> int:
    from logview.cli.sql import run_sql_command as run

    return run(argv)


COMMANDS = {"export": run_export_command, "demo-server": run_demo_server_command, "config": run_config_command,
            "archive": run_archive_command, "sql": run_sql_command}


_terminated = threading.Event()  # SIGTERM came: the exit code says so (143, not Ctrl-C's 130)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """SIGTERM stops logview as Ctrl-C does, so what an API sent is archived before it exits (by
    default SIGTERM ends the process at once, and the next run fetches those pages again)."""
    _terminated.set()
    handler = signal.getsignal(signal.SIGINT)
    if callable(handler):  # asyncio's (cancels the running command) or Python's (KeyboardInterrupt)
        handler(signal.SIGINT, frame)
    else:  # SIGINT ignored (a background job): SIGTERM must stop it all the same
        raise KeyboardInterrupt


@contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _interrupt)
    _terminated.clear()
    try:
        yield
    finally:  # (main() may run inside another program: a test)
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)


def _leave_at_once_on_another_signal() -> None:
    """Stopped, the process has only to end: a second Ctrl-C (or SIGTERM) while it does ends it at once.
    It came while Python's exit waited for a thread to finish, and printed a traceback ("Exception
    ignored in: <module 'threading'>", found in a walk), or while the first one's line was written: twice."""
    for signum, code in ((signal.SIGINT, EXIT_INTERRUPTED), (signal.SIGTERM, EXIT_TERMINATED)):
        signal.signal(signum, lambda *_, code=code: os._exit(code))


def main(argv: Sequence[str] | None = None) -> int:
    own_process = argv is None  # (the command line's, not a caller's within its own process: a test)
    argv = list(sys.argv[1:] if argv is None else argv)
    command = COMMANDS.get(argv[0]) if argv else None
    try:
        with _sigterm_interrupts():
            code = command(argv[1:]) if command is not None else run_viewer_command(argv)
            with writing(STDOUT):
                sys.stdout.flush()  # (here, where a closed pipe is caught: not at the interpreter's exit)
            return EXIT_TERMINATED if _terminated.is_set() else code  # (the viewer closes cleanly on it)
    except KeyboardInterrupt as interrupt:  # (its message: what the command left, `export`'s output)
        if own_process and threading.current_thread() is threading.main_thread():
            _leave_at_once_on_another_signal()
        said = f": {interrupt}" if interrupt.args else ""
        print(f"logview: {'terminated' if _terminated.is_set() else 'interrupted'}{said}", file=sys.stderr)
        return EXIT_TERMINATED if _terminated.is_set() else EXIT_INTERRUPTED
    except BrokenPipeError:  # `logview archive list | head -1`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # (nor may Python's exit complain)
        return EXIT_OK
    except OutputFailed as error:  # a full disk: what was not written is dropped, not retried at exit
        print(f"logview: {error}", file=sys.stderr)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_USAGE
    except Exception as error:  # a bug outside the viewer's screen: said as the viewer's crash is (s25 walk #7)
        import traceback

        from logview.sanitize import clean
        from logview.ui.crash import CRASH_FRAMES, crash_headline

        print(f"{crash_headline(error)}\n{clean(''.join(traceback.format_exception(error, limit=-CRASH_FRAMES)))}",
              file=sys.stderr)
        return EXIT_CRASH
