"""API time strings parsed once and remembered: a page's entries share their seconds, and so do
the pages of a backfill (a module below `base.py` so that the typed page path can use it too)."""

from __future__ import annotations

from datetime import datetime, timezone
from operator import attrgetter, itemgetter
from typing import Any

from logview.times import epoch_us_all, parse_api_time

_TIMES: dict[str, datetime | None] = {}  # API time strings parsed lately (a page's entries share seconds)
_TIMES_LIMIT = 20_000
_UNSEEN: Any = object()


def api_time(value: str) -> datetime | None:
    """`parse_api_time(value)` for a string, remembered: times repeat within and across pages."""
    found = _TIMES.get(value, _UNSEEN)
    if found is _UNSEEN:
        if len(_TIMES) >= _TIMES_LIMIT:
            _TIMES.clear()
        found = _TIMES[value] = _utc_time(value) if type(value) is str and len(value) in _UTC_LENGTHS \
            else parse_api_time(value)
    return found


_UTC_LENGTHS = frozenset((20, 24))  # `2025-11-15T10:30:05Z`, `2025-11-15T10:30:05.123Z`: what the APIs send


def _utc_time(value: str) -> datetime | None:
    """`parse_api_time(value)` of a short string, without its checks for other kinds of value:
    with no white space around it, `fromisoformat` (whose result names its time zone for a text
    ending in Z; else it is UTC), None for a text it refuses."""
    if value[0].isspace() or value[-1].isspace():
        return parse_api_time(value)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)


def api_times(values: list[str]) -> list[datetime | None]:
    """`[api_time(value) for value in values]`: a page's entries share their times, so each text
    new to the cache is parsed once, and then every one is looked up."""
    get = _TIMES.get
    found = list(map(get, values))
    if None in found:  # not met lately (or not a time at all: then `api_time` says None again)
        for value in set(values).difference(_TIMES):
            api_time(value)
        found = list(map(get, values))
        if None in found:  # not a time, or the cache was emptied meanwhile: each on its own
            found = [moment if moment is not None else api_time(value) for moment, value in zip(found, values)]
    return found


_MICROS: dict[str, int] = {}  # API time strings met lately, as epoch microseconds
_MOMENTS: dict[str, datetime] = {}  # the same strings' times (emptied with `_MICROS`)
_MICROS_LIMIT = 20_000


def api_times_us(stamps: list[str]) -> list[int] | None:
    """`epoch_us_all(api_times(stamps))`, each text new to the cache made microseconds once (a
    page's entries share their times: ~1 in 4 is new in the demo's, and nearly every page holds
    some, so they are looked for first); None if one is no time."""
    if not _learn(stamps):
        return None
    try:
        return list(map(_MICROS.__getitem__, stamps))
    except KeyError:  # emptied meanwhile by another thread (an archive's writer thread)
        return epoch_us_all(api_times(stamps))  # type: ignore[arg-type]


def api_times_and_us(stamps: list[str]) -> tuple[list[datetime], list[int]] | None:
    """`(api_times(stamps), api_times_us(stamps))` looked up together (a typed page's entries
    need their times, its store and archive their microseconds: one search for the new texts);
    None if one is no time."""
    if not _learn(stamps):
        return None
    try:
        return list(map(_MOMENTS.__getitem__, stamps)), list(map(_MICROS.__getitem__, stamps))
    except KeyError:  # (as above)
        moments = api_times(stamps)
        return moments, epoch_us_all(moments)  # type: ignore[return-value]


def _learn(stamps: list[str]) -> bool:
    """Remember the texts of `stamps` new to the cache, with their times; False if one is no time."""
    if len(_MICROS) >= _MICROS_LIMIT:  # (emptied before the page's texts are counted in, not after)
        _MICROS.clear()
        _MOMENTS.clear()
    new = list(set(stamps).difference(_MICROS))
    if new:
        moments = _plain_times(new)
        if moments is None:  # (one is no time, or needs a look of its own: each the exact way)
            moments = api_times(new)
            if None in moments:
                return False
        _MOMENTS.update(zip(new, moments))  # type: ignore[arg-type]
        _MICROS.update(zip(new, epoch_us_all(moments)))  # type: ignore[arg-type]
    return True


def _plain_times(texts: list[str]) -> list[datetime] | None:
    """`api_times(texts)` when every text is one `fromisoformat` reads as it is, naming its time
    zone, in C (`map`): the usual page's ~220 new texts cost ~0.6 µs each one by one through
    `api_time`, ~0.2 here; None when one is not (too long, blank at an end, refused, naive), for
    the exact way. With no blank at either end and at most 64 characters, `parse_api_time` reads a
    text by the same `fromisoformat`, and `api_time` too."""
    if max(map(len, texts)) > _LONGEST or "" in texts:
        return None
    if True in map(str.isspace, map(_FIRST, texts)) or True in map(str.isspace, map(_LAST, texts)):
        return None
    try:
        moments = list(map(datetime.fromisoformat, texts))
    except ValueError:
        return None
    return None if None in map(_TZINFO, moments) else moments


_LONGEST = 64  # (`parse_api_time`'s bound)
_FIRST, _LAST, _TZINFO = itemgetter(0), itemgetter(-1), attrgetter("tzinfo")
