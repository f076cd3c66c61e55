"""Command line: `logview [viewer]`, `logview export`, `logview demo-server`.

Parses arguments into a `Connection` (or a file) plus `Filters` and hands them to the command.
Exit codes: 0 done, 2 usage or config error, 3 API error after retries, 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path

from logview import __version__
from logview.settings.config import (ONE_API_FILTERS, ConfigError, Profile, ProfileFilters, config_path,
                            filters_of_another_api, load_config, looks_like_variable_name)
from logview.api.types import check_base_url
from logview.model import SOURCE_KINDS, Filters
from logview.options import Connection, ViewerOptions
from logview.sources import AitronosSource, Source, SupermetricsSource
from logview.times import ReversedRange, TimeParseError

EXIT_OK, EXIT_USAGE, EXIT_API, EXIT_INTERRUPTED = 0, 2, 3, 130
DEFAULT_VIEWER_MAX = 100_000


class UsageError(Exception):
    """A bad flag, a missing key, a refused URL: exit 2 with this message."""


def _add_source_args(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("source (one of)")
    group.add_argument("--demo", action="store_true", help="start the embedded demo server and read it")
    group.add_argument("--source", choices=SOURCE_KINDS, help="which API (default aitronos with --demo)")
    group.add_argument("--org", metavar="ORG_ID", help="Aitronos organization id")
    group.add_argument("--team", metavar="TEAM_ID", help="Supermetrics team id")
    group.add_argument("--connector", metavar="CONNECTOR_ID", help="Supermetrics connector identifier")
    group.add_argument("--base-url", metavar="URL", help="API base URL (https, or http for loopback)")
    group.add_argument("--file", metavar="PATH", type=Path, help="a JSONL file written by `logview export`")
    group.add_argument("--profile", metavar="NAME", action="append",
                       help=f"a profile from {config_path()}; the viewer takes several (one tab each)")


def _add_filter_args(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("filters")
    group.add_argument("--status", action="append", default=[], metavar="VALUE",
                       help="repeatable. Aitronos: success|error|blocked|timeout; "
                            "Supermetrics: 429, 4xx, success (<400), error (>=400), other (no status)")
    group.add_argument("--since", metavar="T", help="ISO 8601 date/date-time, or relative: 30s 15m 2h 7d")
    group.add_argument("--until", metavar="T", help="ISO 8601 date/date-time, or relative")
    group.add_argument("--credential", metavar="ID", help="Aitronos credential id (tcred_...)")
    group.add_argument("--event", metavar="NAME", help="Supermetrics event name")
    group.add_argument("--search", metavar="TEXT", help="case-insensitive substring over all fields")


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError("must be greater than 0")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port (0 to 65535; 0 picks a free one)")
    return value


def viewer_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="logview",
        description="Read Aitronos and Supermetrics connector execution logs in the terminal.",
        epilog="commands: `logview export --help`, `logview config`, `logview demo-server --help`. "
               "With no arguments and no config file, logview opens the built-in demo.",
    )
    parser.add_argument("--version", action="version", version=f"logview {__version__}")
    _add_source_args(parser)
    _add_filter_args(parser)
    parser.add_argument("--follow", action="store_true", help="tail live from the start")
    parser.add_argument("--interval", type=_positive_float, default=None, metavar="SECONDS",
                        help="live-tail poll interval (default 2, or the profile's)")
    parser.add_argument("--max-entries", type=_positive_int, metavar="N",
                        help=f"stop loading after N entries (default {DEFAULT_VIEWER_MAX:,}; files: no limit)")
    return parser


def export_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="logview export",
        description="Write log entries to stdout or a file. stdout is data; messages go to stderr.",
    )
    _add_source_args(parser)
    _add_filter_args(parser)
    parser.add_argument("--format", choices=("jsonl", "csv"), default=None,
                        help="jsonl (entries exactly as the API returned them) or csv (known columns); "
                             "default from the --output extension (.csv; .jsonl .ndjson .json .log .txt), "
                             "else jsonl")
    parser.add_argument("--output", "-o", metavar="PATH", type=Path, help="write here instead of stdout")
    parser.add_argument("--max-entries", type=_positive_int, metavar="N", help="stop after N entries (default: all)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log each request to stderr")
    return parser


def demo_server_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="logview demo-server",
                                     description="Run the demo server (both APIs) in the foreground.")
    parser.add_argument("--port", type=_port, default=8765, help="0 to 65535; 0 picks a free port (default 8765)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1; 0.0.0.0 or :: for every interface)")
    parser.add_argument("--aitronos-entries", type=int, default=5000, metavar="N")
    parser.add_argument("--supermetrics-entries", type=int, default=20000, metavar="N")
    parser.add_argument("--rate", type=float, default=1.0, metavar="PER_SECOND",
                        help="new entries per second in each API (0: none)")
    parser.add_argument("--seed", type=int, default=7)
    return parser


# -- resolving arguments ------------------------------------------------------------------------

def _filters(args: argparse.Namespace, source: Source | None, defaults: ProfileFilters | None = None,
             where: str = "") -> Filters:
    """The flags' filters; a flag not given takes the profile's default (`defaults`)."""
    defaults = defaults or ProfileFilters()
    since_text = args.since or defaults.since or ""
    until_text = args.until or defaults.until or ""
    statuses: list[str] = []
    for value in args.status or defaults.status:
        try:
            canonical = source.validate_status(value) if source else value.strip().lower()
        except ValueError as error:
            raise UsageError(f"{where}{error}") from None
        if canonical not in statuses:
            statuses.append(canonical)
    if source is not None:
        _refuse_filters_of_another_api(args, source.kind, defaults, where)
    filters = Filters(statuses=tuple(statuses), credential=args.credential or defaults.credential,
                      event=args.event or defaults.event, tool=defaults.tool,
                      search=args.search or defaults.search or None)
    try:  # kept as typed: the viewer resolves a relative time again on reload and while tailing
        return filters.with_time_range(since_text, until_text)
    except ReversedRange:
        raise UsageError(f"{where}--since is later than --until") from None
    except TimeParseError as error:
        raise UsageError(f"{where}{error}") from None


def _refuse_filters_of_another_api(args: argparse.Namespace, kind: str, defaults: ProfileFilters,
                                   where: str) -> None:
    """`--event` on Aitronos, `--credential` on Supermetrics: nothing could ever match, so say so
    rather than show nothing. A flag replaces the profile's default of the same name."""
    flags = {name: getattr(args, name, None) for name in ONE_API_FILTERS}
    prefix, wrong = "", [(f"--{name}", owner) for name, owner in filters_of_another_api(kind, **flags)]
    if not wrong:
        unflagged = {name: getattr(defaults, name) for name in ONE_API_FILTERS if not flags[name]}
        prefix, wrong = where, filters_of_another_api(kind, **unflagged)
    if wrong:
        names = " and ".join(name for name, _ in wrong)
        raise UsageError(f"{prefix}{names} {'applies' if len(wrong) == 1 else 'apply'} to {wrong[0][1]} only "
                         f"(this reads {kind})")


def connection_filters(args: argparse.Namespace, connection: Connection) -> Filters:
    profile = connection.profile
    if profile is None:
        return _filters(args, connection.source)
    return _filters(args, connection.source, profile.filters, where=f"{connection.label} filters: ")


def _build_source(kind: str, *, org: str | None, team: str | int | None, connector: str | None,
                  base_url: str | None, pick_connector: bool = False) -> Source:
    """The source the ids name. `pick_connector`: the viewer asks for a missing connector."""
    if base_url:
        try:
            base_url = check_base_url(base_url)
        except ValueError as error:
            raise UsageError(str(error)) from None
    if kind == "aitronos":
        if not org:
            raise UsageError("--source aitronos needs --org ORG_ID")
        return AitronosSource(org, base_url=base_url)
    if team is None or not (connector or pick_connector):
        raise UsageError("--source supermetrics needs --team TEAM_ID and --connector CONNECTOR_ID"
                         + ("" if team is None else " (the viewer lists the team's connectors when it is omitted)"))
    try:
        return SupermetricsSource(int(team), connector or None, base_url=base_url)
    except ValueError as error:
        raise UsageError(f"--team/--connector: {error}") from None


def _key_from_env(name: str, *, named_in: str | None = None) -> str:
    """The key from the variable `name`. `named_in` is where a user wrote that name (a profile):
    a name that does not look like a variable's may be the key itself, pasted in the wrong place,
    so messages then do not repeat it."""
    key = os.environ.get(name, "").strip()
    shown = name if named_in is None or looks_like_variable_name(name) else (
        f"named by key_env in {named_in} (not shown: it does not look like a variable name; "
        "if it is the key itself, move the key into the environment)")
    if not key:
        raise UsageError(f"no API key: set the environment variable {shown}")
    if not all(33 <= ord(char) < 127 for char in key):
        # It could never be sent as a header; say so without echoing it (it is a secret).
        raise UsageError(f"the API key in {shown} contains spaces, control or non-ASCII characters")
    return key


def _profile_connection(name: str, pick_connector: bool = False) -> Connection:
    try:
        config = load_config()
    except ConfigError as error:
        raise UsageError(str(error)) from None
    if config is None or name not in config.profiles:
        known = ", ".join(sorted(config.profiles)) if config and config.profiles else "none"
        raise UsageError(f"no profile {name!r} in {config_path()} (profiles: {known})")
    return _connection_from_profile(name, config.profiles[name], pick_connector)


def _connection_from_profile(name: str, profile: Profile, pick_connector: bool = False) -> Connection:
    source = _build_source(profile.source, org=profile.org, team=profile.team,
                           connector=profile.connector, base_url=profile.base_url, pick_connector=pick_connector)
    key = (_key_from_env(profile.key_env, named_in=f"profile {name!r}") if profile.key_env
           else _key_from_env(source.key_env))
    return Connection(source=source, key=key, label=f"profile {name}", profile=profile)


@contextmanager
def _demo_connection(kind: str) -> Iterator[Connection]:
    """Start the embedded demo server and yield a connection to it; stop it afterwards."""
    from logview.demo import (DEMO_AITRONOS_KEY, DEMO_CONNECTOR, DEMO_ORG, DEMO_SUPERMETRICS_KEY,
                              DEMO_TEAM, DemoServer)

    # Not waiting for the server: it generates its data in its own thread while the first screen
    # draws, and the first requests wait in its accept backlog meanwhile.
    server = DemoServer().start(wait=False)
    try:
        source = _build_source(kind, org=DEMO_ORG, team=DEMO_TEAM, connector=DEMO_CONNECTOR,
                               base_url=server.url)
        key = DEMO_AITRONOS_KEY if kind == "aitronos" else DEMO_SUPERMETRICS_KEY
        yield Connection(source=source, key=key, label=f"demo data ({kind})", demo=True)
    finally:
        server.stop()


def resolve_connection(args: argparse.Namespace, stack: ExitStack, *, default_demo: bool,
                       pick_connector: bool = False) -> Connection | None:
    """The connection the arguments name; None for `--file`. May start the demo server.
    `pick_connector` (the viewer): a Supermetrics source may leave the connector to a picker."""
    chosen = [flag for flag, present in (("--demo", args.demo), ("--file", args.file is not None),
                                          ("--profile", bool(args.profile))) if present]
    if len(chosen) > 1:
        raise UsageError(f"choose one source: {' or '.join(chosen)}")
    if args.file is not None:
        return None
    if args.profile:
        if len(args.profile) > 1:
            raise UsageError("one --profile at a time here (the viewer opens several as tabs)")
        return _profile_connection(args.profile[0], pick_connector)
    if args.demo:
        return stack.enter_context(_demo_connection(args.source or "aitronos"))
    if args.source:
        source = _build_source(args.source, org=args.org, team=args.team, connector=args.connector,
                               base_url=args.base_url, pick_connector=pick_connector)
        return Connection(source=source, key=_key_from_env(source.key_env),
                          label=f"{source.kind} {_source_ids(source)}")
    try:
        config = load_config()
    except ConfigError as error:
        raise UsageError(str(error)) from None
    if config is not None and config.profiles:
        name = config.default or (next(iter(config.profiles)) if len(config.profiles) == 1 else None)
        if name is None:
            raise UsageError(f"choose a profile with --profile ({', '.join(sorted(config.profiles))}), "
                             "set `default` in the config, or use --demo")
        return _connection_from_profile(name, config.profiles[name], pick_connector)
    if default_demo:
        return stack.enter_context(_demo_connection("aitronos"))
    raise UsageError("no source: give --demo, --source, --profile or --file")


def _source_ids(source: Source) -> str:
    if isinstance(source, AitronosSource):
        return source.organization_id
    assert isinstance(source, SupermetricsSource)
    return f"team {source.team_id} / {source.connector_id or '(choose a connector)'}"


def _file_kind(args: argparse.Namespace):
    from logview.files.jsonl import UnknownFileFormat, detect_kind

    if not args.file.is_file():
        raise UsageError(f"no such file: {args.file}")
    try:  # even with --source: a CSV export or a mixed file is told apart from its lines
        return detect_kind(args.file, args.source)
    except (UnknownFileFormat, OSError) as error:
        raise UsageError(str(error)) from None


# -- commands -----------------------------------------------------------------------------------

def _fail(message: str) -> int:
    print(f"logview: {message}", file=sys.stderr)
    return EXIT_USAGE


def viewer_options(args: argparse.Namespace, stack: ExitStack) -> ViewerOptions:
    """What the viewer opens, from the flags and the profile (its filters, `follow`, `interval`)."""
    connection = resolve_connection(args, stack, default_demo=True, pick_connector=True)
    if connection is None:
        from logview.files.jsonl import source_for_kind

        kind = _file_kind(args)
        return ViewerOptions(filters=_filters(args, source_for_kind(kind)), file=args.file, file_source=kind,
                             follow=False, interval_s=args.interval or 2.0, max_entries=args.max_entries)
    profile = connection.profile
    interval = args.interval or (profile.interval if profile and profile.interval else 2.0)
    return ViewerOptions(filters=connection_filters(args, connection), connection=connection,
                         follow=args.follow or bool(profile and profile.follow), interval_s=interval,
                         max_entries=args.max_entries or DEFAULT_VIEWER_MAX)


def distinct_profiles(names: Sequence[str] | None, doing: str) -> tuple[list[str], list[str]]:
    """The profiles named, each once in the order first given, and a note for each name given
    more than once (`doing`: what is done with it, "opening")."""
    counts = Counter(names or ())
    notes = [f"profile {name!r} given {'twice' if count == 2 else f'{count} times'}; {doing} it once"
             for name, count in counts.items() if count > 1]
    return list(counts), notes


def _profiles_once(args: argparse.Namespace, doing: str) -> None:
    """A profile repeated by mistake (`--profile a --profile a`) is used once, and logview says so."""
    args.profile, notes = distinct_profiles(args.profile, doing)
    for note in notes:
        print(f"logview: {note}", file=sys.stderr)


def run_viewer_command(argv: Sequence[str]) -> int:
    args = viewer_parser().parse_args(argv)
    _profiles_once(args, "opening")
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
        except UsageError as error:
            return _fail(str(error))
        from logview.ui.app import run_viewer

        return run_viewer(*options)
    return EXIT_OK  # pragma: no cover - ExitStack never swallows


def run_export_command(argv: Sequence[str]) -> int:
    from logview.cli.export import UnknownFormat, export_connection, export_file, format_for

    args = export_parser().parse_args(argv)
    _profiles_once(args, "exporting")
    try:
        fmt = format_for(args.format, args.output)
    except UnknownFormat as error:
        return _fail(f"{error}; or choose one with --format")
    with ExitStack() as stack:
        try:
            connection = resolve_connection(args, stack, default_demo=False)
            if connection is None:
                from logview.files.jsonl import source_for_kind

                source = source_for_kind(_file_kind(args))
                return export_file(args.file, source, _filters(args, source), fmt=fmt,
                                   output=args.output, max_entries=args.max_entries)
            filters = connection_filters(args, connection)
        except UsageError as error:
            return _fail(str(error))
        return export_connection(connection, filters, fmt=fmt, output=args.output,
                                 verbose=args.verbose, max_entries=args.max_entries)
    return EXIT_OK  # pragma: no cover


def run_demo_server_command(argv: Sequence[str]) -> int:
    from logview.demo.server import run_foreground

    args = demo_server_parser().parse_args(argv)
    try:
        run_foreground(args.host, args.port, aitronos_entries=args.aitronos_entries,
                       supermetrics_entries=args.supermetrics_entries, live_rate=args.rate, seed=args.seed)
    except OSError as error:  # the address is in use, the host does not resolve: one line, no traceback
        return _fail(error.strerror or str(error))
    return EXIT_OK


def config_parser() -> argparse.ArgumentParser:
    return argparse.ArgumentParser(
        prog="logview config",
        description="Show where the config file is, what it defines, and check every profile "
                    "(exit 2 when something is wrong). Keys are never shown.")


def run_config_command(argv: Sequence[str]) -> int:
    from logview.settings.check import check_config

    config_parser().parse_args(argv)
    report = check_config()
    for line in report.lines:
        print(line)
    if report.ok:
        print("config OK")
        return EXIT_OK
    print(f"{len(report.problems)} problem{'s' if len(report.problems) != 1 else ''}:", file=sys.stderr)
    for problem in report.problems:
        print(f"  {problem}", file=sys.stderr)
    return EXIT_USAGE


COMMANDS = {"export": run_export_command, "demo-server": run_demo_server_command, "config": run_config_command}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = COMMANDS.get(argv[0]) if argv else None
    try:
        if command is not None:
            return command(argv[1:])
        return run_viewer_command(argv)
    except KeyboardInterrupt:
        print("logview: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
