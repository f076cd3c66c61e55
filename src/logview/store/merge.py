"""Many stores' rows as one timeline (the merged tab), column-wise.

Codes are translated through one lookup per part and field, and the rows put in order with one
stable sort by time (timeless rows last), so even a few hundred thousand rows take milliseconds,
never a pass in Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from logview.files.columns import NO_TIME
from logview.store.archived import Backings
from logview.store.codes import CODE_FIELDS, Codes
from logview.store.held import HeldEntries
from logview.store.rows import RowBuffer

MERGED_COLUMNS = (*CODE_FIELDS, "time", "duration", "invalid", "rowid", "backing", "origin")


@dataclass(frozen=True)
class MergedRows:
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
               left_out: frozenset[str] = frozenset()) -> MergedRows:
    """Every loaded row of `parts` (label, rows, their codes, their archives, their entries held),
    coded for `codes` and `backings` (archived rows stay archived: their rowid is kept, their
    archive numbered anew). A part labelled in `left_out` is named (an origin with no rows) but
    none of its rows are taken."""
    pieces: dict[str, list[np.ndarray]] = {name: [] for name in (*MERGED_COLUMNS, "entry", "part", "ordinal")}
    mine = codes.by_field()
    for index, (label, rows, theirs_codes, theirs_backings, held) in enumerate(parts):
        lo, hi = rows.head, (rows.head if label in left_out else rows.tail)
        pieces["origin"].append(np.full(hi - lo, codes.origins.code(label), dtype=np.int32))
        pieces["part"].append(np.full(hi - lo, index, dtype=np.int64))
        pieces["ordinal"].append(np.arange(lo, hi, dtype=np.int64))
        for name in ("time", "duration", "invalid", "rowid"):
            pieces[name].append(rows.span(name, lo, hi))
        pieces["entry"].append(np.fromiter(held.take(rows.span("held", lo, hi)), dtype=object, count=hi - lo))
        renumbered = np.array([0, *map(backings.code, theirs_backings.readers)], dtype=np.uint8)
        pieces["backing"].append(renumbered[rows.span("backing", lo, hi)])
        theirs = theirs_codes.by_field()
        for name in CODE_FIELDS:
            lookup = np.fromiter((mine[name].code(v) for v in theirs[name].values), dtype=np.int32,
                                 count=len(theirs[name]))
            pieces[name].append(lookup[rows.span(name, lo, hi)])
    joined = {name: np.concatenate(arrays) if arrays else np.zeros(0) for name, arrays in pieces.items()}
    times = joined["time"]
    order = np.argsort(np.where(times == NO_TIME, np.iinfo(np.int64).max, -times), kind="stable")
    return MergedRows({name: joined[name][order] for name in MERGED_COLUMNS}, joined["entry"][order],
                      joined["part"][order], joined["ordinal"][order])
