"""One viewer's state, with no Textual: the source, the store, the filtered view, the filters, and
the loading state machine.

The screen hands it what the feed reports (pages, a file's lines and columns, the end of a
backfill, a failure) and gets back what changed in the view (`ViewChange`), which the table
applies. The rules: rows already loaded stay through any error; a reload keeps them until the
first new page replaces them; a relative range (`24h`) is counted from now again whenever the
query starts again, and while tailing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import msgspec
import numpy as np

from logview.api.types import BudgetState, format_wait, pages_left
from logview.files.columns import ColumnChunk
from logview.files.lines import LineChunk, LineFile
from logview.model import Filters, LogEntry, counted
from logview.session.empty import empty_message
from logview.session.filtering import needs_requery, selected_indices, server_part, status_options, toggle_status, where
from logview.session.progress import source_progress
from logview.session.status import ConnectionState, Waits, connection_state, trouble
from logview.session.status_inputs import SourceProgress, Trouble
from logview.sources import SupermetricsSource
from logview.sources.base import Source
from logview.store import EntryStore, FileSearchJob, FilteredView, Rowids, SearchJob, ViewChange
from logview.store.archived import RawReader

if TYPE_CHECKING:  # the archive's sync (and the API pager under it) loads with an API source only
    from logview.archive.sync import ArchivedRows

SEARCH_IN_THREAD_ROWS = 20_000  # above this many rows a new search runs in a worker thread
FACETS = {"aitronos": "credential", "supermetrics": "event"}  # the sidebar's one-value picker
PICKABLE = ("tool", "credential", "event", "error", "origin")  # what the stats panel filters by


class SidebarCounts(msgspec.Struct, frozen=True):
    """What the sidebar's status section shows."""

    counts: list[int | None]  # per option; None: not loaded (filtered on the server)
    selected: set[int]
    note: str


class ViewerSession:
    """The state behind one viewer tab."""

    def __init__(self, source: Source, filters: Filters, *, max_entries: int | None, interval_s: float = 2.0,
                 lines: LineFile | None = None, file_mode: bool = False, merged: bool = False,
                 follow: bool = False) -> None:
        self.source = source
        self.filters = filters
        self.status_options = status_options(source, filters)
        self.store = EntryStore(source, max_entries, lines=lines)
        self.view = FilteredView(self.store, filters, self.status_options)
        self.max_entries, self.interval_s = max_entries, interval_s
        self.file_mode, self.merged = file_mode, merged  # (file_mode: no API behind it, a file or the merged timeline)
        self.where = where(source, file_mode)
        self.facet = FACETS.get(source.kind, "origin")
        # loading
        self.phase = "loading"  # loading | complete | error | cancelled
        self.pages = 0
        self.backfill_total: int | None = None  # what the server counted when the backfill began
        self.tail_found = 0  # entries the live tail has found since
        self.from_archive = 0  # entries of this query shown from the local archive, not fetched
        self.capped = False
        self.capped_older: bool | None = True  # with `capped`: whether older entries exist (None: unknown)
        self.want_tail = follow
        self.tail_paused, self.tail_stopped = False, ""  # t stopped the tail; or a broken server did (why it did)
        # a retry cancelled (Esc) stopped the tail too: the next load starts it again, unless t
        # decided since (kept wanted, the first t after Esc turned it off unsaid, s21 #2)
        self.tail_resumes = False
        self.pending_clear = False  # a reload: the old rows go when the first new page comes
        self.file_scanned = 0.0  # share of the file indexed so far
        self.fields_shown: int | None = None  # rows the partial counts on screen cover (`fields_counted`)
        self.searching: str | None = None  # a search running in a worker thread
        self.credential_names: dict[str, str] = {}  # id → the name the table shows (the empty view's words)
        # what the user picked in the panels
        self.range_history: list[Filters] = []  # the ranges before each histogram drill-down
        self.stats_picks: dict[str, str] = {}  # filters picked in the stats panel (x lifts them)
        self.source_troubles: dict[str, Trouble] = {}  # the merged timeline's failing sources
        # the merged timeline's sources not whole yet: how far each is (`source_progress`)
        self.source_loading: dict[str, SourceProgress] = {}
        self.tails_live = (0, 0)  # the merged timeline's tabs: how many tail live, of those that read an API

    @property
    def total(self) -> int | None:
        """How many entries match on the server: its count when the backfill began, which every
        later page repeats, plus what the tail has found since (the tail runs while the backfill
        still pages, so the two are kept apart). None once more are loaded than it says: a server
        whose count is wrong (`--broken random_values`) had "total 382" beside 700 loaded, and
        "700 of 382 (183%)"; its entries are counted as they come, as without a total."""
        total = None if self.backfill_total is None else self.backfill_total + self.tail_found
        return None if total is None or len(self.store) > total else total

    def pages_left(self, head_filling: tuple[int, int, int | None, str] | None = None) -> int | None:
        """Pages the backfill still has to fetch, when the server's count says (Aitronos); while
        what is newer than the archive is fetched (`Waits.head_filling`), the pages left of that
        (the total is said once it is in, and a relaunch's fill gave no "done in", s18 W2)."""
        if self.phase != "loading" or self.file_mode:
            return None
        if head_filling is not None:
            _, newer, counted_newer, _ = head_filling
            return pages_left(counted_newer, newer, self.source.page_limit, None)
        return pages_left(self.total, len(self.store), self.source.page_limit, self.max_entries)

    @property
    def needs_connector(self) -> bool:
        return isinstance(self.source, SupermetricsSource) and self.source.connector_id is None

    # -- loading --------------------------------------------------------------------------
    def begin(self, *, clear_now: bool) -> Filters:
        """Load from scratch; returns what the feed asks for. `clear_now` False (a reload) keeps
        the old rows until new ones come."""
        self.filters = self.filters.resolved()  # `24h` counts back from now again
        if clear_now:
            self.store.clear()
            self.view.refilter(self.filters)  # on the empty store: instant, whatever the search
            self.backfill_total, self.tail_found = None, 0
        self.pending_clear = not clear_now
        self.phase, self.pages, self.capped, self.capped_older = "loading", 0, False, True
        self.file_scanned, self.fields_shown = 0.0, None
        self.from_archive = 0
        if self.tail_resumes:
            self.want_tail, self.tail_resumes, self.tail_stopped = True, False, ""
        return self.filters if self.file_mode else server_part(self.source, self.filters)

    def _take_pending_clear(self) -> None:
        if self.pending_clear:
            self.pending_clear = False
            self.store.clear()
            self.tail_found = 0

    def loaded(self, entries: Sequence[LogEntry], *, live: bool, pages: int, total: int | None,
               archived: int = 0, head: bool = False) -> ViewChange:
        """A page of the backfill, or what a tail cycle found (`live`), or what a backfill found
        newer than the archive (`live` and `head`: on top, and in the server's count already);
        `archived`: how many of the query's entries so far came from the archive."""
        self.from_archive = max(self.from_archive, archived)
        if live:
            self.store.prepend(entries)
            if head:
                self._paged(pages, total)
            else:
                self.tail_found += len(entries)
        else:
            self._take_pending_clear()
            self.store.append(entries)
            self._paged(pages, total)
        return self.view.sync()

    def archived(self, rowids: Rowids, reader: RawReader) -> tuple[int, ViewChange]:
        """The archive holds these fetched entries now (`EntryStore.archived`): how many rows let
        go of their entry, and the view's change (rows holding an id's older answer went)."""
        rows = len(self.store)
        released = self.store.archived(rowids, reader)
        self.tail_found -= min(taken := rows - len(self.store), self.tail_found)  # (an id's newer answer: s24 walk #5)
        return released, self.view.sync() if taken else ViewChange()

    def _paged(self, pages: int, total: int | None) -> None:
        self.pages, self.backfill_total = pages, total
        if self.phase == "error":
            self.phase = "loading"

    def archived_rows(self, rows: ArchivedRows, *, archived: int) -> ViewChange:
        """Archived entries as columns (their raw JSON stays in the archive): what `loaded`
        does for a page of the backfill."""
        self.from_archive = max(self.from_archive, archived)
        self._take_pending_clear()
        self.store.append_archived(rows.columns, rows.reader, rows.expected)
        self._paged(rows.pages, rows.total)
        return self.view.sync()

    def lines_found(self, chunk: LineChunk) -> ViewChange:
        """A file's next lines were indexed (rows to show; their columns come later)."""
        self.store.append_lines(chunk)
        self.file_scanned = chunk.scanned / chunk.size if chunk.size else 1.0
        return self.view.sync()

    def columns_read(self, chunks: list[ColumnChunk]) -> ViewChange:
        self.store.fill_columns(*chunks)
        return self.view.sync()

    def finished(self, capped: bool) -> ViewChange:
        """The backfill is done (a reload that found nothing at all leaves nothing)."""
        self._take_pending_clear()
        self.phase = "complete"
        self.capped = self.capped or capped
        if not self.capped and self.backfill_total is not None and not self.file_mode \
                and server_part(self.source, self.filters) == self.filters:
            # every filter ran on the server, and all of it came: what came is the count (the
            # server's `total` may be wrong, as the contract's notice then says)
            self.backfill_total = len(self.store) - self.tail_found
        return self.view.sync()

    def failed(self) -> None:
        self.pending_clear = False  # keep whatever is on screen
        self.phase = "error"

    def cancel(self) -> None:
        """Esc during a retry wait: stop, the tail too; `r` starts it again with the load."""
        self.phase = "cancelled"
        self.want_tail, self.tail_resumes = False, self.want_tail or self.tail_resumes

    def stop_loading(self) -> None:
        """Esc while the budget paces the backfill: it stops, the tail (the budget's first claim) goes on."""
        self.phase = "cancelled"

    def cancel_tail(self, stopped: str = "") -> None:
        """Esc during the tail's retry once all is loaded, or the server stopping it (`stopped`: why): the
        tail pauses (t resumes it; `r`'s reload too, as after a cancelled load); nothing else stops."""
        self.want_tail, self.tail_paused, self.tail_resumes, self.tail_stopped = False, True, True, stopped

    def toggle_tail(self) -> bool:
        """t: whether the tail is wanted now (after a cancel, the user's word, not the load's)."""
        self.want_tail, self.tail_paused = not self.want_tail, self.want_tail
        self.tail_resumes, self.tail_stopped = False, ""
        return self.want_tail

    # -- filters --------------------------------------------------------------------------
    def change_filters(self, new: Filters) -> str:
        """Take `new` filters: "same", "requery" (a server-side filter changed: load again), or
        "local" (re-index the loaded rows: see `refilter`)."""
        if self.filters.relative and (new.since_text, new.until_text) == (self.filters.since_text,
                                                                           self.filters.until_text):
            # The same words are the range in force, however long ago they were counted back from now
            # (`start` counts again, the tail moves it on: `slide_time`; `r` counts again). The sidebar's
            # copy, resolved when it was shown, made every search or facet picked under `since 1h` load
            # it all again from the server, a request of the budget each (s26 hint work, s27 walk #3)
            new = new.model_copy(update={"since": self.filters.since, "until": self.filters.until})
        if new == self.filters:
            return "same"
        old, self.filters = self.filters, new
        if needs_requery(self.source, self.file_mode, old, new):
            self.searching = None
            return "requery"
        return "local"

    def refilter(self) -> SearchJob | FileSearchJob | None:
        """Re-index the loaded rows for the filters; a new search over many rows is returned as
        a job for a worker thread instead (hand it back with `search_done`)."""
        needle = self.filters.search.lower() if self.filters.search else None
        if needle is not None and needle != self.store.search_needle and len(self.store) > SEARCH_IN_THREAD_ROWS:
            self.searching = needle
            return self.store.search_job(needle)
        self.searching = None
        self.view.refilter(self.filters)
        return None

    def search_done(self, job: SearchJob | FileSearchJob) -> bool:
        """Adopt a finished search; False if the user has asked for something else since."""
        if job.needle != self.searching:
            return False
        self.store.finish_search(job)  # False if the store was cleared meanwhile: search again
        return True

    def with_status_toggled(self, index: int) -> Filters:
        return toggle_status(self.status_options, self.filters, index)

    def slide_time(self) -> bool:
        """While tailing, `since 24h` keeps meaning the last 24 hours: the range moves with the
        clock. Locally only: the tail asks the server for whatever is newer anyway, and what the
        backfill fetched stays loaded (it is just no longer in range). True if it moved."""
        if not (self.want_tail and self.filters.relative):
            return False
        self.filters = self.filters.resolved()
        return True

    def drill_into(self, since: datetime, until: datetime) -> Filters:
        """A histogram bar picked: its range, remembering the one before (`zoom_out`) unless it is
        that range already (a bar of one second cannot be narrowed: Backspace then looked dead)."""
        narrowed = self.filters.with_moments(since, until)
        if (narrowed.since, narrowed.until) != (self.filters.since, self.filters.until):
            self.range_history.append(self.filters)
        return narrowed

    def zoom_out(self) -> Filters | None:
        """Back to the range before the last drill-down, as it was typed (`24h` stays relative)."""
        if not self.range_history:
            return None
        before = self.range_history.pop()
        return self.filters.model_copy(update={
            name: getattr(before, name) for name in ("since", "until", "since_text", "until_text")}).resolved()

    def pick(self, field: str, value: str | None) -> Filters:
        """A stats row chosen (or chosen again: `value` None lifts it)."""
        if value is None:
            self.stats_picks.pop(field, None)
        else:
            self.stats_picks[field] = value
        return self.filters.model_copy(update={field: value})

    def lift_picks(self) -> tuple[Filters, list[str]]:
        """x: the filters without those picked in the stats panel (and any the sidebar has no field
        for, which only the stats set: `pattern_filters`), and the names of those lifted."""
        picked = {field for field, value in self.stats_picks.items() if getattr(self.filters, field) == value}
        lifted = sorted(field for field in picked | set(self._stats_only()) if getattr(self.filters, field) is not None)
        self.stats_picks.clear()
        return self.filters.model_copy(update=dict.fromkeys(lifted)), lifted

    # -- what the user sees ---------------------------------------------------------------
    def state(self, waits: Waits) -> ConnectionState:
        """(state, text, short) for the status line."""
        return connection_state(self, waits)

    def trouble(self, waits: Waits) -> Trouble | None:
        return trouble(self, waits)

    def source_progress(self, waits: Waits) -> SourceProgress | None:
        return source_progress(self, waits)

    def fields_counted(self) -> int:
        """Rows whose fields are counted, as the sidebar's counts show them: held back while
        partial (`FilterSidebar.show_session`), and the header's 'N of M' and the sidebar's
        'to go' with them (they said up to 262,144 more than the counts added up to)."""
        ready = self.store.fields_read
        return ready if self.fields_shown is None else min(ready, self.fields_shown)

    def shown_counted(self) -> int:
        """`shown` on the status line: while a file's partial counts are held back and the filters
        need its fields, the rows shown among those the header and the sidebar count (the table's
        ran ahead: 'reading fields · 0 of 1,000,000' beside 'shown 11,436', s21 #1)."""
        index, store = self.view.index, self.store
        if self.fields_shown is None or store.covered(self.view.filters) == store.tail:
            return len(index)
        return int(np.searchsorted(index, store.head + self.fields_counted()))

    def sidebar_counts(self) -> SidebarCounts:
        selected = selected_indices(self.status_options, self.filters)
        server_status = self.where.get("status") == "server" and bool(selected)
        counts = [None if server_status and i not in selected else int(c)
                  for i, c in enumerate(np.asarray(self.view.option_counts))]
        pending = len(self.store) - self.fields_counted()
        if self.searching:
            note = "searching …"
        elif pending > 0:
            note = f"counting … {counted(pending)} to go"
        elif server_status:
            note = "other statuses not loaded"
        else:
            note = "none selected = all" if not selected else "0 clears the selection"
            # (rows in no option, as a mixed file's other API's, were in no count: 21+2+2+1 of 51, s27 walk #5)
            disjoint = len(self.status_options) == len(self.source.status_choices)  # (no --status 429 beside 4xx)
            beyond = self.view.others_total - sum(counts) if disjoint else 0
            note += f"; {beyond:,} more in none (invalid, or another status)" if beyond > 0 else ""
        return SidebarCounts(counts, selected, note)

    def pattern_filters(self) -> list[tuple[str, str]]:
        """The filters in force that no field of the sidebar says, for it: the tool, the error group, and on the
        merged timeline the event and the credential (a stats pick or a mixed file's flag said nowhere: a walk)."""
        return [(field, value) for field in self._stats_only() if (value := getattr(self.filters, field)) is not None]

    def _stats_only(self) -> tuple[str, ...]:
        return tuple(field for field in PICKABLE if field != self.facet)

    def picked_filters(self) -> dict[str, str | None]:
        """The filters the stats panel can pick, as they are now (it marks their rows)."""
        return {field: getattr(self.filters, field) for field in PICKABLE}

    def empty_message(self, connector_message: str, budget: BudgetState | None = None,
                      next_request_in_s: float | None = None) -> str:
        """What the table says when it shows no row (`budget`: the API's, when there is one, and
        when it lets the next request go, if it can tell)."""
        return empty_message(self, connector_message, budget, next_request_in_s)

    def view_settling(self) -> bool:
        """The rows shown are not yet all those the filters pick: a search is running, or fields
        they need are still being read (a big file). A save waits for them (`s`)."""
        store = self.store
        return bool(self.searching) or (len(store) > 0 and store.covered(self.filters) < store.tail)

    def partial_note(self) -> str | None:
        """Why the rows shown may be a part of what they will be (the merged timeline's), or None."""
        return None

    def save_note(self, waits: Waits) -> str | None:
        """Why a save now writes a part of what the view will hold (`s`'s dialog and its toast say
        `partial: loading 35%`), or None: a tab's load under way said nothing of it, and the file
        had 2,700 of ~6,000 entries (s22 walk #6). The merged timeline's: its sources not whole."""
        progress = None if self.merged or self.file_mode else source_progress(self, waits)
        if progress is None:
            return self.partial_note()
        # (`loading 35%`, `stopped`; a load held back says why: `loading, waits ~8m`, not `next page ~8m`)
        return f"{progress.state}, {progress.fewest}" if progress.held else progress.short

    def save_waits_for(self) -> str | None:
        """What a save (`s`) waits for before it writes, in words (the dialog and its message say
        it); None: it writes at once."""
        return "every field is read" if self.view_settling() else None

    def errors_uncounted(self) -> str | None:
        """Why `e` and `E` may miss errors yet (the fields that tell them are still being read),
        in words; None: every row's are known."""
        pending = self._fields_unread()
        return f"the fields of {counted(pending)} are still being read" if pending > 0 else None

    def _fields_unread(self) -> int:
        """Rows whose filter fields are not read yet (a big file's, read after its lines), as the
        header and the sidebar count them (`fields_counted`: the three said three numbers for
        ~0.6 s of a 1M read, s20 S20-4)."""
        return len(self.store) - self.fields_counted()

    def chart_note(self) -> str:
        """Why the histogram and stats may be partial."""
        pending = self._fields_unread()
        if pending > 0:
            return f"fields of {counted(pending)} still being read"
        return "loading…" if self.phase == "loading" else ""
