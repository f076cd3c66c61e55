"""Time parsing and formatting shared by the sources, the CLI and the demo-free core.

API times are parsed leniently (date-only, `Z`, offsets, any fractional precision, epoch
numbers) because the contracts leave the format loose; naive API times are UTC. Times the *user*
types are read in the local time zone, the one the table shows.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from itertools import repeat
from operator import floordiv, sub
from typing import Any

_RELATIVE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Epoch values above this are milliseconds (1e11 s is the year 5138).
_EPOCH_MS_THRESHOLD = 1e11


class TimeParseError(ValueError):
    """A user-supplied time that is neither ISO 8601 nor a relative span."""


class ReversedRange(TimeParseError):
    """A since/until pair whose start is after its end."""


def utc_now() -> datetime:
    """The clock relative times count back from (one place, so tests can move it)."""
    return datetime.now(timezone.utc)


def parse_api_time(value: Any) -> datetime | None:
    """Parse a time as an API sends it; None when it is absent or not a time at all."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        seconds = value / 1000 if abs(value) >= _EPOCH_MS_THRESHOLD else value
        try:
            return datetime.fromtimestamp(seconds, tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > 64:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed


def parse_user_time(text: str, *, now: datetime | None = None, end_of_day: bool = False) -> datetime:
    """Parse `--since`/`--until` input: ISO 8601 date or date-time, or relative `30s`, `15m`, `2h`, `7d`.

    Relative spans count back from `now`. A bare date means the start of that local day, or with
    `end_of_day` the start of the next one, so `--until 2025-11-15` includes all of the 15th.
    """
    try:
        return _parse_user_time(text, now or utc_now(), end_of_day)
    except (OverflowError, _OutOfRange):
        # a far span, or a date at the calendar's edge: datetime stops at the years 1 and 9999,
        # and such a time is refused like a misspelled one (a traceback ended the command)
        raise TimeParseError(
            f"out of range: {text!r} (times run from the year 1 to the year 9999)") from None


class _OutOfRange(Exception):
    """A date that parsed but cannot be placed in the local time zone (the year 1, the year 9999)."""


def _parse_user_time(text: str, now: datetime, end_of_day: bool) -> datetime:
    match = _RELATIVE.match(text)
    if match:
        amount, unit = float(match.group(1)), match.group(2).lower()
        return now - timedelta(seconds=amount * _UNIT_SECONDS[unit])
    stripped = text.strip()
    try:
        if _DATE_ONLY.match(stripped):
            day = date.fromisoformat(stripped)
            if end_of_day:
                day += timedelta(days=1)
            return _local(datetime.combine(day, time()))
        parsed = datetime.fromisoformat(stripped)
    except ValueError:
        raise TimeParseError(
            f"not a time: {text!r} (use ISO 8601 like 2025-11-15 or 2025-11-15T10:30:00Z, "
            "or a relative span like 30s, 15m, 2h, 7d)"
        ) from None
    if parsed.tzinfo is None:
        return _local(parsed)  # naive input is local time
    return parsed


def _local(naive: datetime) -> datetime:
    try:
        return naive.astimezone()
    except (OverflowError, ValueError, OSError):  # the platform's clock functions refuse it
        raise _OutOfRange from None


def is_relative(text: str) -> bool:
    """`30s`, `15m`, `2h`, `7d`: a span back from now, not a moment."""
    return _RELATIVE.match(text) is not None


def parse_time_range(since_text: str, until_text: str, *,
                     now: datetime | None = None) -> tuple[datetime | None, datetime | None]:
    """A since/until pair as typed; blank means open-ended. Raises TimeParseError, also when the
    range ends before it starts. Both relative times count back from the same `now`."""
    now = now or utc_now()
    since = parse_user_time(since_text, now=now) if since_text.strip() else None
    until = parse_user_time(until_text, now=now, end_of_day=True) if until_text.strip() else None
    # (a bare `until` date ends where the next day starts: a `since` there is already past it)
    whole_day = until is not None and until != parse_user_time(until_text, now=now)
    if since is not None and until is not None and (since > until or (whole_day and since == until)):
        raise ReversedRange("the start of the range is after its end")
    return since, until


def format_api_time(moment: datetime) -> str:
    """ISO 8601 in UTC with millisecond precision and `Z`: what both APIs accept and emit."""
    utc = moment.astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def as_sent(moment: datetime) -> datetime:
    """`moment` as `format_api_time` sends it to a server: cut to the millisecond."""
    return moment.replace(microsecond=moment.microsecond - moment.microsecond % 1000)


def epoch_us(moment: datetime | None) -> int | None:
    """Microseconds since the epoch, exact (unlike float `timestamp()`); naive means UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return (moment - _EPOCH) // timedelta(microseconds=1)


def from_epoch_us(value: int) -> datetime:
    """The UTC moment `value` microseconds after the epoch (`epoch_us`'s inverse)."""
    return _EPOCH + timedelta(microseconds=value)


def epoch_us_all(times: list[datetime | None]) -> list[int | None]:
    """`[epoch_us(moment) for moment in times]`, the same arithmetic run in C for the common list
    (every time aware: a time's Python call cost more than the rest of its archive row)."""
    try:
        return list(map(floordiv, map(sub, times, repeat(_EPOCH, len(times))), repeat(_ONE_US, len(times))))
    except TypeError:  # a time missing, or naive (UTC to `epoch_us`)
        stamps = {moment: epoch_us(moment) for moment in set(times)}
        return list(map(stamps.__getitem__, times))


_ONE_US = timedelta(microseconds=1)


_REMEMBERED: dict[datetime | None, int | None] = {}  # times met lately, as epoch microseconds
REMEMBERED_LIMIT = 20_000


def epoch_us_remembered(moments: list[datetime | None]) -> list[int | None]:
    """`epoch_us_all(moments)`, each distinct time made microseconds once and remembered: a page's
    entries share their datetimes (`sources.api_times`), a backfill meets ~230 new ones a page, and
    the same entries' times are asked for twice through an archive (the writer's rows first, then
    the store's time column)."""
    if len(_REMEMBERED) >= REMEMBERED_LIMIT:  # (emptied before the times are counted in, not after)
        _REMEMBERED.clear()
    new = list(set(moments).difference(_REMEMBERED))
    if new:
        _REMEMBERED.update(zip(new, epoch_us_all(new)))
    try:
        return list(map(_REMEMBERED.__getitem__, moments))
    except KeyError:  # emptied meanwhile by another thread (an archive writer thread): made all at once instead
        return epoch_us_all(moments)
