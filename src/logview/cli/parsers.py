"""The command line's parsers: `logview [viewer]`, `logview export`, `logview demo-server`,
`logview config`, `logview archive`, `logview sql`. Only flags and their help live here; what they
resolve to is `resolve.py`."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn, TypeVar

from logview import __version__
from logview.model import SOURCE_KINDS
from logview.settings.config import config_path
from logview.settings.config_models import LONGEST_POLL_INTERVAL_S

Number = TypeVar("Number", int, float)

DEFAULT_VIEWER_MAX = 100_000


def _add_source_args(parser: argparse.ArgumentParser, profile_help: str) -> None:
    group = parser.add_argument_group("source (one of)")
    group.add_argument("--demo", action="store_true", help="start the embedded demo server and read it")
    _add_source_identity(group, "which API (default aitronos with --demo)",
                         "API base URL (https, or http for loopback)")
    group.add_argument("--file", metavar="PATH", type=_path, action=_OneFile,
                       help="a JSONL file written by `logview export`")
    group.add_argument("--profile", metavar="NAME", action="append", help=profile_help)


def _add_source_identity(group: argparse._ArgumentGroup, source_help: str, base_url_help: str) -> None:
    """The flags naming one source, each given once (`_OneSource`)."""
    group.add_argument("--source", choices=SOURCE_KINDS, action=_OneSource, help=source_help)
    group.add_argument("--org", metavar="ORG_ID", action=_OneSource, help="Aitronos organization id")
    group.add_argument("--team", metavar="TEAM_ID", action=_OneSource, help="Supermetrics team id")
    group.add_argument("--connector", metavar="CONNECTOR_ID", action=_OneSource,
                       help="Supermetrics connector identifier")
    group.add_argument("--base-url", metavar="URL", action=_OneSource, help=base_url_help)


def _add_filter_args(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("filters")
    group.add_argument("--status", action="append", default=[], metavar="VALUE",
                       help="repeatable. Aitronos: success|error|blocked|timeout; "
                            "Supermetrics: 429, 4xx, success (<400), error (>=400), other (no status)")
    group.add_argument("--since", metavar="T", action=_Once, help="ISO 8601 date/date-time, or relative: 30s 15m 2h 7d")
    group.add_argument("--until", metavar="T", action=_Once, help="ISO 8601 date/date-time, or relative")
    group.add_argument("--credential", metavar="ID", action=_Once, help="Aitronos credential id (tcred_...)")
    group.add_argument("--event", metavar="NAME", action=_Once, help="Supermetrics event name (exact)")
    group.add_argument("--search", metavar="TEXT", action=_Once, help="case-insensitive substring over all fields")


# What a blank value of each flag fails to name, and what to give instead. A blank value read as
# the flag left out: `--since "$SINCE"` with the variable unset exported everything, and beside a
# profile took the profile's since, without a word (found in a walk).
_BLANK = {"since": "no time: give a time (2h, 2025-11-15)", "until": "no time: give a time (2h, 2025-11-15)",
          "credential": "no credential: give its id (tcred_...)", "event": "no event: give its name",
          "search": "no text: give the text to find", "org": "no organization: give its id",
          "team": "no team: give its id", "connector": "no connector: give its id",
          "base_url": "no URL: give the API's (https://...)"}


class _Once(argparse.Action):
    """A filter given once: a second value is a usage error, not the first silently dropped
    (`--event a --event b` is not "a or b"); a blank one too, not taken as no filter (`_BLANK`)."""

    TAKES = "it takes one value (--status is the repeatable filter)"

    def __call__(self, parser, namespace, values, option_string=None):  # noqa: ANN001 - argparse's
        if getattr(namespace, self.dest, None) is not None:
            parser.error(f"{option_string} given twice: {self.TAKES}")
        if self.dest in _BLANK and not values.strip():
            parser.error(f"{option_string} {json.dumps(values)} names {_BLANK[self.dest]} or leave the flag out")
        setattr(namespace, self.dest, values)


class _OneFile(_Once):
    """`--file` opened the last of two silently: a user expecting tabs, as two `--profile` give,
    had no word that the first was dropped (found in a walk)."""

    TAKES = "it takes one file (run logview again for another)"


class _OneSource(_Once):
    """`--org a --org b` read org b alone, without a word: a user wanting both sources side by side
    gets them as tabs from two profiles."""

    TAKES = "it takes one value (one source a run; the viewer opens several, one tab each, with --profile)"


class _Parser(argparse.ArgumentParser):
    """Its errors are one line, as logview's own are (argparse puts its usage block first)."""

    # The command whose help lists the options: `logview archive prune`'s, not `logview archive`'s,
    # which lists only the subcommands (the unrecognized arguments are the top parser's to say)
    help_command: str | None = None

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (`{self.help_command or self.prog} --help` lists the options)\n")


def refuse_file_option(parser: argparse.ArgumentParser, argv: Sequence[str], command: str, why: str) -> None:
    """`--file` given to a command of the archive, which has none: one line that says why (exit 2),
    where argparse took the path for the SQL and called the SQL unrecognized (s19 V7), or said
    "unrecognized arguments: --file X" (`archive prune`, `archive clear`)."""
    options = argv[: list(argv).index("--")] if "--" in argv else argv
    if isinstance(parser, _Parser):
        parser.help_command = command
    # (`--fil X` too, as argparse takes a prefix for the option it names: s20 S20-7)
    if any(len(name := arg.split("=", 1)[0]) >= 4 and "--file".startswith(name) for arg in options):
        parser.error(f"--file is not an option of {command}: {why}; a file is opened with `logview --file PATH`")


def _path(text: str) -> Path:
    """A file's name; an empty one (`-o ""`, an unset variable) is refused: as a path it is the
    current folder, and 'cannot write .: Is a directory' left the user to guess why."""
    if not text:
        raise argparse.ArgumentTypeError("an empty name names no file")
    return Path(text)


def _number(convert: Callable[[str], Number], kind: str, fits: Callable[[Number], bool], limits: str
            ) -> Callable[[str], Number]:
    """An argparse type: the text read by `convert` (`kind` names what it must be), refused unless
    `fits` (`limits` says what fits)."""
    def parse(text: str) -> Number:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {kind}, not {text!r}") from None
        if not fits(value):  # (a NaN fits nothing: every comparison with it is false)
            raise argparse.ArgumentTypeError(limits)
        return value
    return parse


_positive_int = _number(int, "a whole number", lambda value: value >= 1, "must be at least 1")
_non_negative_int = _number(int, "a whole number", lambda value: value >= 0, "must be 0 or more")
# Seconds between tail polls: up to a day (`inf` was taken: 'every inf s', nothing polled)
_poll_interval = _number(float, "a number of seconds", lambda value: 0 < value <= LONGEST_POLL_INTERVAL_S,
                         f"must be more than 0 and at most {LONGEST_POLL_INTERVAL_S:,} (a day)")


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port (0 to 65535; 0 picks a free one)")
    return value


def viewer_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="logview",
        description="Read Aitronos and Supermetrics connector execution logs in the terminal.",
        epilog="commands: `logview export --help`, `logview config`, `logview demo-server --help`, "
               "`logview archive --help`, `logview sql --help`. "
               "With no arguments and no config file, logview opens the built-in demo.",
    )
    parser.add_argument("--version", action="version", version=f"logview {__version__}")
    _add_source_args(parser, f"a profile from {config_path()}; several open side by side, one tab each")
    _add_filter_args(parser)
    parser.add_argument("--follow", action="store_true", help="tail live from the start")
    parser.add_argument("--interval", type=_poll_interval, default=None, metavar="SECONDS",
                        help="live-tail poll interval (default 2, or the profile's)")
    parser.add_argument("--max-entries", type=_positive_int, metavar="N",
                        help=f"stop loading after N entries (default {DEFAULT_VIEWER_MAX:,}; files: no limit)")
    _add_no_archive(parser)
    return parser


def _add_no_archive(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-archive", action="store_true",
                        help="neither read nor write the local archive this run (always: archive = false "
                             "in the config)")


def export_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="logview export",
        description="Write log entries to stdout or a file. stdout is data; messages go to stderr.",
    )
    _add_source_args(parser, f"a profile from {config_path()} (one; `logview config` lists them); "
                             "flags override its default filters")
    _add_filter_args(parser)
    parser.add_argument("--format", choices=("jsonl", "csv"), default=None,
                        help="jsonl (entries exactly as the API returned them) or csv (known columns); "
                             "default from the --output extension (.csv; .jsonl .ndjson .json .log .txt or "
                             "none: jsonl; any other is refused), jsonl on stdout; given, it wins over the "
                             "extension (with a warning)")
    parser.add_argument("--output", "-o", metavar="PATH", type=_path, help="write here instead of stdout (`-`: stdout)")
    parser.add_argument("--max-entries", type=_positive_int, metavar="N", help="stop after N entries (default: all)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log each request to stderr")
    _add_no_archive(parser)
    return parser


def demo_server_parser() -> argparse.ArgumentParser:
    from logview.demo.constants import FAULTS, MAX_LIVE_RATE  # (here: the viewer's own start-up never loads the demo)

    kinds = "\n".join(f"  {kind:<18}{what}" for kind, what in FAULTS.items())
    parser = _Parser(prog="logview demo-server", formatter_class=argparse.RawDescriptionHelpFormatter,
                     description="Run the demo server (both APIs) in the foreground; it prints the keys and ids\n"
                                 "to use with it. Ctrl-C stops it.",
                     epilog="faults: POST a JSON object to /_demo/faults, such as\n"
                            "{\"kind\": \"status\", \"status\": 429, \"retry_after\": \"2\"}: the next `count` API\n"
                            "requests (default 1) of `api` (\"aitronos\" or \"supermetrics\"; default either)\n"
                            "get it. Its kinds:\n" + kinds)
    parser.add_argument("--port", type=_port, default=8765,
                        help="port to listen on, 0 to 65535; 0 picks a free one (default 8765)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1; 0.0.0.0 or :: for every interface)")
    parser.add_argument("--aitronos-entries", type=_non_negative_int, default=5000, metavar="N",
                        help="Aitronos log entries made at start, spread over the last 14 days (default 5000)")
    parser.add_argument("--supermetrics-entries", type=_non_negative_int, default=20000, metavar="N",
                        help="Supermetrics log entries made at start, over the last 14 days (default 20000)")
    # (any finite rate was taken: at 100000 the server stopped answering, ~1 GB held in 4 s)
    live_rate = _number(float, "a number", lambda value: 0 <= value <= MAX_LIVE_RATE,
                        f"must be from 0 to {MAX_LIVE_RATE} (new entries a second: the most the demo server keeps "
                        "up with)")
    parser.add_argument("--rate", type=live_rate, default=1.0, metavar="PER_SECOND",
                        help=f"new entries per second in each API, for live tail, up to {MAX_LIVE_RATE} "
                             "(default 1; 0: none)")
    parser.add_argument("--budget", action="append", default=[], metavar="N/WINDOW_S",
                        help="enforce a rate limit: N requests per WINDOW_S seconds for each key, then 429 "
                             "with Retry-After; API=N/WINDOW_S for one API (aitronos, supermetrics), which wins "
                             "over one for both; repeatable, once per API (default none: the published limits are "
                             "only advertised)")
    parser.add_argument("--seed", type=int, default=7,
                        help="seed of the generated data: the same seed makes the same entries, their times "
                             "counted back from the start (default 7)")
    parser.add_argument("--broken", action="append", default=[], metavar="MODE",
                        choices=("cursor_ignored", "unordered", "lying_totals", "random_values", "repeated_ids",
                                 "short_pages"),
                        help="break the API contract on purpose, as a server with bugs might (repeatable): "
                             "cursor_ignored (before/offset ignored), unordered (pages in any order), "
                             "lying_totals (Aitronos total/has_more/returned wrong), random_values (every page "
                             "fresh random entries at the schema's edges: nulls, dates back to 1890, any "
                             "status 100-599, durations up to 2^31 ms), repeated_ids (every page holds its newest "
                             "entry twice), short_pages (a page asked with a cursor "
                             "holds half of what it should)")
    return parser


def config_parser() -> argparse.ArgumentParser:
    return _Parser(
        prog="logview config",
        description="Show where the config file is, what it defines, and check every profile "
                    "(exit 2 when something is wrong). Keys are never shown.")


def _add_archived_source_args(parser: argparse.ArgumentParser, what: str) -> None:
    """Which archived source: flags or a profile, as when reading it (no key needed)."""
    group = parser.add_argument_group(f"source (leave out for {what})")
    _add_source_identity(group, "which API", "API base URL, when not the API's default")
    group.add_argument("--profile", metavar="NAME", action="append", help=f"a profile from {config_path()}")
    parser.set_defaults(demo=False, file=None)  # what resolving a connection looks at (sql --sync)


ARCHIVE_COMMANDS = ("list", "path", "prune", "clear")


def archive_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="logview archive",
        description="The local archive of entries fetched before: a launch paints them at once and fetches "
                    "only what is newer. It never holds a key.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="{" + ",".join(ARCHIVE_COMMANDS) + "}",
                                     parser_class=_Parser)
    commands.add_parser("list", help="one line per archived source: entries, time span, complete ranges",
                        description="One line per archived source: its API, base URL and scope, how many "
                                    "entries, the oldest and newest, and the time ranges known complete.")
    commands.add_parser("path", help="print where the archive file is",
                        description="Print where the archive file is.")
    prune = commands.add_parser("prune", help="drop the oldest entries beyond a limit",
                                description="Drop each source's oldest entries beyond the limits given "
                                            "(default: the config's, else 1,000,000 entries and no age limit).")
    prune.add_argument("--max-entries", type=_positive_int, metavar="N", help="keep at most N entries per source")
    prune.add_argument("--max-age", metavar="AGE", help="drop entries older than AGE: 12h, 30d, 4w")
    _add_archived_source_args(prune, "every source")
    clear = commands.add_parser("clear", help="forget one source's entries, or everything",
                                description="Forget a source's archived entries (the next launch fetches them "
                                            "again), or, without source options, everything.")
    clear.add_argument("--yes", "-y", action="store_true",
                       help="clear everything without asking (needed when stdin is not a terminal)")
    _add_archived_source_args(clear, "everything")
    return parser


def sql_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="logview sql",
        description="Query the local archive with SQL (SQLite) through the `logs` view: time, time_us, id, "
                    "api, base_url, scope, status, status_code, event, tool, connector, credential_id, "
                    "duration_ms, error, error_group, invalid, raw (JSON text: json_extract(raw, '$.field')). "
                    "Read-only: a statement that would write is refused.",
        epilog="example: logview sql --profile prod \"SELECT tool, count(*) FROM logs GROUP BY tool\"")
    parser.add_argument("query", metavar="SQL", help="one SELECT (or WITH … SELECT) statement")
    _add_archived_source_args(parser, "every archived source")
    parser.add_argument("--format", choices=("table", "csv", "jsonl"), default="table",
                        help="table: aligned text for a person (default); csv with a header row; jsonl: "
                             "one object per row")
    parser.add_argument("--sync", action="store_true",
                        help="first fetch what is newer than the archive from the API (needs a source and "
                             "its key; under the config's archive_max_age, nothing older than that age); on a "
                             "terminal its progress is shown on stderr")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="with --sync: log each request, and each wait for the API's budget, to stderr")
    return parser
