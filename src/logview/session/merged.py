"""The merged timeline: every tab's loaded entries in one view, newest first, with their source.

It asks no API anything: whenever a tab's rows change (the screen checks every MERGE_EVERY_S, so
a tab's live tail shows here too), the store is rebuilt from the tabs' stores
(`EntryStore.merge_from`, column-wise, milliseconds), and the entry the user was on can be found
again by where it came from.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence

from msgspec.structs import replace
import numpy as np

from logview.model import Filters
from logview.session.troubles import left_out_of_merge, not_whole
from logview.session.viewer_session import SidebarCounts, ViewerSession
from logview.sources.mixed import MixedSource
from logview.store import EntryStore

MERGE_EVERY_S = 0.5

Parts = Callable[[], Sequence[tuple[str, EntryStore]]]  # (the tab's label, its store), in tab order
# what each part reads (its API, host and scope; None: a source of its own), in the parts' order:
# parts of one source take each entry once (`merge.py`)
Sources = Callable[[], Sequence[Hashable | None]]
Origin = tuple[EntryStore, int]  # a merged row's part, and its ordinal there


class MergedSession(ViewerSession):
    """A session over the rows of other sessions (or of a mixed file's sources)."""

    def __init__(self, parts: Parts, filters: Filters | None = None, sources: Sources = tuple) -> None:
        super().__init__(MixedSource(), filters or Filters(), max_entries=None, file_mode=True, merged=True)
        self.parts, self.sources = parts, sources
        self.phase = "complete"
        self._signature: tuple[object, ...] | None = None
        self._parts = np.zeros(0, dtype=np.int64)  # per row: which part, and its ordinal there
        self._ordinals = np.zeros(0, dtype=np.int64)
        self._stores: list[EntryStore] = []  # the parts merged, and how far their rows had moved then
        # parts whose entries are an earlier part's too, each shown once as that one's (`folded`)
        self.folded: dict[str, tuple[int, str]] = {}
        self._versions: list[int] = []

    def merge(self, force: bool = False) -> bool:
        """Rebuild from the parts if any of them changed (or `force`); True if it did."""
        parts = list(self.parts())
        # A tab whose loading failed is left out, as the header says ("2 of 3 sources merged ·
        # bad: failed"): its rows were merged all the same, and a key the server refused showed
        # its org's archive here, each of its entries twice beside the working tab's (found in a
        # walk); so is a tab reading what an earlier one reads (the same entries twice)
        left_out = frozenset(label for label, trouble in self.source_troubles.items() if left_out_of_merge(trouble))
        sources = tuple(self.sources())
        signature = (left_out, sources, tuple((store.epoch, store.head, store.tail, store.moves.version) for _, store in parts))
        if signature == self._signature and not force:
            return False
        self._signature = signature
        self._parts, self._ordinals = self.store.merge_from(parts, left_out, sources)
        self.folded = _folded(parts, left_out, sources, np.bincount(self._parts, minlength=len(parts)))
        self._stores = [store for _, store in parts]
        self._versions = [store.moves.version for store in self._stores]
        self.view.refilter(self.filters)
        return True

    def sidebar_counts(self) -> SidebarCounts:
        counts = super().sidebar_counts()
        if self.phase == "loading" and not self.searching:  # (a mixed file read: its counts are partial)
            # (how many entries are left is not known before the end, as a plain file's index
            # knows it: how much of the file is, as the header says it)
            left = 100 - int(100 * self.file_scanned)
            return replace(counts, note=f"counting … {left}% to go")
        return counts

    def save_waits_for(self) -> str | None:
        """A mixed file's rows show as they are read (its screen says it is loading): a save
        then wrote those read so far, 106,000 of a million, without a word (found in a walk)."""
        return "the file is read" if self.phase == "loading" else super().save_waits_for()

    def partial_note(self) -> str | None:
        """The sources not whole yet, a word each (`smb loading, dead failed`), or None: the
        histogram and the save dialog read as whole while a tab had 2,000 of ~20,000 entries
        (s21 walk #8)."""
        return ", ".join(f"{label} {progress.state}" for label, progress in not_whole(self).items()) or None

    def chart_note(self) -> str:
        partial = self.partial_note()
        return super().chart_note() or (f"partial: {partial}" if partial else "")

    def errors_uncounted(self) -> str | None:
        return "the file is still being read" if self.phase == "loading" else super().errors_uncounted()

    def empty_message(self, connector_message: str, budget=None, next_request_in_s: float | None = None) -> str:
        """A Source filter on a tab whose entries an earlier tab holds too: they are shown as that
        one's, which the empty table blamed on the filters (s24 walk #7)."""
        if (shared := self.folded.get(self.filters.origin or "")) is not None and not len(self.view):
            count, first = shared
            return (f"{self.filters.origin}'s {count:,} entries are {first}'s too, shown once, as {first}: "
                    f"Source {first} shows them.")
        return super().empty_message(connector_message, budget, next_request_in_s)

    def origin_of(self, ordinal: int | None) -> Origin | None:
        """Where the row at `ordinal` came from now: its part's store and its ordinal there, which
        follows the rows merged into place since (a mixed file's parts are put in order once read,
        and the parts may come in another order: a part is its store)."""
        index = None if ordinal is None else ordinal - self.store.head
        if index is None or not 0 <= index < len(self._parts):
            return None
        part = int(self._parts[index])
        store, version = self._stores[part], self._versions[part]
        try:
            store.moves.span_since(version)
        except LookupError:  # (moved too often since to be followed)
            return None
        return store, store.moves.follow(int(self._ordinals[index]), version)

    def origins_of(self, ordinals: np.ndarray) -> list[str]:
        """The source label of each of these rows (what a save writes with each entry)."""
        labels = self.store.origins.values
        return [labels[code] for code in self.store.column("origin", ordinals).tolist()]

    def row_of_origin(self, origin: Origin) -> int | None:
        """The view's row showing the entry that came from `origin`, if it is shown."""
        store, ordinal = origin
        part = next((i for i, merged in enumerate(self._stores) if merged is store), None)
        if part is None:
            return None
        hits = np.flatnonzero((self._parts == part) & (self._ordinals == ordinal))
        if not len(hits):
            return None
        merged_ordinal = self.store.head + int(hits[0])
        return self.view.row_of(merged_ordinal) if self.view.contains(merged_ordinal) else None


def _folded(parts: Sequence[tuple[str, EntryStore]], left_out: frozenset[str], sources: Sequence[Hashable | None],
            merged: np.ndarray) -> dict[str, tuple[int, str]]:
    """Each part with rows that an earlier part of its source holds too (two profiles of one org,
    one with a status filter): how many, and that part's label. Each entry is shown once, as the
    earlier part's: said, as the second tab otherwise vanished from the merged tab (s23 walk #10)."""
    folded: dict[str, tuple[int, str]] = {}
    for at, (label, store) in enumerate(parts):
        source, shown = sources[at] if at < len(sources) else None, int(merged[at])  # (merged: one count a part)
        if source is None or label in left_out or len(store) <= shown:
            continue
        first = next((other for (other, _), earlier in zip(parts[:at], sources)
                      if earlier == source and other not in left_out), None)
        if first is not None:
            folded[label] = (len(store) - shown, first)
    return folded
