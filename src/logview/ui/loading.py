"""How the app reacts to the feed: rows arriving, retries, failures, notices, the live tail.

A mixin of `ViewerScreen`, split out so the viewer module stays about layout and keys. The rules:
rows already loaded stay visible through any error; a reload keeps them on screen until the
first new page replaces them; the status line always says what the connection is doing.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

from textual.timer import Timer

from logview.ui.feed import Feed, file_error
from logview.ui.filtering import server_part
from logview.ui.widgets.error_banner import ErrorBanner, format_wait
from logview.ui.widgets.status_bar import StatusInfo

REFRESH_EVERY_S = 0.1

if TYPE_CHECKING:
    from logview.ui.viewer import ViewerScreen

    _Base = ViewerScreen
else:
    _Base = object


class LoadingMixin(_Base):
    """Feed message handlers and the connection state shown in the status line."""

    def init_loading_state(self) -> None:
        self.phase = "loading"  # loading | complete | error | cancelled
        self.pages = 0
        self.backfill_total: int | None = None  # what the server counted when the backfill began
        self.tail_found = 0  # entries the live tail has found since
        self.capped = False
        self.want_tail = False
        self.tail_paused = False  # the user stopped the tail with t
        self._pending_clear = False
        self._facet_count = 0
        self.file_scanned = 0.0  # share of the file indexed so far (file mode)
        self._refresh_timer: Timer | None = None
        self.source_troubles: dict[str, str] = {}  # the merged timeline's sources that are failing

    @property
    def total(self) -> int | None:
        """How many entries match on the server: its count when the backfill began, which every
        later page repeats, plus what the tail has found since (the tail runs while the backfill
        still pages, so the two are kept apart)."""
        return None if self.backfill_total is None else self.backfill_total + self.tail_found

    # -- starting and stopping ------------------------------------------------------------
    def start_loading(self, *, clear_now: bool) -> None:
        """Load from scratch. `clear_now` False (a reload) keeps the old rows until new ones come."""
        self.filters = self.filters.resolved()  # `24h` counts back from now again
        if clear_now:
            self.store.clear()
            self.view.refilter(self.filters)  # on the empty store: instant, whatever the search
            self.table.refiltered(keep_place=False)
        self._pending_clear = not clear_now
        self.phase, self.pages, self.capped = "loading", 0, False
        self.file_scanned = 0.0
        if clear_now:
            self.backfill_total, self.tail_found = None, 0
        self.banner.clear()
        server_filters = self.filters if self.feed.file_mode else server_part(self.source, self.filters)
        generation = self.feed.start(server_filters)
        if self.feed.first_lines is not None:  # a file's first rows, in time for the first paint
            self.on_feed_lines_found(Feed.LinesFound(generation, self.feed.first_lines))
        self.refresh_all()

    def action_reload(self) -> None:
        """r: load again from the newest entry; after an error or during a wait, retry now."""
        if self.needs_connector:  # nothing to load yet: ask for the connector list again
            self.action_choose_connector()
            return
        if self.merged:
            self.merge_now(force=True)
            return
        if self.feed.file_mode:
            # A file's first rows are read before the next paint, so there is nothing to bridge:
            # read it again from the start, under its name (it may have been replaced).
            try:
                if self.store.lines is not None:
                    self.store.lines.reopen()
            except OSError as error:
                self.banner.show_failure(file_error(self.store.lines.path, error), context="reading the file")
                return
            self.start_loading(clear_now=True)
            return
        self.start_loading(clear_now=False)

    def action_toggle_tail(self) -> None:
        """t: start or stop the live tail; starting it also jumps to the newest entry."""
        if self.merged:
            self.notify("Each tab tails its own source: press t in a tab; its new entries appear here.", timeout=4)
            return
        if self.feed.file_mode:
            self.notify("A file has no live tail.", timeout=3)
            return
        if self.needs_connector:
            self.notify("Choose a connector first (c): there is nothing to tail yet.", timeout=3)
            return
        if self.want_tail:
            self.want_tail, self.tail_paused = False, True
            self.feed.stop_tail()
            self.banner.clear("tail")
        else:
            self.want_tail, self.tail_paused = True, False
            self.feed.start_tail()
            self.table.action_first()
        self.refresh_status()

    def tick(self) -> None:
        """Every second: the countdowns in the status line, and a relative range moved on."""
        self.slide_relative_range()
        self.refresh_status()

    def slide_relative_range(self) -> None:
        """While tailing, `since 24h` keeps meaning the last 24 hours: the range moves with the
        clock. Locally only: the tail asks the server for whatever is newer anyway, and what the
        backfill fetched stays loaded (it is just no longer in range)."""
        if not (self.want_tail and self.filters.relative):
            return
        self.filters = self.filters.resolved()
        self._refilter_local()
        self.refresh_all()

    def cancel_retry(self) -> None:
        """Esc during a retry wait: stop waiting — loading and the live tail both stop; `r` starts
        both again (the tail is still wanted: it resumes once the reload's first page is in)."""
        self.feed.cancel_backfill()
        tailing = self.want_tail
        if tailing:
            self.feed.stop_tail()
        self.banner.clear("retry", "tail")
        stopped = "loading and the live tail stopped" if tailing else "loading stopped"
        self.banner.show_notice(f"Retry cancelled: {stopped}. Press r to start again.")
        self.phase = "cancelled"
        self.refresh_all()

    # -- feed messages (named handlers: `@on` is not collected from a plain mixin) ---------
    def _current(self, generation: int) -> bool:
        """From the query on screen (not a replaced one), and the app is not shutting down."""
        return generation == self.feed.generation and self.table.is_attached

    def on_feed_loaded(self, message: Feed.Loaded) -> None:
        if not self._current(message.generation):
            return
        if self._pending_clear and not message.live:
            self._pending_clear = False
            self.store.clear()
            self.view.sync()
            self.table.refiltered(keep_place=False)
            self.tail_found = 0
        if message.live:
            self.store.prepend(message.entries)
            self.tail_found += len(message.entries)
            self.banner.clear("tail", "retry")
        else:
            self.store.append(message.entries)
            # Entries are acyclic JSON: refcounting frees them, so take them out of the cyclic
            # collector's sight. Otherwise every full collection walks them all (~100 ms per
            # 100k entries) and the UI stutters while a large backfill loads.
            gc.freeze()
            self.pages, self.backfill_total = message.pages, message.total
            self.banner.clear("error", "retry")
            if self.phase == "error":
                self.phase = "loading"
        self.table.apply_change(self.view.sync())
        if self.want_tail and not self.feed.tailing:
            self.feed.start_tail()
        self.refresh_all()

    def on_feed_lines_found(self, message: Feed.LinesFound) -> None:
        if not self._current(message.generation):
            return
        chunk = message.chunk
        self.store.append_lines(chunk)
        self.file_scanned = chunk.scanned / chunk.size if chunk.size else 1.0
        self.table.apply_change(self.view.sync())
        self.refresh_soon()

    def on_feed_columns_read(self, message: Feed.ColumnsRead) -> None:
        if not self._current(message.generation):
            return
        self.store.fill_columns(message.chunk)
        self.table.apply_change(self.view.sync())
        self.refresh_soon()

    def refresh_soon(self) -> None:
        """`refresh_all` at most every REFRESH_EVERY_S: a file's chunks arrive faster than a
        person reads counts, and each refresh costs the UI thread time it needs for keys."""
        if self._refresh_timer is None:
            self._refresh_timer = self.set_timer(REFRESH_EVERY_S, self._refresh_now)

    def _refresh_now(self) -> None:
        self._refresh_timer = None
        self.refresh_all()

    def on_feed_retrying(self, message: Feed.Retrying) -> None:
        if not self._current(message.generation):
            return
        self.banner.show_retry(message.event, context="live tail" if message.live else "loading")
        self.refresh_status()

    def on_feed_noticed(self, message: Feed.Noticed) -> None:
        if not self._current(message.generation):
            return
        notice = message.notice
        if notice.kind == "capped":
            self.capped = True
            self.banner.show_notice(
                f"Showing the newest {len(self.store):,} entries: the cap (--max-entries) was reached, "
                "older entries were not loaded. Narrow the filters to see further back.")
        else:
            self.banner.show_notice(notice.message)
        self.refresh_status()

    def on_feed_finished(self, message: Feed.Finished) -> None:
        if not self._current(message.generation):
            return
        self.table.apply_change(self.view.sync())
        if self._pending_clear:  # a reload that found nothing at all
            self._pending_clear = False
            self.store.clear()
            self.table.apply_change(self.view.sync())
        self.phase = "complete"
        self.capped = self.capped or message.done.capped
        self.banner.clear("retry")
        self.backfill_finished()
        self.refresh_all()

    def on_feed_failed(self, message: Feed.Failed) -> None:
        if not self._current(message.generation):
            return
        self._pending_clear = False  # keep whatever is on screen
        self.phase = "error"
        context = "reading the file" if self.feed.file_mode else "loading"
        hint = "r retries · the rows already loaded stay visible" if len(self.store) else "r retries"
        self.banner.show_failure(message.error, context=context, gave_up=message.gave_up, hint=hint)
        self.refresh_all()

    def on_feed_tail_failed(self, message: Feed.TailFailed) -> None:
        if not self._current(message.generation):
            return
        self.banner.clear("retry")
        self.banner.show_tail_failure(message.error, message.next_poll_s)
        self.refresh_status()

    # -- what the user sees ---------------------------------------------------------------
    def trouble(self) -> str | None:
        """What is wrong with this source now, in a few words (None when nothing is): marked on
        its tab, and told by the merged timeline, which would otherwise look fine while stale."""
        if self.phase == "error":
            return "failed"
        failing = self.banner.tail_failing()
        if failing is not None and self.want_tail:
            return f"live tail failing ({failing[0]})"
        reason = self.banner.retry_reason()
        return None if reason is None else f"retrying ({reason})"

    def connection_state(self) -> tuple[str, str]:
        """(state, text) for the status line."""
        if self.needs_connector and self.phase != "error":  # nothing to load until one is chosen
            return "paused", "choose a connector (c)"
        remaining = self.banner.retry_remaining()
        if remaining is not None:  # the banner's deadline, so both count down in step
            when = f"retrying in {format_wait(remaining)}" if remaining > 0.5 else "retrying now"
            return "retrying", f"{self.banner.retry_reason()} · {when}"
        if self.phase == "error":
            return "error", "error — r retries"
        failing = self.banner.tail_failing()
        if failing is not None and self.want_tail:  # loaded, but the tail cannot reach the API
            cause, remaining = failing
            when = f"next try in {format_wait(remaining)}" if remaining > 0.5 else "trying now"
            return "retrying", f"live tail failing: {cause} · {when}"
        if self.phase == "cancelled":
            return "cancelled", "stopped — r reloads"
        if self.feed.file_mode and (self.feed.backfilling or self.phase == "loading"):
            rows, ready = len(self.store), self.store.ready - self.store.head
            if self.file_scanned < 1.0:
                return "loading", f"indexing the file · {rows:,} entries ({int(100 * self.file_scanned)}%) …"
            return "loading", f"reading fields · {ready:,} of {rows:,} ({100 * ready // max(1, rows)}%) …"
        if self.feed.backfilling or self.phase == "loading":
            what = f"loading page {self.pages + 1}"
            if self.total:
                what += f" · {len(self.store):,} of {self.total:,} ({min(100, 100 * len(self.store) // self.total)}%)"
            return "loading", what + " …"
        cap = f"capped at {self.options.max_entries:,}" if self.capped and self.options.max_entries else ""
        if self.want_tail:
            text = f"live · every {self.options.interval_s:g} s"
            return "live", f"{text} · {cap}" if cap else text
        if cap:
            return "capped", cap + " — older entries not loaded"
        if self.merged:
            merged = f"{len(self.store.origins) - 1} sources merged"
            troubles = [f"{label}: {trouble}" for label, trouble in self.source_troubles.items()]
            return ("retrying", " · ".join([merged, *troubles])) if troubles else ("complete", merged)
        if self.feed.file_mode:
            return "complete", "file loaded"
        if self.tail_paused:
            return "paused", "all loaded · tail paused (t resumes)"
        return "complete", "all loaded"

    def on_error_banner_ticked(self, message: ErrorBanner.Ticked) -> None:
        self.refresh_status()

    def refresh_status(self) -> None:
        if not self.status_bar.is_attached:  # a last timer tick while the app closes
            return
        state, text = self.connection_state()
        self.status_bar.show(StatusInfo(
            label=self.label, state=state, state_text=text, shown=len(self.view), loaded=len(self.store),
            total=self.total, new_rows=self.table.new_rows,
        ))

    def refresh_all(self) -> None:
        """Counts, facet values, empty-table message and status line after any change."""
        if not self.sidebar.is_attached:
            return
        selected = {i for i, option in enumerate(self.status_options) if option in self.filters.statuses}
        server_status = self.where.get("status") == "server" and bool(selected)
        counts = [None if server_status and i not in selected else int(c)
                  for i, c in enumerate(self.view.option_counts)]
        pending = len(self.store) - (self.store.ready - self.store.head)
        if self._searching:
            note = "searching …"
        elif pending > 0:
            note = f"counting … {pending:,} entries to go"
        elif server_status:
            note = "other statuses not loaded"
        else:
            note = "none selected = all" if not selected else "0 clears the selection"
        self.sidebar.show_counts(counts, selected, note)
        facet_values = self.store.facet_values(self.facet)
        if len(facet_values) != self._facet_count:
            self._facet_count = len(facet_values)
            self.sidebar.set_facet_values(facet_values, getattr(self.filters, self.facet))
        self.sidebar.show_pattern_filters(self.pattern_filters(self.filters))
        self.table.empty_message = self._empty_message()
        if not len(self.view):
            self.table.refresh()
        self.refresh_status()
        self.patterns_changed()

    def _empty_message(self) -> str:
        if self.needs_connector:
            return self.connector_message
        store = self.store
        if len(store) and store.covered(self.filters) < store.tail:
            return (f"Reading fields ({store.ready - store.head:,} of {len(store):,}) — "
                    "matching entries appear as they are read.")
        if len(store):
            return "No loaded entries match the filters."
        if self.phase == "error":
            return "Nothing loaded — see the error above."
        if self.phase == "cancelled":
            return "Loading stopped — press r to load."
        if self.phase == "loading":
            return "Loading …"
        return "No entries." if self.filters.is_empty() else "No entries match the filters."
