"""A mixed file's stores, one per source, as the merged timeline's parts (`mixed_file.py`).

Each store keeps its rows' columns and their lines' places: an entry is read back from its line
when it is shown (`files.mixed.EnvelopeLines`). Most lines come as columns (`files.mixed_columns`),
the rest as entries read the exact way, each group's rows in file order either way.

While the file is read, the parts read so far are shown now and then (`show`): the first rows at
once, then each time the rows have grown several times over (every merge of the parts costs the
screen a pass over all of them), or a few seconds have passed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from logview.files.mixed import EnvelopeLines, TimelineGroups, iter_line_batches
from logview.files.mixed_columns import MixedColumnReader, ReadBatch
from logview.sources.mixed import MixedSource
from logview.store import EntryStore
from logview.ui.bulk_gc import bulk_collection

Parts = list[tuple[str, EntryStore]]
FIRST_ROWS = 1000  # the first batch: its rows are shown as soon as they are read
SHOW_GROWTH = 4  # the parts are shown again once they hold this many times the rows shown
SHOW_AT_LEAST_EVERY_S = 2.0


def read_parts(path: Path, max_entries: int | None, progress: Callable[[int], None],
               cancelled: Callable[[], bool], show: Callable[[Parts], None] | None = None,
               fast: bool = True, batch_size: int = 5000) -> Parts | None:
    """The merged timeline's parts of a mixed file: a store per source, in the file's order of
    sources (`TimelineGroups`); None if `cancelled` before the end. `show`: called with the parts
    read so far now and then (their rows not yet in time order: a merge sorts them); the caller
    must not let them be read while this goes on. `fast` False: every line read the exact way;
    `batch_size`: lines read at a time."""
    groups = TimelineGroups(max_entries)
    readers = EnvelopeLines.of_file(path)  # (before reading: the file as read)
    reader = MixedColumnReader(fast)
    stores: dict[str, EntryStore] = {}
    shown_rows, shown_at = 0, time.monotonic()
    with bulk_collection():  # (each batch's entries are freed by reference counting)
        for places, lines in iter_line_batches(path, batch_size, progress, min(FIRST_ROWS, batch_size)):
            if cancelled():
                return None
            batch = reader.read(places, lines)
            shares, more = groups.add(batch.sources, batch.times)
            for label, rows in shares.items():
                store = stores.get(label)
                if store is None:
                    store = stores[label] = EntryStore(MixedSource())
                _append(store, batch, rows, readers)
            if show is not None and more and (groups.taken >= SHOW_GROWTH * shown_rows or
                                              time.monotonic() - shown_at >= SHOW_AT_LEAST_EVERY_S):
                show([(label, stores[label]) for label in groups.order()])
                shown_rows, shown_at = groups.taken, time.monotonic()
            if not more:
                break
    for store in stores.values():
        store.settle()  # (once: a file written oldest first is sorted once, not a batch at a time)
    return [(label, stores[label]) for label in groups.order()]


def _append(store: EntryStore, batch: ReadBatch, rows: np.ndarray, readers: dict[str, EnvelopeLines]) -> None:
    """A group's rows of `batch` (in file order), a run at a time of rows read alike."""
    apis = list(batch.columns)
    kinds = np.full(len(batch), -1, dtype=np.int64)  # per row: its API's index in `apis`, -1 read exactly
    for index, api in enumerate(apis):
        kinds[batch.columns[api][0]] = index
    mine = kinds[rows]
    for run in np.split(rows, np.flatnonzero(np.diff(mine)) + 1):
        kind = int(kinds[run[0]])
        if kind < 0:
            entries = [batch.entries[i] for i in run.tolist()]
            back = [readers.get(entry.source) if batch.readable[i] else None for i, entry in zip(run.tolist(), entries)]
            store.append(entries, (back, [batch.places[i] or 0 for i in run.tolist()]), settle=False)
        else:
            api = apis[kind]
            at, columns = batch.columns[api]
            store.append_archived(columns.take(np.searchsorted(at, run)), readers[api], settle=False)
