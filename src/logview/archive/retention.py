"""How much the archive keeps per source: at most so many entries, and none older than an age.

Pruning removes the oldest entries first (those without a usable time before any) and cuts the
source's coverage so it never claims a range whose entries are gone: a later sync fetches that
range again instead of believing it complete. Nor does it keep a claim older than every entry left
(`coverage.holding`).

A viewer applies the retention once, as it opens a source and before it shows any of it, and then
not while it runs (`ArchivedSource.hold`): a row it shows stays readable, whatever the limits; what
it stores meanwhile goes once it has quit (`Archive.prune_shown`), or at its next launch.
`logview archive prune`, run by the user, and an export's stores prune at once.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING
from datetime import datetime, timezone

from logview.archive.coverage import drop_slivers, trim_coverage
from logview.archive.rowid_top import rowids_kept_growing
from logview.times import TimeParseError, is_relative, parse_user_time

if TYPE_CHECKING:
    from logview.api.events import Notice

DEFAULT_MAX_ENTRIES = 1_000_000


@dataclass(frozen=True)
class Retention:
    """Per source: `max_entries` (None: no limit) and `max_age_s` (None: no age limit)."""

    max_entries: int | None = DEFAULT_MAX_ENTRIES
    max_age_s: float | None = None

    def describe(self) -> str:
        return f"{self.entries_words()} per source, {self.age_words()}"

    def age_start_s(self, now_s: float | None = None) -> float | None:
        """The moment (epoch seconds) before which an entry is past `archive_max_age` and dropped;
        None without an age limit. The one place the age's start is counted back from now."""
        if self.max_age_s is None:
            return None
        return (time.time() if now_s is None else now_s) - self.max_age_s

    def drops_from(self, since: datetime | None) -> bool:
        """Whether a range from `since` (None: the beginning) reaches past the age: what is older is
        fetched and shown, then dropped, and fetched again at each run. (A minute's slack: a range
        of the age itself, `since 1d` put there at launch, was counted back a moment before now.)"""
        start = self.age_start_s()
        return start is not None and (since is None or since.timestamp() < start - 60)

    def not_kept_words(self, done: str) -> str:
        """"Entries older than 1 day are shown but not kept: …" (`done`: shown, written)."""
        return (f"Entries older than {describe_age(self.max_age_s or 0)} are {done} but not kept: the config's "
                "archive_max_age drops them from the archive, so the next run fetches them again.")

    def entries_words(self) -> str:
        return "no limit on entries" if self.max_entries is None else f"up to {self.max_entries:,} entries"

    def age_words(self) -> str:
        return "no age limit" if self.max_age_s is None else f"none older than {describe_age(self.max_age_s)}"


def dropped_words(count: int, retention: Retention) -> str:
    """"Archive retention (at most 2,000 entries a source) dropped 3,343 older entries", or with an
    age "(at most 1,000,000 entries a source, none older than 1 day)"."""
    limits = [f"at most {retention.max_entries:,} entries a source"] if retention.max_entries is not None else []
    if retention.max_age_s is not None:
        limits.append(f"none older than {describe_age(retention.max_age_s)}")
    return f"Archive retention ({', '.join(limits)}) dropped {count:,} older entr{'y' if count == 1 else 'ies'}"


def dropped_notice(count: int, retention: Retention) -> Notice:
    """What a viewer says of the entries the retention took as it opened a source (none shown yet)."""
    from logview.api.events import Notice  # (only then: `logview.api` brings httpx, after the first paint)

    return Notice("retention", f"{dropped_words(count, retention)} at launch, before showing any; the load "
                  f"fetches {'it' if count == 1 else 'them'} again if it reaches that far")


def parse_age(text: str) -> float:
    """Seconds in an age like `30d`, `12h`, `90m`; ValueError with a helpful message otherwise."""
    if not is_relative(text):
        raise ValueError(f"not an age: {text!r} (use a number and a unit: 30s, 15m, 12h, 30d, 4w)")
    now = datetime(2000, 1, 1, tzinfo=timezone.utc)
    try:
        return (now - parse_user_time(text, now=now)).total_seconds()
    except TimeParseError as error:
        raise ValueError(str(error)) from None


# (each unit: its letter as an age is written, `30d`, its word as it is said, and its seconds)
_AGE_UNITS = (("d", "day", 86400), ("h", "hour", 3600), ("m", "minute", 60))


def _whole_units(seconds: float) -> tuple[float, str, str]:
    """The age as a whole number of the largest unit it is one of, else of seconds."""
    for letter, word, size in _AGE_UNITS:
        if seconds >= size and seconds % size == 0:
            return seconds // size, letter, word
    return seconds, "s", "second"


def describe_age(seconds: float) -> str:
    """"1 day", "30 days", "12 hours", "90 seconds": the unit the age is a whole number of."""
    number, _, word = _whole_units(seconds)
    return f"{number:g} {word}{'' if number == 1 else 's'}"


def age_text(seconds: float) -> str:
    """The age as `--since` takes it ("1d", "90m"): a viewer's default start under `archive_max_age`."""
    number, letter, _ = _whole_units(seconds)
    return f"{number:g}{letter}"


def pruning_due(db: sqlite3.Connection, source_id: int, retention: Retention, now_s: float | None = None) -> bool:
    """Whether `prune_source` would change anything, found by reading only (a launch must not wait
    for another process's write lock when there is nothing to prune)."""
    age_start_s = retention.age_start_s(now_s)
    if age_start_s is not None:
        cutoff = int(age_start_s * 1_000_000)
        if db.execute("SELECT 1 FROM entries WHERE source = ? AND time_us < ? LIMIT 1", (source_id, cutoff)).fetchone():
            return True
    # (counting a big source costs a launch tens of ms before its first paint; the archive's last
    # rowid bounds every source's count at once, as rowids only grow)
    if retention.max_entries is not None and db.execute(
            "SELECT ifnull(max(rowid), 0) FROM entries").fetchone()[0] > retention.max_entries and db.execute(
            "SELECT count(*) FROM entries WHERE source = ?", (source_id,)).fetchone()[0] > retention.max_entries:
        return True
    return db.execute("SELECT 1 FROM coverage WHERE source = ? AND end_us < (SELECT min(time_us) FROM entries "
                      "WHERE source = ?) LIMIT 1", (source_id, source_id)).fetchone() is not None


@dataclass(frozen=True)
class Pruned:
    """How many entries a prune took, by the limit that took them: a launch says only the count
    limit's (the age's are older than it loads by default: `within_retention`)."""

    by_age: int
    by_count: int

    @property
    def total(self) -> int:
        return self.by_age + self.by_count


def prune_source(db: sqlite3.Connection, source_id: int, retention: Retention, now_s: float | None = None) -> Pruned:
    """Apply `retention` to one source inside the caller's transaction (the age first, then the
    count); returns how many entries went."""
    with rowids_kept_growing(db):
        return _prune(db, source_id, retention, now_s)


def _prune(db: sqlite3.Connection, source_id: int, retention: Retention, now_s: float | None) -> Pruned:
    by_age, removed, floor = 0, 0, None
    age_start_s = retention.age_start_s(now_s)
    if age_start_s is not None:
        cutoff = int(age_start_s * 1_000_000)
        by_age = db.execute("DELETE FROM entries WHERE source = ? AND time_us < ?", (source_id, cutoff)).rowcount
        if by_age:
            floor = cutoff  # everything before the cutoff went, nothing after
    if retention.max_entries is not None:
        count = db.execute("SELECT count(*) FROM entries WHERE source = ?", (source_id,)).fetchone()[0]
        excess = count - retention.max_entries
        if excess > 0:
            # the newest entry to go; ties at its time may be partly kept, so coverage restarts
            # just after it (NULL times sort first: they go before any timed entry)
            last_time, last_row = db.execute(
                "SELECT time_us, rowid FROM entries WHERE source = ? ORDER BY time_us, rowid LIMIT 1 OFFSET ?",
                (source_id, excess - 1)).fetchone()
            if last_time is None:
                removed += db.execute("DELETE FROM entries WHERE source = ? AND time_us IS NULL AND rowid <= ?",
                                      (source_id, last_row)).rowcount
            else:
                removed += db.execute(
                    "DELETE FROM entries WHERE source = ? AND (time_us IS NULL OR time_us < ? "
                    "OR (time_us = ? AND rowid <= ?))", (source_id, last_time, last_time, last_row)).rowcount
                floor = max(floor or last_time + 1, last_time + 1)
    if floor is not None:
        trim_coverage(db, source_id, floor)
    drop_slivers(db, source_id)  # (also those an earlier logview left: s23 walk #4)
    return Pruned(by_age, removed)
