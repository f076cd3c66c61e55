"""An API source's loading, apart from the screen: the one client of the viewer's life, the local
archive its entries go through, and the pager of the query on screen. `ui/feed.py` runs the pager
in Textual workers and posts what it finds; a file's feed has none of this.

A query begins with the newest archived rows, read in time for the first paint (`FirstPaint`);
the pager, and the API layer it imports (~7 ms), is made once they are on screen (`begin`). With
nothing archived to show, it is made at once: its first request is what the screen waits for.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING

from logview.api.events import Notice
from logview.api.types import RetryPolicy
from logview.model import Filters
from logview.options import Connection

if TYPE_CHECKING:
    from logview.api.client import ApiClient
    from logview.api.paging import Pager
    from logview.archive import Archive
    from logview.archive.first_paint import FirstPaint
    from logview.archive.gathering import Handed
    from logview.archive.painted import ArchivedRows
    from logview.archive.source import ArchivedSource
    from logview.archive.sync import ArchivedPager
    from logview.archive.writer import PageWriter
    from logview.session.viewer_session import ViewerSession

    # What the pager says once a backfill's entries are archived: their tickets, their rowids, where.
    OnArchived = Callable[[list[Handed], Sequence[int], ArchivedSource], None]


class ApiLoading:
    """The client, the archive and the current pager of one viewer's API source."""

    def __init__(self, session: ViewerSession, connection: Connection, *, policy: RetryPolicy,
                 archive: Archive | None, max_entries: int | None,
                 sleep: Callable[[float], Awaitable[None]]) -> None:
        self.session, self.source = session, session.source
        self.connection = connection
        self.archive = archive  # entries once fetched: shown at once, never fetched again (None: without it)
        self._policy = policy
        self.max_entries = max_entries
        self._sleep = sleep  # (the tail's pause between cycles: `ui/tail_pacing.py`)
        self.pager: Pager | ArchivedPager | None = None

    @cached_property
    def client(self) -> ApiClient:
        """The client of every request this viewer sends: made at the first that needs it, which
        a relaunch's first paint of archived rows does not (its modules, ~3 ms)."""
        return self.connection.client(policy=self._policy)

    @property
    def client_made(self) -> ApiClient | None:
        """The client, once made (what the status line reads of it: nothing sent before)."""
        return self.__dict__.get("client")

    def begin(self, server_filters: Filters, *, said: Callable[[Notice], None],
              on_archived: OnArchived) -> tuple[ArchivedRows | None, Callable[[], Pager | ArchivedPager]]:
        """A new query: the newest archived rows for its first paint (None: nothing to paint
        first, and the pager is made now), and what makes its pager once they are on screen.
        `said`: what the archive has to say (it failed, or the retention took entries)."""
        first: FirstPaint | None = None
        if (archived := self._archived_source(said)) is not None:
            from logview.archive.first_paint import FirstPaint
            first = FirstPaint.read(archived, self.source, server_filters, max_entries=self.max_entries)

        def build() -> Pager | ArchivedPager:
            self.pager = self._pager(server_filters, archived, first, on_archived)
            return self.pager

        rows = first.rows if first is not None else None
        self.pager = None if rows is not None else build()
        return rows, build

    def _archived_source(self, said: Callable[[Notice], None]) -> ArchivedSource | None:
        """The source's entries in the archive, when there is one and the source has an identity to keep
        them under (a Supermetrics connector chosen); None otherwise, and if the archive fails (said)."""
        if self.archive is None:  # (imported here: a session without the archive never loads it, nor sqlite)
            return None
        from logview.archive import ArchiveError, identity_of
        if (identity := identity_of(self.source)) is None:
            return None
        try:
            archived = self.archive.shown_source(identity, said=said)  # (what the retention took before the first paint)
        except ArchiveError as error:
            self.archive = None
            said(Notice("archive", f"Without the archive this run: {error}"))
            return None
        # Fetched entries are let go once archived, and read back from the archive when shown.
        self.session.store.held.track()
        return archived

    def _pager(self, server_filters: Filters, archived: ArchivedSource | None, first: FirstPaint | None,
               on_archived: OnArchived) -> Pager | ArchivedPager:
        """Through the archive when there is one (`_archived_source`), going on from the rows `first` painted.
        Its tail is told the range shown as typed (`Pager.shown`): the server's filters have no `4d`, which moves."""
        if archived is None:
            from logview.api.paging import Pager
            pager = tail = Pager(self.source, self.client, server_filters, max_entries=self.max_entries,
                                 sleep=self._sleep)
        else:
            from logview.archive.sync import ArchivedPager
            pager = ArchivedPager(self.source, self.client, server_filters, archived, max_entries=self.max_entries,
                                  sleep=self._sleep, paint_columns=True, done_before_archived=True, painted=first,
                                  on_archived=lambda tickets, rowids: on_archived(tickets, rowids, archived))
            tail = pager.tail
        tail.shown = self.session.filters
        return pager

    @property
    def archived(self) -> ArchivedPager | None:
        """The pager, when it goes through the archive."""
        sync = sys.modules.get("logview.archive.sync")  # (a session without the archive never loads it, nor sqlite)
        return self.pager if sync is not None and isinstance(self.pager, sync.ArchivedPager) else None

    def writer(self) -> PageWriter | None:
        """What stores the fetched entries (a quit waits for it)."""
        return archived.archiving.writer if (archived := self.archived) is not None else None

    def from_archive(self) -> int:
        """How many of the entries loaded came from the archive."""
        return archived.count.from_archive if (archived := self.archived) is not None else 0

    def head_filling(self) -> tuple[int, int, int | None, str] | None:
        """While what is newer than the archive is fetched (its rows shown as they come): the pages so far,
        the entries they brought and the server's count of them (Aitronos gives one), for the status line (s18 W2)."""
        if (archived := self.archived) is None or not archived.head_newer:
            return None
        return archived.pages, archived.head_newer, archived.head_total, archived.filling

    async def aclose(self, waits_s: float) -> int:
        """Closed: what was fetched is archived for the next launch, for up to `waits_s`; how many
        fetched entries were given up instead."""
        unarchived = 0
        if (archived := self.archived) is not None:
            unarchived = await archived.archiving.close(waits_s)
        if (client := self.client_made) is not None:
            await client.aclose()
        return unarchived
