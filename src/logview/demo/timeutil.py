"""Time helpers. All internal timestamps are integer microseconds since the Unix epoch (UTC),
so bisecting and comparing never involves floats or timezone objects."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_DATE_ONLY = re.compile(r"^\d{4}-?\d{2}-?\d{2}$")
# A '+' in an unencoded query string arrives as a space: "…10:30:00 02:00" means "+02:00".
_SPACE_OFFSET = re.compile(r"(?<=\d) (\d{2}(?::?\d{2})?)$")
US_PER_DAY = 86_400_000_000


def dt_to_us(dt: datetime) -> int:
    """Aware (or naive = UTC) datetime -> epoch microseconds."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return (dt - _EPOCH) // _US


def us_to_dt(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


def now_us() -> int:
    return time.time_ns() // 1000


def parse_iso(value: str, *, end_of_day: bool = False) -> int:
    """Parse a lenient ISO 8601 string (Z, offsets, any fractional digits, date-only) to epoch µs.

    Naive values are taken as UTC. A date-only value means the start of that day, or its last
    microsecond when ``end_of_day`` (so ``end_date=2025-11-15`` includes the whole day).
    Raises ValueError on anything unparseable.
    """
    text = value.strip()
    if not text:
        raise ValueError("empty timestamp")
    if _DATE_ONLY.match(text):
        us = dt_to_us(datetime.fromisoformat(text))
        return us + US_PER_DAY - 1 if end_of_day else us
    if text[-1] in "zZ":
        text = text[:-1] + "+00:00"
    text = _SPACE_OFFSET.sub(r"+\1", text)
    return dt_to_us(datetime.fromisoformat(text))


def fmt_ms(us: int) -> str:
    """Epoch µs -> '2025-11-15T10:30:00.123Z' (millisecond precision, as Aitronos sends)."""
    sec, rem = divmod(us, 1_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec)) + f".{rem // 1000:03d}Z"


def fmt_s(us: int) -> str:
    """Epoch µs -> '2025-11-15T10:30:00Z' (second precision, as Supermetrics sends)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(us // 1_000_000))
