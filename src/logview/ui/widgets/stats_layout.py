"""The stats panel's columns, sized by what they hold: each number column is as wide as its widest
value (a p99 of 596 h included) plus a gap, so numbers never run together and are never cut; the
names get the rest, cut so that distinct names stay distinct (`labels.fit_labels`). When even that
leaves the names too little room, whole number columns give way (p50 first), never part of one.
The rows under the error groups are named here too (`ungrouped_name`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from logview.sanitize import clean_line
from logview.store.analytics import TOP_GROUPS, ErrorGroup, GroupStats, Ungrouped
from logview.ui.cells import format_duration
from logview.ui.labels import fit_labels

TITLES = ("entries", "failed", "p50", "p95", "p99")
GIVE_WAY = ("p50", "p95", "failed", "p99")  # the number columns that leave a narrow panel, in order
GAP = 2
MARK = 2  # `● ` before an active row
MIN_NAME = 12


# the rows under the error groups, of the failures none listed holds (`Ungrouped`), by `invalid`
UNGROUPED_ROWS = {True: "invalid entries (no error group)", False: "other failures (no error group)"}
UNGROUPED_SAID = {  # (Enter on them: no filter picks them)
    True: "No filter picks the invalid entries: the table marks them ! and e / E go to them (with the errors "
          "and warnings).",
    False: "No filter picks the failures no error group holds: e / E go to them (with the other errors, "
           "warnings and invalid entries)."}


def ungrouped_name(item: Ungrouped) -> str:
    """The row's name: the groups past those listed are counted (found in a walk: 260 groups listed
    200, and nothing said the 60 failures of the others), else what no group holds."""
    if item.unlisted:
        return f"{item.unlisted:,} smaller error group{'s' if item.unlisted > 1 else ''} (not listed)"
    return UNGROUPED_ROWS[item.invalid]


def ungrouped_said(item: Ungrouped) -> str:
    """What Enter on the row says (no filter picks them all)."""
    if item.unlisted:
        return (f"The {TOP_GROUPS} largest error groups are listed: a filter (a tool, the dates, a search) "
                "narrows the entries until the smaller ones are too; e / E go to their entries, with the others.")
    return UNGROUPED_SAID[item.invalid]


def rate_text(rate: float) -> str:
    return "0" if rate == 0 else f"{rate:.0%}" if rate >= 0.1 else f"{rate:.1%}"


def group_numbers(item: GroupStats) -> dict[str, str]:
    """A group's numbers as shown, by column title."""
    numbers = {"entries": f"{item.count:,}", "failed": rate_text(item.problem_rate)}
    for title, value in zip(("p50", "p95", "p99"), item.percentiles):
        numbers[title] = "—" if value is None else format_duration(value)
    return numbers


def newest_text(item: ErrorGroup | Ungrouped) -> str:
    if item.newest_us is None:
        return ""
    try:
        moment = datetime.fromtimestamp(item.newest_us / 1_000_000).astimezone()
    except (OverflowError, OSError, ValueError):
        return "?"
    return moment.strftime("%d %b %H:%M" if moment.year == datetime.now().year else "%d %b %Y")


@dataclass(frozen=True)
class StatsLayout:
    """Widths for one panel width: the group rows, then the error-group rows."""

    name: int  # the group's name
    numbers: tuple[tuple[str, int], ...]  # (title, width) of each number column shown, gap included
    names: tuple[str, ...]  # every group's name, fit to `name`
    error_name: int
    count: int  # the error groups' entries column, gap included
    newest: int  # their newest entry's time, gap included
    errors: tuple[str, ...]  # every error group, fit to `error_name`


def stats_layout(width: int, names: Sequence[str], groups: Sequence[GroupStats],
                 errors: Sequence[ErrorGroup], ungrouped: Sequence[Ungrouped] = ()) -> StatsLayout:
    """`names`: the groups' names, clean (a credential's may be its label); error groups are cleaned
    here. `ungrouped`: the rows under them, whose numbers their columns hold too."""
    rows = [group_numbers(item) for item in groups]
    widths = {title: GAP + max([len(title)] + [len(row[title]) for row in rows]) for title in TITLES}
    shown = list(TITLES)
    for title in GIVE_WAY:
        if width - MARK - sum(widths[t] for t in shown) >= MIN_NAME:
            break
        shown.remove(title)
    name = max(1, width - MARK - sum(widths[t] for t in shown))
    failures = [*errors, *ungrouped]
    count = GAP + max([len("entries")] + [len(f"{e.count:,}") for e in failures])
    newest = GAP + max([len("newest")] + [len(newest_text(e)) for e in failures])
    error_name = max(1, width - MARK - count - newest)
    return StatsLayout(name - 1, tuple((t, widths[t]) for t in shown), tuple(fit_labels(names, name - 1)),
                       error_name - 1, count, newest, tuple(fit_labels([clean_line(e.group) for e in errors], error_name - 1)))
