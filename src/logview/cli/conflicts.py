"""Flags given beside a source they cannot apply to are refused (exit 2), as `--team` beside an
Aitronos profile is: `--demo --org x --base-url …` opened the demo, `--file f --follow --org x`
read the file untailed, and `--source aitronos --team 1` read Aitronos, all without a word."""

from __future__ import annotations

import argparse

from logview.api.types import check_base_url
from logview.times import TimeParseError, parse_time_range

# Which API each id flag belongs to (None: both).
ID_FLAGS = {"org": "aitronos", "team": "supermetrics", "connector": "supermetrics", "base_url": None}
_FILE_IGNORES = (*ID_FLAGS, "follow", "interval")  # a file is read as it is: no server, no tail


def flag_name(name: str) -> str:
    return "--" + name.replace("_", "-")


def _given(args: argparse.Namespace, names: tuple[str, ...] | dict[str, str | None]) -> list[str]:
    return [flag_name(name) for name in names if getattr(args, name, None) not in (None, False)]


def _listed(flags: list[str]) -> str:
    return f"{' and '.join(flags)} {'does' if len(flags) == 1 else 'do'}"


def refused_beside_source(args: argparse.Namespace) -> str | None:
    """Why a flag given cannot apply to the source chosen by --demo, --file or --source, or None."""
    if args.demo and (flags := _given(args, ID_FLAGS)):
        return f"{_listed(flags)} not apply to --demo: the demo serves its own ids from a server of its own"
    if args.file is not None and (flags := _given(args, _FILE_IGNORES)):
        return f"{_listed(flags)} not apply to --file: a file is read as it is, not fetched or tailed"
    if args.source and not args.profile and not args.demo and args.file is None:
        wrong = [flag_name(name) for name, api in ID_FLAGS.items()
                 if api not in (None, args.source) and getattr(args, name, None)]
        if wrong:
            other = "supermetrics" if args.source == "aitronos" else "aitronos"
            return (f"{' and '.join(wrong)} {'applies' if len(wrong) == 1 else 'apply'} to {other} only, "
                    f"not to --source {args.source}")
    return None


# -- a bad value is the flag's: beside --profile, `--base-url http://u:pw@…`, `--since 5x`, `--status
# nope` were blamed on the config file and the profile, where the user found nothing wrong (s18 W3)

def refused_base_url_flag(args: argparse.Namespace) -> str | None:
    """`--base-url: …` when the URL the flag gives is refused, else None."""
    try:
        check_base_url(args.base_url) if getattr(args, "base_url", None) else None
    except ValueError as error:
        return f"--base-url: {error}"
    return None


def blamed_for_time(args: argparse.Namespace, where: str) -> str:
    """Whom a time that does not parse is blamed on: `--since: ` or `--until: ` when the flag gave
    it, else `where` (the profile's filters)."""
    for name in ("since", "until"):
        if text := getattr(args, name, None):
            try:
                parse_time_range(text, "") if name == "since" else parse_time_range("", text)
            except TimeParseError:
                return f"{flag_name(name)}: "
    return where
