"""A page's entries in time order, newest first, once each: what the contract's checks (and the
archive's sorting) take a page's order to be."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import islice, pairwise
from operator import ge

from logview.model import LogEntry
from logview.sources.page_columns import columns_of


def sort_key(entry: LogEntry) -> float:
    """Newest first by this key, descending; entries without a time last."""
    return entry.time.timestamp() if entry.time is not None else float("-inf")


def newest_first(page_entries: Sequence[LogEntry]) -> Sequence[LogEntry]:
    """`page_entries` once each (an id the page repeats is dropped), their timed entries newest
    first. An entry without a time has no place in time: it keeps its place in the page. A page
    already in order (the usual case) is returned as it came (a typed page's: itself, its columns
    telling, every entry timed: ids distinct, times newest first as integers)."""
    columns = columns_of(page_entries)
    if columns is not None and len(set(columns.ids)) == len(page_entries) and all(
            map(ge, columns.times_us, islice(columns.times_us, 1, None))):
        return page_entries
    if len({e.id for e in page_entries}) < len(page_entries):
        page_entries = _once_each(page_entries)
    slots = [i for i, e in enumerate(page_entries) if e.time is not None]
    times = [page_entries[i].time for i in slots]
    if all(a >= b for a, b in pairwise(times)):  # type: ignore[operator]
        return list(page_entries)
    ordered = list(page_entries)
    for slot, entry in zip(slots, sorted((page_entries[i] for i in slots), key=sort_key, reverse=True)):
        ordered[slot] = entry
    return ordered


def what_was_wrong(page_entries: Sequence[LogEntry], ordered: Sequence[LogEntry]) -> str:
    """What `newest_first` mended in a page, in words: the ids it repeated, its times' order, or both
    (the words named both where one had happened: s30 walk #8)."""
    repeated = len(ordered) < len(page_entries)
    once = _once_each(page_entries) if repeated else page_entries
    if not any(a is not b for a, b in zip(ordered, once)):
        return "repeating an entry (taken once)"
    return "out of time order and repeating an entry (sorted, once each)" if repeated else "out of time order (sorted)"


def _once_each(page_entries: Sequence[LogEntry]) -> list[LogEntry]:
    """Each id's first entry, in the page's order."""
    once: dict[str, LogEntry] = {}
    for entry in page_entries:
        once.setdefault(entry.id, entry)
    return list(once.values())
