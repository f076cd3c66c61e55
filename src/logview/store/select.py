"""Filtering a store's rows: `Filters` compiled to codes and bounds, applied as numpy masks.

Exactly `Source.matches`, vectorised (a property test holds it to that). A selection also counts,
per status option, the rows that match every *other* filter: the sidebar's numbers, which must not
depend on the status choice itself. A file's rows get their columns late (`ready` ≤ `tail`):
filters that need columns decide only the rows that have them, and counts cover only those.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
import numpy as np

from logview.files.columns import NO_TIME
from logview.model import Filters
from logview.categories import Categories
from logview.store.codes import Codes
from logview.store.rows import RowBuffer
from logview.times import epoch_us

# The filters decided on a row's columns (a file's rows have them only once read); search is not.
COLUMN_FILTERS = ("statuses", "since", "until", "credential", "event", "tool", "error", "origin")


def needs_columns(filters: Filters) -> bool:
    return any(getattr(filters, name) not in (None, ()) for name in COLUMN_FILTERS)


class Selection(msgspec.Struct, frozen=True):
    """The result of a filter: the ordinals shown, newest first, and the sidebar's counts."""

    index: np.ndarray  # ordinals (int64, or int32 over a file), ascending (= newest first)
    option_counts: np.ndarray  # per status option, among rows matching every *other* filter
    others_total: int  # rows matching every filter but the status one


class CompiledFilters(msgspec.Struct):
    status_lut: np.ndarray | None
    since: int | None
    until: int | None
    credential: int | None  # -1: a value that never occurred, so nothing matches
    event: int | None
    tool: int | None
    error: int | None
    origin: int | None
    needle: str | None  # the search, decided by the `hit` column
    needs_columns: bool  # see `needs_columns`


def compile_filters(codes: Codes, filters: Filters) -> CompiledFilters:
    def code(categories: Categories, value: str | None) -> int | None:
        if value is None:
            return None
        found = categories.lookup(value)
        return -1 if found is None else found

    return CompiledFilters(
        status_lut=codes.status_lut(filters.statuses) if filters.statuses else None,
        since=epoch_us(filters.since),
        until=epoch_us(filters.until),
        credential=code(codes.credentials, filters.credential),
        event=code(codes.events, filters.event),
        tool=code(codes.tools, filters.tool),
        error=code(codes.errors, filters.error),
        origin=code(codes.origins, filters.origin),
        needle=filters.search.lower() if filters.search else None,
        needs_columns=needs_columns(filters),
    )


def _others_mask(rows: RowBuffer, f: CompiledFilters, lo: int, hi: int) -> np.ndarray | None:
    """Every filter except status over [lo, hi); None means "all rows"."""
    mask: np.ndarray | None = None

    def add(part: np.ndarray) -> None:
        nonlocal mask
        mask = part if mask is None else mask & part

    if f.since is not None:
        add(rows.span("time", lo, hi) >= f.since)
    if f.until is not None:
        times = rows.span("time", lo, hi)
        add((times <= f.until) & (times != NO_TIME))
    for name in ("credential", "event", "tool", "error"):
        wanted = getattr(f, name)
        if wanted is not None:
            add(rows.span(name, lo, hi) == wanted)
    if f.origin is not None:
        add(rows.span("origin", lo, hi) == f.origin if "origin" in rows.cols else np.zeros(hi - lo, bool))
    if f.needle is not None:
        add(rows.span("hit", lo, hi).copy())
    return mask


def select_range(rows: RowBuffer, codes: Codes, f: CompiledFilters, lo: int, hi: int,
                 options: Sequence[str], ordinals: type = np.int64) -> Selection:
    """Rows in [lo, hi) that match (within the covered rows) and the counts (within `ready`).
    `ordinals`: the index's type when every row matches (a file's rows fit 4 bytes: the million
    ordinals of its lines, made as they are found, take half the memory and the page faults)."""
    cover = max(lo, min(hi, rows.ready if f.needs_columns else rows.tail))
    counted = max(lo, min(hi, rows.ready))
    others = _others_mask(rows, f, lo, max(cover, counted))
    statuses = rows.span("status", lo, counted)
    relevant = statuses if others is None else statuses[others[:counted - lo]]
    per_code = np.bincount(relevant, minlength=len(codes.statuses))
    counts = np.array([int(per_code[codes.status_lut((o,))].sum()) for o in options], dtype=np.int64)
    mask = None if others is None else others[:cover - lo]
    if f.status_lut is not None:
        status_mask = f.status_lut[rows.span("status", lo, cover)]
        mask = status_mask if mask is None else mask & status_mask
    index = np.arange(lo, cover, dtype=ordinals) if mask is None else np.flatnonzero(mask) + lo
    return Selection(index, counts, int(len(relevant)))
