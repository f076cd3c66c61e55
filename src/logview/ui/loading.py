"""Starting and stopping the loading: a query, a reload, the live tail, a cancelled retry wait.

The decisions (what `r` does after an error, in a file, before a connector is chosen; what `t`
does in a file) are made here, on the session's state; the `Feed` does the work and the banner
says what is going on. The screen calls these from its keys and redraws afterwards.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from msgspec.structs import replace

from logview.api.contract import contract_broken, in_time_order
from logview.api.types import format_wait
from logview.files.watch import gone_words
from logview.model import ApiError, Filters, counted
from logview.session import ViewerSession, Waits
from logview.store import ViewChange
from logview.times import utc_now
from logview.ui.feed import Feed
from logview.ui.file_place import FilePlace
from logview.ui.file_reading import file_error
from logview.ui.widgets.error_banner import ErrorBanner, failure_hint
from logview.ui.widgets.log_table import LogTable

if TYPE_CHECKING:
    from logview.api.paging import Notice
    from logview.api.budget import Budget
    from logview.api.client import ApiClient
    from logview.ui.names import Names
    from logview.api.types import BudgetState
    from logview.session.status import ConnectionState

Notify = Callable[..., None]

RELOAD_ANYWAY_S = 5.0  # r while the budget paces the backfill: a second r this soon reloads all the same
NO_TAIL = "A file has no live tail: it holds what was written to it (r reads it again)."


def paced_backfill_note(state: BudgetState, next_page_s: float | None) -> str:
    """What `r` says while the budget holds the backfill back: when its next page goes (it goes
    on by itself), and, when it takes turns with a tail needing more than the budget, that `t`
    gives it all (found in a walk: "it goes on by itself" while the tail took every request)."""
    turns = "; it takes turns with the live tail, t pauses the tail" if state.tail_halves else ""
    soon = next_page_s is None or next_page_s < 1
    goes = "it goes on by itself" if soon else f"its next page goes by itself in ~{format_wait(next_page_s)}"
    return (f"The backfill waits for the API's budget ({state.remaining}/{state.limit} left{turns}): {goes}, and r "
            f"would spend a request to load again what is loaded, no faster. r again within {RELOAD_ANYWAY_S:g} s "
            "reloads anyway.")


def reading_again(name: str) -> str:
    """What `r` on a file says (plain or mixed)."""
    return f"Reading {name} again, as it is now."


class LoadControl:
    """Drives one session's feed."""

    def __init__(self, session: ViewerSession, feed: Feed, table: LogTable, banner: ErrorBanner, *,
                 notify: Notify, names: Names | None = None) -> None:
        self.session, self.feed, self.table, self.banner = session, feed, table, banner
        # (a retry's attempt waits for the server from when it was sent, as the client counts it:
        # counted from when it was due, a wait for the API's budget before it went was counted too)
        banner.count_sent_by(lambda: client.unanswered_s(said_after=0) if (client := self._client()) is not None else None)
        self._notify = notify
        self._names = names  # (what else waits for the budget: a listing, credential names)
        self._reload_anyway_until = 0.0  # (see `_spares_the_budget`)
        self._budget_bound = False  # (in this load: see `Waits.budget_held`)
        self._tail_cancelled = False  # (the banner says a cancel stopped the tail alone: t takes it away)
        self._past_age_said = _range_start(session.filters)  # (a launch's range: the command line says it)
        self._place: FilePlace | None = None  # (the entry `r` over a file was pressed on, to select again)
        self._placed = False  # (selected again before the reading's end)

    def waits(self) -> Waits:
        """What is being waited for: retries and the tail (the banner's countdowns), and the
        API's budget with when it lets the backfill finish."""
        api = self.feed.api
        client, writer = (api.client_made, api.writer()) if api is not None else (None, None)
        waits = replace(self.banner.waits(self.feed.backfilling),
                        unanswered_s=client.unanswered_s() if client is not None else None,
                        sent=client is not None and client.unanswered_s(said_after=0) is not None,
                        head_filling=api.head_filling() if api is not None else None, archiving=self.feed.archiving,
                        archive_behind=writer.behind if writer is not None else None,
                        tail_idle=self.session.filters.ended_by(utc_now()))
        budget = self._budget()
        if budget is None:
            return waits
        pages_left = self.session.pages_left(waits.head_filling)
        if pages_left and (pager := self.feed.pager) is not None:  # (a request sent waits for no budget: `OnTheWire`)
            pages_left = max(0, pages_left - pager.on_the_wire.count)
        eta = budget.estimates.eta_s(pages_left) if pages_left else None
        asked = self._names.asking() if self._names is not None else ""
        state = budget.state()
        next_page = budget.estimates.eta_s(1) if pages_left is None and state.waiting else None
        self._budget_bound = self.feed.backfilling and (self._budget_bound or state.binds)
        return replace(waits, budget=state, backfill_eta_s=eta, next_page_s=next_page, asked=asked,
                       budget_held=self._budget_bound)

    def state(self) -> ConnectionState:
        """What the status line says of the connection. After a failed load it shows the tail's
        mark too, as while loading: with the error's words alone, whether `t` had started the
        tail could only be read from the banner (found in a walk)."""
        state = self.session.state(self.waits())
        if state.state == "error" and not state.tail and not (self.feed.file_mode or self.session.merged):
            session = self.session
            # ("● live" only while it polls: `--follow` over a failed load polls nothing)
            live = session.want_tail and self.feed.tailing
            state = state._replace(tail="live" if live else "paused" if session.tail_paused else "")
        return state

    def _budget(self) -> Budget | None:
        return client.budget if (client := self._client()) is not None else None

    def _client(self) -> ApiClient | None:
        """The API's client, once it has sent (or is about to send) a request."""
        return self.feed.api.client_made if self.feed.api is not None else None

    def budget_now(self) -> tuple[BudgetState | None, float | None]:
        """What the API's budget says now, and in how long it lets one more request go as it
        paces them (None, None: a file, or no budget)."""
        budget = self._budget()
        return (None, None) if budget is None else (budget.state(), budget.estimates.eta_s(1))

    def show_notice(self, notice: Notice) -> None:
        """What the loading noticed, on the banner: the cap reached, the archive, a file changed on disk."""
        if notice.kind == "capped" and self.feed.file_mode:
            # (a file's filters are local: "narrow the filters to see further back" read nothing more, s27 walk #9)
            self.banner.show_notice(
                f"Showing the file's first {counted(len(self.session.store))}: the cap (--max-entries) was reached, "
                "the rest of the file was not read. Launch without --max-entries (or with a larger one) to read it.",
                slot="capped")
        elif notice.kind == "capped":
            older = "older entries were not loaded" if notice.older else "older entries may exist"
            self.banner.show_notice(
                f"Showing the newest {counted(len(self.session.store))}: the cap (--max-entries) was reached, "
                f"{older}. Narrow the filters to see further back.", slot="capped")
        elif notice.kind == "waiting":  # (for another logview's fetch: said until the next rows come)
            self.banner.show_notice(notice.message, warn=False, slot="waiting")
        else:  # (the table sorts what came out of order: its words say so, not export's)
            message = in_time_order(notice.message) if notice.kind == "contract" else notice.message
            # a line for each kind (a contract's corrections took the place of "some entries at that time may be missing")
            self.banner.show_notice(message, slot="tail-contract" if notice.live else notice.kind)

    def tail_failed(self, error: ApiError, next_poll_s: float | None) -> None:
        """A tail cycle failed for good: it tries again in `next_poll_s`, counted down on the banner; or, None,
        it stopped for good (the server broke its contract, `Pager.follow`): r (as after a cancelled tail) or
        t starts it again. (It said "CONTRACT_BROKEN … paging stopped" above "polling again in 6 s", every
        quarter of an hour 3+ requests of a metered budget spent on a server it could not trust, s30.)"""
        rows_loaded = bool(len(self.session.store))
        if next_poll_s is not None:
            self.banner.show_tail_failure(error, next_poll_s, rows_loaded=rows_loaded)
            return
        self.feed.stop_tail()  # (a backfill's page may have started it again before this came)
        self.session.cancel_tail(stopped="the server broke its contract")
        if error.detail:
            error = replace(error, detail=in_time_order(error.detail))
        self.banner.show_tail_stopped(error, rows_loaded=rows_loaded)

    def show_failure(self, error: ApiError, gave_up: str | None, *, tabbed: bool) -> None:
        """A load that failed for good, on the banner: what failed and what the rows shown are."""
        context = "reading the file" if self.feed.file_mode else "loading stopped" if contract_broken(error) else "loading"
        hint = failure_hint(len(self.session.store), self.session.from_archive, tabbed=tabbed)
        if error.detail:  # (what the contract corrected before it broke: sorted in the table)
            error = replace(error, detail=in_time_order(error.detail))
        self.banner.show_failure(error, context=context, gave_up=gave_up, hint=hint)

    def start(self, *, clear_now: bool) -> None:
        """Load from scratch. `clear_now` False (a reload) keeps the old rows until new ones come."""
        self._place, self._placed = None, False
        server_filters = self.session.begin(clear_now=clear_now)
        if clear_now:
            self.table.refiltered(keep_place=False)
        self.banner.clear()
        self.feed.start(server_filters)
        first = self.feed.first_rows()
        if first is not None:  # a file's first rows, in time for the first paint
            self.table.apply_change(first)
        self._say_past_age()

    def _say_past_age(self) -> None:
        """A range picked here (`d 3d`, the histogram's way back) that reaches past archive_max_age
        is said once, as the command line says a launch's: it said nothing, and the quit then
        dropped what it had loaded (s27 walk #6)."""
        api, start = self.feed.api, _range_start(self.session.filters)
        archive = api.archive if api is not None else None
        if start == self._past_age_said or api is None or archive is None or api.connection.demo:
            return
        self._past_age_said = start
        if archive.retention.drops_from(self.session.filters.since):
            self._notify(archive.retention.not_kept_words("shown"), timeout=8, markup=False)

    def reload(self) -> None:
        """r: load again from the newest entry; after an error, retry; during a retry's wait, send the
        failed request now (the load goes on from where it was, its rows kept); while a loaded tail
        fails, poll now."""
        store = self.session.store
        if not self.feed.file_mode:
            budget = self._budget()
            if budget is not None and self._spares_the_budget(budget):
                return
            if budget is not None:  # the user asks for a request now: a 429's wait is theirs to cut
                budget.lift_block()
            if self.banner.retry_pending and (client := self._client()) is not None and client.retry_now():
                # the failed request goes now and the load on from where it was: a reload dropped the
                # rows loaded and spent the budget on them again (s28 walk #1)
                self.banner.retry_asked()
                return
            if self.banner.tail_failing() is not None and self.session.phase == "complete" and self.feed.tailing:
                # a loaded tail waiting to poll again polls now (it loaded everything again: over a server still
                # down that load gave up, its error kept once the tail had recovered; found in a walk)
                self.banner.tail_poll_asked()
                self.feed.poll_now()
                return
            self.start(clear_now=False)
            return
        # A file's first rows are read before the next paint: there is nothing to bridge. Read
        # it again under its name (it may have been replaced since: another inode).
        place = FilePlace.of(self.table, store)  # (its line read from the file as it was read)
        try:
            if store.lines is not None:
                store.lines.reopen()
        except FileNotFoundError:  # (it said "FILE_ERROR cannot read …" under "file loaded": found by a tester)
            assert store.lines is not None and self.feed.file_watch is not None
            if news := self.feed.file_watch.news():  # (the banner says it, if its next look has not yet)
                self.banner.show_notice(news, slot="file")
            self._notify(gone_words(store.lines.path.name), timeout=5, markup=False)
            return
        except OSError as error:
            assert store.lines is not None
            self.session.failed()  # (the status line says the error too, not "file loaded")
            self.banner.show_failure(file_error(store.lines.path, error), context="reading the file")
            return
        self.start(clear_now=True)
        self._place = place
        self.rows_read(None)  # (the first rows may hold it)
        name = store.lines.path.name if store.lines is not None else "the file"
        self._notify(reading_again(name), timeout=3, markup=False)

    def rows_read(self, change: ViewChange | None, *, finished: bool = False) -> None:
        """Rows read (a file's lines, their fields, the end of the reading) into the table, and the entry `r`
        over the file was pressed on selected again once they hold it (`file_place.py`)."""
        if change is not None:
            self.table.apply_change(change)
        if self._place is not None and self._place.back_to(self.table, self.session.store, self.session.view,
                                                           finished=finished):
            self._place, self._placed = None, not self.table.at_top
        if finished and self._placed:  # (the rows above the screen are newer once all are read, in time order)
            self._placed = False
            self.table.count_above(0, round(self.table.scroll_y))

    def _spares_the_budget(self, budget: Budget) -> bool:
        """r while the backfill waits its turn in the API's budget: loading again would spend one of
        the window's few requests on what is loaded and go no faster (a quarter of an hour's 4 went,
        nothing on screen changed: found in a walk). It says so instead; r again soon reloads anyway."""
        state = budget.state()
        if not (self.feed.backfilling and state.waiting and state.blocked_s <= 0 and not self.banner.retry_pending):
            return False
        now = time.monotonic()
        if now < self._reload_anyway_until:  # (the second r: asked for knowingly)
            self._reload_anyway_until = 0.0
            self._notify(f"Loading again from the newest entry (API budget {state.remaining}/{state.limit}).",
                         timeout=4, markup=False)
            return False
        self._reload_anyway_until = now + RELOAD_ANYWAY_S
        self._notify(paced_backfill_note(state, budget.estimates.eta_s(1)), timeout=RELOAD_ANYWAY_S, markup=False)
        return True

    def why_no_tail(self) -> str | None:
        """Why `t` cannot start a live tail here now, in words; None when it can."""
        if self.feed.file_mode:
            return NO_TAIL
        if self.session.needs_connector:
            return "Choose a connector first (c): there is nothing to tail yet."
        if self._nothing_loaded() and not self.feed.tailing:  # (it polled a refused key every 2 s, with nothing shown)
            return "Nothing loaded: r retries the load (the live tail follows from its newest entry)."
        return None

    def _nothing_loaded(self) -> bool:
        """The load stopped (failed, or its retry cancelled) before any entry came: a tail has nothing to follow."""
        return self.session.phase in ("error", "cancelled") and not len(self.session.store)

    def toggle_tail(self, say: bool = True) -> None:
        """t: start or stop the live tail. Starting it keeps the user's place (it jumped to the
        newest entry, a detail open with it: new rows now count above it, and g jumps). `say`:
        the toasts (the merged tab's t, which toggles every tab's, says it once for all)."""
        notify = self._notify if say else lambda *_, **__: None
        if (why := self.why_no_tail()) is not None:
            notify(why, timeout=4 if why.startswith("Nothing") else 3, markup=False)
        elif self.session.toggle_tail():
            if self.session.phase == "loading" and not len(self.session.store):
                # (no first page yet: the tail polls from its newest entry once it is in, as --follow does; "new
                # entries come in while the rest loads" was said over an hour's wait for a 429, found in a walk)
                notify(f"Live tail on: it starts with the first page{self._first_page_wait()}.", timeout=5,
                       markup=False)
                return
            self.feed.start_tail()
            if self.session.phase == "cancelled" or self._tail_cancelled:  # (its "Retry cancelled" banner stayed, s21 #2)
                self.banner.clear("notice")
                self._tail_cancelled = False
                rest = "; the load stays stopped (r loads the rest)" if self.session.phase == "cancelled" else ""
                notify(f"Live tail on: new entries come in{rest}.", timeout=4, markup=False)
            elif self.feed.backfilling:  # (the status line speaks of the loading until it is done)
                notify(f"Live tail on: {self._tail_waits_words()}.", timeout=4, markup=False)
        else:
            self.feed.stop_tail()
            self.banner.clear("tail")
            if self.feed.backfilling:
                # (the status line's word for the state: "Live tail off" stood beside "tail paused")
                notify("Live tail paused (t resumes).", timeout=3, markup=False)

    def _tail_waits_words(self) -> str:
        """What a tail started during a load can promise: new entries as the rest loads, unless the API has
        asked for a wait its polls keep too (a 429's Retry-After of an hour: they came in an hour, found in a walk)."""
        budget = self._budget()
        blocked = budget.state().blocked_s if budget is not None else 0.0
        if blocked < 1:
            return "new entries come in while the rest loads"
        return (f"its first poll waits with the load, the API having asked for {format_wait(blocked)} "
                "(r retries now)")

    def _first_page_wait(self) -> str:
        """`, whose request is retried in 59m 57s (r retries now)`: a retry's wait for the first page, or nothing."""
        remaining = self.banner.retry_remaining()
        if remaining is None or remaining < 1:
            return ""
        return f", whose request is retried in {format_wait(remaining)} (r retries now)"

    def stop_waiting(self) -> bool:
        """Esc: a retry's wait cancelled, or a backfill the budget paces stopped; False when neither waits."""
        if self.banner.retry_pending:
            self.cancel_retry()
            return True
        return self.stop_paced_backfill()

    def stop_paced_backfill(self) -> bool:
        """Esc while the API's budget paces the backfill (it did nothing and said nothing, s29 walk 2
        #4): the backfill stops where it is and the live tail goes on, with the whole budget; `r`
        loads the rest (through the archive, only the rest is fetched). False when none is paced."""
        if not (self.feed.backfilling and self._budget_bound):
            return False
        self.feed.cancel_backfill()
        self.session.stop_loading()
        tail = "; the live tail goes on" if self.session.want_tail else ""
        # (without the archive, r asks for every page again: said, the budget being what is short)
        archived = self.feed.api is not None and self.feed.api.archive is not None
        again = "load the rest (what came is archived)" if archived else "load again from the newest"
        self.banner.show_notice(f"Loading stopped where the API's budget held it{tail}. Press r to {again}.")
        return True

    def cancel_retry(self) -> None:
        """Esc during a retry wait: loading and the live tail both stop, and a lookup of the
        credentials' names; `r` starts them again (the tail is still wanted: it resumes once the
        reload's first page is in; the names are asked once its logs are in); a connector listing's
        retry stops too (with no connector chosen, it was all that waited)."""
        if self._names is not None and self._names.cancel_listing() and self.session.needs_connector:
            self.banner.clear("retry")
            self.banner.show_notice("Retry cancelled: the team's connectors were not listed. Press c to list them.")
            return
        self.feed.cancel_backfill()
        if self.session.want_tail:
            self.feed.stop_tail()
        if self._names is not None:
            self._names.stop_naming()
        self.banner.clear("retry", "tail")
        if self.session.phase == "complete":  # (the tail's poll waited, the load whole: nothing else stops)
            self.session.cancel_tail()
            # (it said "loading and the live tail stopped", and r "loads the rest": there was none, s27 walk #7)
            self.banner.show_notice("Retry cancelled: the live tail stopped. Press t to start it again.")
            self._tail_cancelled = True
            return
        stopped = "loading and the live tail stopped" if self.session.want_tail else "loading stopped"
        self.session.cancel()
        # (with nothing loaded, t refuses, s24 walk #6: asked of what was loaded, not of the tail stopped just now,
        # whose worker had not ended yet: t was offered, then refused, found in a walk)
        alone = "" if self._nothing_loaded() else ", t for the live tail alone"
        self.banner.show_notice(f"Retry cancelled: {stopped}. Press r to start again{alone}.")


def _range_start(filters: Filters) -> object:
    """Where a range starts, as the user gave it: `3d` is the same range however often it is
    counted back from now again (`r`)."""
    return filters.since_text if filters.since_text is not None else filters.since
