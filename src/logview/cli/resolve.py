"""Arguments resolved: a `Connection` (a source with its key: flags, a profile or the demo) or a
file, plus `Filters`, or a `UsageError` saying what is wrong. Commands receive these values and
never read the environment or the config file themselves."""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from logview.api.types import check_base_url
from logview.cli.conflicts import ID_FLAGS, flag_name, refused_base_url_flag, refused_beside_source
from logview.cli.errors import UsageError
from logview.cli.output import say_fitted
from logview.cli.filter_flags import connection_filters, filters_from_args
from logview.cli.parsers import DEFAULT_VIEWER_MAX
from logview.options import Connection, ViewerOptions
from logview.settings.config import (ConfigError, ConfigOnce, ConfigReading, config_path, looks_like_variable_name,
                                     missing_config)
from logview.settings.config_models import Profile, ProfileFilters
from logview.sources import AitronosSource, Source, SupermetricsSource

if TYPE_CHECKING:  # the archive (sqlite) loads for the commands that use it, not for the viewer's flags
    from logview.archive import Retention, SourceIdentity

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
        return SupermetricsSource(_team_number(team), connector or None, base_url=base_url)
    except ValueError as error:
        raise UsageError(f"--team/--connector: {error}") from None


def _team_number(team: str | int) -> int:
    try:
        return int(team)
    except ValueError:
        raise UsageError(f"--team must be a Supermetrics team id, a whole number (not {team!r})") from None


# The flags naming a source's ids, and the API each belongs to (None: both).
def _id_flags(args: argparse.Namespace) -> dict[str, str]:
    return {name: value for name in ID_FLAGS if (value := getattr(args, name, None))}


def _profile_overrides(args: argparse.Namespace, name: str, profile: Profile, *, chosen: bool) -> dict[str, object]:
    """The profile's ids and base URL that flags replace (`--connector` on a Supermetrics profile
    reads that connector), as a profile's filters are replaced. A flag that cannot apply to the
    profile is a UsageError rather than silently ignored. `chosen`: named by --profile (else it
    is the config's default)."""
    if args.source and args.source != profile.source:
        raise UsageError(f"--source {args.source}: profile {name!r} reads {profile.source}")
    if (refused := refused_base_url_flag(args)) is not None:
        raise UsageError(refused)
    flagged = _id_flags(args)
    wrong = [flag_name(flag) for flag in flagged if ID_FLAGS[flag] not in (None, profile.source)]
    if wrong:
        other = "supermetrics" if profile.source == "aitronos" else "aitronos"
        how = "" if chosen else f" (the config's default; with --source {other} no profile is read)"
        raise UsageError(f"{' and '.join(wrong)} {'applies' if len(wrong) == 1 else 'apply'} to {other} only: "
                         f"profile {name!r} reads {profile.source}{how}")
    if "team" in flagged:
        return {**flagged, "team": _team_number(flagged["team"])}
    return dict(flagged)


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


def config_once(args: argparse.Namespace) -> ConfigOnce:
    """The command's one reading of the config file, kept with its arguments (copies of them made
    after this share it: the viewer's tabs)."""
    return args.__dict__.setdefault("config_once", ConfigOnce())


def _read_config(args: argparse.Namespace) -> tuple[Path, ConfigReading | None]:
    try:
        return config_once(args).read()
    except ConfigError as error:
        raise UsageError(str(error)) from None


def _problems_error(path: Path, problems: list[str], *, about: str = "", in_file: Sequence[str] = (),
                    elsewhere: bool = False) -> UsageError:
    """Every problem, one a line: those of what `about` names (` with profile 'b'`), then those of
    the file as a whole (`in_file`, an archive key), counted apart: counted as the profile's, the user
    looked for one in [profiles.b] (s28 walk #9). `elsewhere`: the rest of the file has problems
    too, which are not this command's business; one line says so rather than list them."""
    note = "\n  (the rest of the file has problems too: `logview config` lists them)" if elsewhere else ""
    every = [*problems, *in_file]
    if len(every) == 1:
        return UsageError(f"{path}: {every[0]}{note}")
    listed = "".join(f"\n  {problem}" for problem in every)
    if problems and in_file:
        counted = f"{len(problems)} problem{'' if len(problems) == 1 else 's'}{about}, and {len(in_file)} in the file"
    else:
        counted = f"{len(every)} problems{about if problems else ''}"
    return UsageError(f"{path} has {counted}:{listed}{note}")


def _profile_connection(args: argparse.Namespace, name: str, path: Path, reading: ConfigReading | None,
                        pick_connector: bool = False, chosen: bool = True) -> Connection:
    """The profile's connection, its ids replaced by the flags that name them, or a UsageError
    with every problem of that profile and of the file as a whole (a key written at its top, an
    undefined default); another profile's problems do not stop this one."""
    if (missing := _no_such_profile(name, path, reading)) is not None:
        raise missing
    assert reading is not None
    from logview.settings.check import profile_problems

    profile = reading.config.profiles.get(name)
    replaced = _profile_overrides(args, name, profile, chosen=chosen) if profile is not None else {}
    overridden = [filter_name for filter_name in ProfileFilters.model_fields if getattr(args, filter_name, None)]
    # (an undefined default concerns only a run that opens the default, not `--profile NAME`; an archive key
    # refused, no run that keeps no archive: `--no-archive`)
    unconcerned = {*(reading.default_problems if chosen else ()),
                   *(reading.archive_problems.values() if getattr(args, "no_archive", False) else ())}
    file_problems = [problem for problem in reading.problems if problem not in unconcerned]
    problems = profile_problems(reading, name, overridden=overridden, replaced=replaced,
                                needs_connector=not pick_connector)
    elsewhere = len(reading.all_problems()) > len(file_problems) + len(reading.profile_problems.get(name, []))
    if problems or file_problems:
        raise _problems_error(path, problems, about=f" with profile {name!r}", in_file=file_problems,
                              elsewhere=elsewhere)
    if elsewhere:  # (an undefined default is not in another profile)
        where = "in other profiles" if file_problems == reading.problems else "elsewhere"
        _say_once(args, f"{path} has problems {where} (`logview config` lists them)")
    assert profile is not None  # (a profile the file names but could not read has problems)
    return _connection_from_profile(name, profile.model_copy(update=replaced), pick_connector)


def _no_such_profile(name: str, path: Path, reading: ConfigReading | None) -> UsageError | None:
    """What is wrong when the file names no profile `name`; None when it does."""
    if reading is None:  # (a typo in LOGVIEW_CONFIG read as an empty config, s22 walk #9)
        return UsageError(f"no profile {name!r}: {missing_config(path)}")
    if name in reading.names:
        return None
    known = ", ".join(sorted(reading.names)) or "none"
    listed = "".join(f"\n  {problem}" for problem in reading.problems)
    # the file's own problems may be why (a profile written as [name], not [profiles.name])
    return UsageError(f"no profile {name!r} in {path} (profiles: {known})"
                      + (f"; the file has problems:{listed}" if listed else ""))


def _say_once(args: argparse.Namespace, note: str) -> None:
    """A note on stderr, once per command even when several profiles open (`profiles_once` gives
    their copies of the arguments one list of what was said)."""
    said = args.__dict__.setdefault("notes_said", [])
    if note not in said:
        said.append(note)
        say_fitted(f"logview: {note}")  # (a path in it: fitted as the problems are)


def _default_profile(path: Path, reading: ConfigReading) -> str:
    """The profile `logview` opens without --profile: the default, or the only one."""
    default = reading.config.default
    if default in reading.names:
        return default
    if default is None and len(reading.names) == 1:
        return reading.names[0]
    if reading.problems:  # an undefined default, a misspelt `default`, no [profiles.NAME] tables
        raise _problems_error(path, reading.problems)
    raise UsageError(f"choose a profile with --profile ({', '.join(sorted(reading.names))}), "
                     "set `default` in the config, or use --demo")


def _connection_from_profile(name: str, profile: Profile, pick_connector: bool = False) -> Connection:
    source = _build_source(profile.source, org=profile.org, team=profile.team,
                           connector=profile.connector, base_url=profile.base_url, pick_connector=pick_connector)
    key_env = profile.key_env or source.key_env
    key = _key_from_env(key_env, named_in=f"profile {name!r}" if profile.key_env else None)
    # (a name that may be the key itself is not repeated)
    named = key_env if looks_like_variable_name(key_env) else f"the variable key_env names in profile {name!r}"
    return Connection(source=source, key=key, label=f"profile {name}", profile=profile, key_named=named)


@contextmanager
def _demo_connection(kind: str) -> Iterator[Connection]:
    """Start the embedded demo server and yield a connection to it; stop it afterwards."""
    from logview.demo import (DEMO_AITRONOS_KEY, DEMO_CONNECTOR, DEMO_ORG, DEMO_SUPERMETRICS_KEY,
                              DEMO_TEAM, PUBLISHED_BUDGETS, DemoServer, DemoState)

    # Not waiting for the server: it generates its data in its own thread while the first screen
    # draws, and the first requests wait in its accept backlog meanwhile.
    # It enforces the APIs' published rate limits, as a real account would.
    server = DemoServer(make_state=lambda: DemoState(budget=PUBLISHED_BUDGETS)).start(wait=False)
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
    `pick_connector` (the viewer): a Supermetrics source may leave the connector to a picker.
    An https server needs certificate authorities: a wrong SSL_CERT_FILE / SSL_CERT_DIR is said
    here, in one line, rather than as a traceback from deep in the client."""
    connection = _named_connection(args, stack, default_demo=default_demo, pick_connector=pick_connector)
    if connection is not None and connection.source.base_url.lower().startswith("https://"):
        from logview.api.tls import environment_problem

        if (problem := environment_problem()) is not None:
            raise UsageError(problem)
    return connection


def _named_connection(args: argparse.Namespace, stack: ExitStack, *, default_demo: bool,
                      pick_connector: bool) -> Connection | None:
    chosen = [flag for flag, present in (("--demo", args.demo), ("--file", args.file is not None),
                                          ("--profile", bool(args.profile))) if present]
    if len(chosen) > 1:
        raise UsageError(f"choose one source: {' or '.join(chosen)}")
    if (refused := refused_beside_source(args)) is not None:
        raise UsageError(refused)
    if args.file is not None:
        return None
    if args.profile:
        if len(args.profile) > 1:
            raise UsageError("one --profile at a time here (the viewer opens several as tabs)")
        return _profile_connection(args, args.profile[0], *_read_config(args), pick_connector)
    if args.demo:
        return stack.enter_context(_demo_connection(args.source or "aitronos"))
    if args.source:
        source = _build_source(args.source, org=args.org, team=args.team, connector=args.connector,
                               base_url=args.base_url, pick_connector=pick_connector)
        return Connection(source=source, key=_key_from_env(source.key_env),
                          label=f"{source.kind} {_source_ids(source)}", key_named=source.key_env)
    path, reading = _read_config(args)
    if reading is not None and (reading.names or reading.problems):
        return _profile_connection(args, _default_profile(path, reading), path, reading, pick_connector,
                                   chosen=False)
    if default_demo:
        return stack.enter_context(_demo_connection("aitronos"))
    raise UsageError("no source: give --demo, --source, --profile or --file")


def archived_identity(args: argparse.Namespace, command: str) -> SourceIdentity | None:
    """The archived source the flags or the profile name, without needing its key (entries are
    archived by source, not by key); None when none is named (every source). A profile's missing
    id is said naming `command` (`sql`), as export says it (not flags never typed, s28 walk #4)."""
    if (refused := refused_beside_source(args)) is not None:  # (`--source aitronos --team 1`: --team unread, walk)
        raise UsageError(refused)
    if args.profile:
        if len(args.profile) > 1:
            raise UsageError("one --profile at a time here")
        name, (path, reading) = args.profile[0], _read_config(args)
        # (as export says it: "no usable profile 'p' in … (profiles: p; …)" left why to `logview config`, and
        # said a missing file as one without that profile, found in a walk)
        if (missing := _no_such_profile(name, path, reading)) is not None:
            raise missing
        assert reading is not None
        if (profile := reading.config.profiles.get(name)) is None:  # (its source unreadable: its problems say why)
            raise _problems_error(path, reading.profile_problems.get(name, []), about=f" with profile {name!r}")
        from logview.settings.check import source_problems

        replaced = _profile_overrides(args, name, profile, chosen=True)
        if problems := source_problems(reading, name, command, replaced=replaced):
            raise _problems_error(path, problems, about=f" with profile {name!r}")
        profile = profile.model_copy(update=replaced)
        source = _build_source(profile.source, org=profile.org, team=profile.team, connector=profile.connector,
                               base_url=profile.base_url)
    elif args.source:
        source = _build_source(args.source, org=args.org, team=args.team, connector=args.connector,
                               base_url=args.base_url)
    else:
        given = [flag for flag, value in (("--org", args.org), ("--team", args.team), ("--connector", args.connector),
                                          ("--base-url", args.base_url)) if value]
        if given:
            raise UsageError(f"{' and '.join(given)} also need{'s' if len(given) == 1 else ''} --source")
        return None
    from logview.archive import identity_of

    return identity_of(source)


def archive_choice(args: argparse.Namespace, *, lenient: bool = False) -> tuple[bool, Retention]:
    """Whether this run keeps the archive (not with `--no-archive`, nor `archive = false` in the
    config) and how much of it (the config's retention). A config that cannot be read, or refuses
    an archive key, is a usage error unless `lenient`: its defaults kept, without a word, what the
    user had turned off or limited with a typo (`"-1d"`, s27 walk #2)."""
    from logview.archive.retention import Retention

    # `--no-archive`: nothing is kept, and the config's archive keys do not concern the run (a refused
    # archive_max_age stopped `export --no-archive`, found in a walk)
    if getattr(args, "no_archive", False):
        return False, Retention()
    try:
        path, reading = config_once(args).read()
    except ConfigError as error:
        if not lenient:
            raise UsageError(str(error)) from None
        reading = None
    if reading is None:  # the defaults, without building the config's model (pydantic: ~60 ms before the first paint)
        return True, Retention()
    if reading.archive_problems and not lenient:
        raise _problems_error(path, list(reading.archive_problems.values()))
    return reading.config.archive, reading.config.retention()


def archive_turned_off(path: Path, keeps: bool) -> str | None:
    """What `archive list` and `sql` add when the config turns the archive off (`keeps`: their
    `archive_choice`, the config read once) and it is read anyway: it said "nothing is read from it"
    of a file they still read (s28 walk)."""
    return None if keeps else (f"the config says `archive = false`: logview keeps nothing more in {path}, and "
                               "this is what earlier runs kept (`logview archive clear` forgets it)")


def no_archive_yet(path: Path, keeps: bool) -> str:
    """What `archive list` and `sql` say when there is no archive file: why there is none (`keeps`:
    as `archive_turned_off`)."""
    why = ("logview keeps one once it has read logs from an API" if keeps
           else "the config says `archive = false`, so logview keeps none")
    return f"no archive yet at {path}: {why}"


def _source_ids(source: Source) -> str:
    if isinstance(source, AitronosSource):
        return source.organization_id
    assert isinstance(source, SupermetricsSource)
    return f"team {source.team_id} / {source.connector_id or '(choose a connector)'}"


def file_kind(args: argparse.Namespace):
    from logview.files.jsonl import UnknownFileFormat, detect_kind

    save_first = "logview reads a file it can seek (save the stream to one first: `zcat logs.jsonl.gz > logs.jsonl`)"
    if str(args.file) == "-":  # (it said "no such file: -"; found by a tester)
        raise UsageError(f"- is standard input, not a file: {save_first}")
    if args.file.is_dir():
        raise UsageError(f"{args.file} is a folder, not a file")
    if not args.file.is_file():
        if args.file.exists():  # (a pipe, `<(zcat x.gz)`, /dev/stdin: it said "no such file", s20 #6)
            raise UsageError(f"{args.file} is a pipe or a device, not a file: {save_first}")
        raise UsageError(f"no such file: {args.file}")
    try:  # even with --source: a CSV export or a mixed file is told apart from its lines
        return detect_kind(args.file, args.source)
    except (UnknownFileFormat, OSError) as error:
        raise UsageError(str(error)) from None


def viewer_options(args: argparse.Namespace, stack: ExitStack) -> ViewerOptions:
    """What the viewer opens, from the flags and the profile (its filters, `follow`, `interval`)."""
    connection = resolve_connection(args, stack, default_demo=True, pick_connector=True)
    if connection is None:
        from logview.files.jsonl import source_for_kind

        kind = file_kind(args)
        return ViewerOptions(filters=filters_from_args(args, source_for_kind(kind)), file=args.file, file_source=kind,
                             follow=False, interval_s=args.interval or 2.0, max_entries=args.max_entries)
    profile = connection.profile
    interval = args.interval or (profile.interval if profile and profile.interval else 2.0)
    welcome = _demo_welcome(_read_config(args)[1] is not None) if connection.demo and not args.demo else None
    return ViewerOptions(filters=connection_filters(args, connection), connection=connection,
                         follow=args.follow or bool(profile and profile.follow), interval_s=interval,
                         max_entries=args.max_entries or DEFAULT_VIEWER_MAX, welcome=welcome)


def _demo_welcome(a_file: bool = False) -> str:
    """What `logview` with nothing to open says over its demo: why, and the way to real logs (a
    toast shows ~8 lines of ~40 characters, and marks where it wraps: the lines are short). `a_file`:
    there is a config file, naming no profile (it said "no config file at" the file holding `archive = false`)."""
    return (f"Demo data: {'no profile in' if a_file else 'no config file at'}\n{config_path()}\n"
            "Your logs: logview --source aitronos\n"
            "--org ORG_ID, key in FREDDY_API_KEY;\n"
            "or a profile: see `logview config`.\n"
            "? lists the keys; Esc hides this.")


def distinct_profiles(names: Sequence[str] | None, doing: str) -> tuple[list[str], list[str]]:
    """The profiles named, each once in the order first given, and a note for each name given
    more than once (`doing`: what is done with it, "opening")."""
    counts = Counter(names or ())
    notes = [f"profile {name!r} given {'twice' if count == 2 else f'{count} times'}; {doing} it once"
             for name, count in counts.items() if count > 1]
    return list(counts), notes


def profiles_once(args: argparse.Namespace, doing: str) -> None:
    """A profile repeated by mistake (`--profile a --profile a`) is used once, and logview says so."""
    args.profile, notes = distinct_profiles(args.profile, doing)
    # what was said on stderr (`_say_once`), shared by the copies of the arguments each profile is
    # opened with; the viewer says it again once it has the screen
    args.notes_said = list(notes)
    for note in notes:
        print(f"logview: {note}", file=sys.stderr)
