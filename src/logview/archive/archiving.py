"""What an `ArchivedPager` (`sync.py`) hands the archive, and what the archive says back: the pages
it fetches, stored in a thread behind one another under the query's key (`PageWriter`); a
problem with the archive, said once; and the archive's word of where each entry went, passed on
to whoever shows the entries — or held while the pages newer than the archive are fetched, until
they are shown (`hold_word`, `pass_word`).

Apart from `sync.py`, which decides what to show and what to fetch: this only stores what it is
given and reports on it.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from typing import TYPE_CHECKING, Union

from logview.api.paging import BackfillDone, Notice
from logview.archive.coverage import Span
from logview.archive.gathering import Handed
from logview.archive.writer import PageWriter
from logview.model import LogEntry
from logview.sources.page_columns import columns_of

if TYPE_CHECKING:
    from logview.archive.source import ArchivedSource


# The archive's word on a transaction: its pages, and where their entries went, in order (`PageWriter`).
Word = tuple[list[Handed], Sequence[int]]
OnArchived = Callable[[list[Handed], Sequence[int]], None]  # (told each word: `PageWriter.on_archived`)
# A batch of entries as handed to the archive: its page, and each entry's place in it (None: the page whole, in order).
Handing = tuple[Handed, Union[list[int], None]]
HANDED_KEPT = 8  # pages handed over whose ids are kept for `handed` (a backfill's and the tail's, a few each)


def ids_of(entries: Sequence[LogEntry]) -> list[str]:
    columns = columns_of(entries)  # (a typed page's ids are a column already)
    return columns.ids if columns is not None else [entry.id for entry in entries]


class PageArchiving:
    """One pager's pages into the archive under `key` (see the module's docstring)."""

    def __init__(self, archived: ArchivedSource, key: str,
                 on_archived: OnArchived | None, *, done_first: bool = False) -> None:
        self.done_first = done_first  # (see `ending`)
        self._on_archived = on_archived  # told where each entry stored went, once it is shown
        self._held_word: list[Word] | None = None  # while the head is fetched (see `hold_word`)
        self.writer = PageWriter(archived, key, self._archived if on_archived else None)
        self._problem_said = False
        # the last pages handed over, newest last, each with its entries' ids (see `handed`)
        self._handed: deque[tuple[Handed, list[str]]] = deque(maxlen=HANDED_KEPT)

    async def store(self, entries: Sequence[LogEntry], covered: Span | None) -> Notice | None:
        """Archive a page in a thread, behind the pages before it (so a span is never recorded
        before its entries), while the next page is fetched: the archive never holds up the
        network (see `PageWriter`). If it fails (a full disk, a lock held too long), go on
        without it, and say so once (here or at a later page)."""
        ticket = self.writer.store(entries, covered)
        if ticket is not None and entries and self._on_archived is not None:
            self._handed.append((ticket, ids_of(entries)))
        await self.writer.room()
        return self._problem_notice()

    def handed(self, batch: Sequence[LogEntry]) -> Handing | None:
        """What the archive was handed of `batch`'s entries, for the store to bind (`HeldEntries.bind`):
        the page they came in (one handed over lately: the tail's pages may come between a
        backfill's) and, unless they are that page's entries in its order, each one's place in it."""
        if not batch or not self._handed:
            return None
        ids = ids_of(batch)
        for ticket, page in reversed(self._handed):
            if ids == page:  # (the common case: a page kept whole, its ids compared in C)
                return ticket, None
            places = dict(zip(page, range(len(page))))
            if ids[0] in places and ids[-1] in places and all(map(places.__contains__, ids)):
                return ticket, list(map(places.__getitem__, ids))
        return None

    def hold_word(self) -> None:
        """Keep the archive's word of where entries went until `pass_word`: the pages newer than
        the archive are archived as they come, and a page's word may come before it is shown."""
        self._held_word = []

    def pass_word(self, *, holding: bool = False) -> None:
        """Pass on the word held since `hold_word` (the entries are shown now), and what comes
        next, or (`holding`) keep holding what comes next."""
        held, self._held_word = self._held_word, [] if holding else None
        for tickets, rowids in held or ():
            self._archived(tickets, rowids)

    def _archived(self, tickets: list[Handed], rowids: Sequence[int]) -> None:
        if self._held_word is not None:
            self._held_word.append((tickets, rowids))
        elif self._on_archived is not None:
            self._on_archived(tickets, rowids)

    @property
    def problem(self) -> str | None:
        return self.writer.problem

    async def flush(self) -> Notice | None:
        """Wait until every page handed over is archived."""
        await self.writer.flush()
        return self._problem_notice()

    async def close(self, wait_s: float) -> int:
        """At a quit: wait up to `wait_s` for every page handed over to be archived, then give up
        (`PageWriter.give_up`). How many entries were left unarchived (said on stderr)."""
        try:
            await asyncio.wait_for(self.writer.flush(), timeout=wait_s)
        except (TimeoutError, asyncio.CancelledError):
            return await self.writer.give_up()
        return 0

    async def ending(self, done: BackfillDone) -> AsyncIterator[Notice | BackfillDone]:
        """A backfill's end: every page handed over archived (its trouble said), then `done` —
        or, `done_first` (the viewer) while a writer process stores the backfill, `done` at once
        and the archive's catching up after it.

        The viewer shows every entry it fetched whether or not it is archived yet; making the
        user wait for the writer process's last pages (~0.1 s per 100k from the loopback demo,
        more where it lags) told them nothing, and the status line says "archiving …" until the
        generator ends. A thread's last page (a paced backfill, a relaunch's newest) is committed
        in a few ms, and the end waits for it as before: what the viewer asks at the end (the
        credentials' names) then still goes after the tail's first poll. Export and `logview
        sql` end on what the archive holds. A quit meanwhile archives what was handed over (the
        viewer's close flushes, as after any backfill)."""
        first = self.done_first and self.writer.in_process
        if first:
            yield done
        if (trouble := await self.flush()) is not None:
            yield trouble
        if not first:
            yield done

    def _problem_notice(self) -> Notice | None:
        if self.problem is None or self._problem_said:
            return None
        self._problem_said = True
        return Notice("archive", f"Without the archive from now on: {self.problem}")
