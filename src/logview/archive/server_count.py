"""The server's count of a walk's whole range (`sync.ArchivedPager`), told only once known.

A walk shows some stretches from the archive and fetches the gaps between them. The server counts
each gap's range (Aitronos; Supermetrics counts nothing), and the stretches around a gap hold some
of what it counts: the entries at a stretch's edge, and a stretch another process archived while the
gap's fetch waited (`meanwhile.py`), shown in the fetch's place. So the range's count is what the
archive showed, plus each gap's count, less what of it was shown otherwise (its repeats).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class ServerCount:
    def __init__(self) -> None:
        self.from_archive = 0  # entries shown without a request
        self._totals: list[int | None] = []  # each gap's server count, once said
        self._repeats: list[int] = []  # … less what the stretches around it showed of it
        self._holding: int | None = None  # the gap whose count holds the archived rows shown now

    @property
    def any_gap(self) -> bool:
        return bool(self._totals)

    def gap(self) -> int:
        """A gap begun: its index, for what its pages say."""
        self._totals.append(None)
        self._repeats.append(0)
        return len(self._totals) - 1

    def said(self, index: int, total: int | None) -> None:
        if self._totals[index] is None:
            self._totals[index] = total

    def last(self) -> int | None:
        """The last gap's count (the status line's "N of M" while it is fetched)."""
        return self._totals[-1]

    def repeated(self, index: int, count: int) -> None:
        self._repeats[index] += count

    def archived(self, count: int) -> None:
        """`count` entries shown from the archive: in the count, unless a gap's count holds them."""
        self.from_archive += count
        if self._holding is not None:
            self._repeats[self._holding] += count

    @contextmanager
    def held_by(self, index: int | None) -> Iterator[None]:
        """While archived rows are shown in the place of part of gap `index`'s fetch (None: of a
        gap not fetched at all, whose count is none)."""
        self._holding = index
        try:
            yield
        finally:
            self._holding = None

    def value(self) -> int | None:
        """The range's count; None while a gap's is unknown."""
        if any(total is None for total in self._totals):
            return None
        return self.from_archive + sum(t for t in self._totals if t is not None) - sum(self._repeats)
