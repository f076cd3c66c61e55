"""Many stores' rows as one timeline (the merged tab), column-wise.

Codes are translated through one lookup per part and field, and the rows put in order with one
stable sort by time (timeless rows last), so even a few hundred thousand rows take milliseconds,
never a pass in Python.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import msgspec
import numpy as np

from logview.files.columns import NO_TIME
from logview.store.archived import Backings
from logview.store.codes import CODE_FIELDS, Codes
from logview.store.held import HeldEntries
from logview.store.rows import RowBuffer

MERGED_COLUMNS = (*CODE_FIELDS, "time", "duration", "invalid", "rowid", "backing", "origin")


class MergedRows(msgspec.Struct, frozen=True):
    """The merged rows, newest first: their columns (codes in the target's numbering), the entries
    held in memory (None for an archived row), and per row the index of its part and its ordinal
    there (to find a row again after the next merge)."""

    columns: dict[str, np.ndarray]
    entries: np.ndarray
    parts: np.ndarray
    ordinals: np.ndarray

    def __len__(self) -> int:
        return len(self.parts)


def merge_rows(codes: Codes, backings: Backings,
               parts: Sequence[tuple[str, RowBuffer, Codes, Backings, HeldEntries]],
               left_out: frozenset[str] = frozenset(), sources: Sequence[Hashable | None] = ()) -> MergedRows:
    """Every loaded row of `parts` (label, rows, their codes, their archives, their entries held),
    coded for `codes` and `backings` (archived rows stay archived: their rowid is kept, their
    archive numbered anew). A part labelled in `left_out` is named (an origin with no rows) but
    none of its rows are taken. Parts of one source (equal in `sources`, part by part; None: a
    source of its own) take each entry once: the first part holding it keeps it (`_Sightings`)."""
    pieces: dict[str, list[np.ndarray]] = {name: [] for name in (*MERGED_COLUMNS, "entry", "part", "ordinal")}
    mine = codes.by_field()
    sightings: dict[Hashable, _Sightings] = {}
    for index, (label, rows, theirs_codes, theirs_backings, held) in enumerate(parts):
        lo, hi = rows.head, (rows.head if label in left_out else rows.tail)
        source = sources[index] if index < len(sources) else None
        entries = np.fromiter(held.take(rows.span("held", lo, hi)), dtype=object, count=hi - lo)
        taken = slice(None) if source is None else sightings.setdefault(source, _Sightings()).first(rows, entries, lo, hi)
        ordinals = np.arange(lo, hi, dtype=np.int64)[taken]
        pieces["origin"].append(np.full(len(ordinals), codes.origins.code(label), dtype=np.int32))
        pieces["part"].append(np.full(len(ordinals), index, dtype=np.int64))
        pieces["ordinal"].append(ordinals)
        for name in ("time", "duration", "invalid", "rowid"):
            pieces[name].append(rows.span(name, lo, hi)[taken])
        pieces["entry"].append(entries[taken])
        renumbered = np.array([0, *map(backings.code, theirs_backings.readers)], dtype=np.uint8)
        pieces["backing"].append(renumbered[rows.span("backing", lo, hi)[taken]])
        theirs = theirs_codes.by_field()
        for name in CODE_FIELDS:
            lookup = np.fromiter((mine[name].code(v) for v in theirs[name].values), dtype=np.int32,
                                 count=len(theirs[name]))
            pieces[name].append(lookup[rows.span(name, lo, hi)[taken]])
    # (no part at all: empty columns; a row's part and ordinal index arrays, so whole numbers even then)
    empty = {name: np.zeros(0, dtype=np.int64 if name in ("part", "ordinal") else float) for name in pieces}
    joined = {name: np.concatenate(arrays) if arrays else empty[name] for name, arrays in pieces.items()}
    times = joined["time"]
    order = np.argsort(np.where(times == NO_TIME, np.iinfo(np.int64).max, -times), kind="stable")
    return MergedRows({name: joined[name][order] for name in MERGED_COLUMNS}, joined["entry"][order],
                      joined["part"][order], joined["ordinal"][order])


class _Sightings:
    """The entries the earlier parts of one source hold: two tabs of an org with different server
    filters (status error, the last day) both hold an error of that day, and the merged tab showed
    it twice, counted twice. An archived row is known by its rowid (the parts of one source read
    one archive), an entry held in memory by its id; a held entry the other part holds archived
    is seen once the archive says it holds it (`EntryStore.archived`, a page's time later)."""

    def __init__(self) -> None:
        self.rowids = np.zeros(0, dtype=np.int64)
        self.ids: set[str] = set()

    def first(self, rows: RowBuffer, entries: np.ndarray, lo: int, hi: int) -> np.ndarray:
        """Which of the rows `lo`..`hi` (their `entries` held) hold an entry no earlier part holds
        (a mask); they are seen from now on."""
        rowids, archived = rows.span("rowid", lo, hi), rows.span("backing", lo, hi) != 0
        taken = np.ones(hi - lo, dtype=bool)
        taken[archived] = ~np.isin(rowids[archived], self.rowids)
        in_memory = np.flatnonzero(~archived)
        ids = [getattr(entry, "id", None) for entry in entries[in_memory]]
        taken[in_memory] = np.fromiter((found is None or found not in self.ids for found in ids), dtype=bool,
                                       count=len(ids))
        self.rowids = np.concatenate([self.rowids, rowids[archived & taken]])
        self.ids.update(found for found, first in zip(ids, taken[in_memory].tolist()) if first and found is not None)
        return taken
