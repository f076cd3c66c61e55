"""The pages handed to the archive's writer (`writer.py`) and how they are gathered into one
transaction: only a listing's pages in a row, each joining where the one before it starts, with the
span they complete together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from logview.archive.coverage import Span
from logview.archive.writer_child import Part
from logview.model import LogEntry


class Handed:
    """A page handed to the archive, as the store binds it once it holds the page's entries
    (`HeldEntries.bind`): `held`, each position's held index (0: none), in `table`. The archive's
    word on a transaction names its pages' `Handed`s and their rowids in the same order, so the
    store finds what it let go by position, never by id (`HeldEntries.archived`)."""

    __slots__ = ("size", "held", "table")

    def __init__(self, size: int) -> None:
        self.size = size
        self.held: Any = None  # (a numpy array, once bound: the archive's layer imports no numpy for it)
        self.table: object = None


@dataclass(eq=False)
class HandedPage:
    """A page handed over: its entries until they are made ready to store (on the loop; by the
    thread only to meet a failure again), and the span it completes."""

    entries: Sequence[LogEntry]
    covered: Span | None
    size: int
    to_process: bool  # made the JSON text of its raw entries for the writer process, not rows
    part: Part | None = None
    taken: bool = False  # to be stored
    held: int = 0  # bytes it counts in the backlog (`held_bytes`)
    ticket: Handed = field(init=False)

    def __post_init__(self) -> None:
        self.ticket = Handed(self.size)

    def __len__(self) -> int:
        return self.size


def gathered(pending: list[HandedPage], most_entries: int) -> tuple[list[HandedPage], Span | None]:
    """The first pages of `pending` (`most_entries` at most, unless the first has more:
    `writer.GATHER_ENTRIES`)
    that continue one listing (each page's claim joins where the one before it starts: a gap's
    pages, `Span.joins_at`), to store as one page; with the span they make. At least one page.

    Only a listing's own pages: a transaction's rows are taken to hold every entry of its span
    (`listed.py` forgets the rest). A tail page (its span from the top to now) gathered with a
    gap's page (from its oldest entry up to that top) made one span over the gap's earlier pages,
    stored before, and forgot them, while the span said complete (found measuring the budget)."""
    pages, covered = pending[:1], pending[0].covered
    count = len(pending[0])
    for page in pending[1:]:
        if count + len(page) > most_entries or page.to_process != pages[0].to_process:
            break  # (a writer far behind would otherwise store every page at once)
        span = page.covered
        if span is not None and covered is not None:
            if span.joins_at is None or span.joins_at != covered.start_us:
                break  # (not the next page of the same listing)
            # (joined up to where the newest page's own previous page began: see `Span.joins_at`)
            span = Span(span.start_us, covered.end_us, covered.joins_at)
        elif span is None and covered is not None and len(page):
            break  # (entries claiming nothing beside a listing's: the listing's rows must be its own)
        elif span is not None and covered is None and count:
            break
        pages.append(page)
        count += len(page)
        covered = span if span is not None else covered
    return pages, covered
