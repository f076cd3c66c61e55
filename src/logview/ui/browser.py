"""The main area of a viewer: the banner, the histogram and stats panels, the log table and the
detail pane, and what the user does there — open an entry, jump between errors, copy one, open a
panel, pick in one.

The panels and the detail pane are made (and their modules imported) when first wanted, not on the
way to the first rows: hidden at start, they cost a launch ~15 ms of imports, styles and mounting.

It reads the session it is given (attributes down) and never changes the filters itself: what is
picked in a panel goes up as `FiltersWanted`, for the screen to apply.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING

import numpy as np
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.worker import get_current_worker

from logview.files.envelope import UnreadableLine
from logview.model import Filters, LogEntry
from logview.session import MergedSession, ViewerSession
from logview.sources.base import dump_json
from logview.store import FileSearchJob, SearchJob
from logview.ui.clipboard import copy_for_user
from logview.ui.panel_room import HISTOGRAM_ALONE_BELOW, panels_take_turns
from logview.ui.widgets.charting import ChartRows
from logview.ui.widgets.error_banner import ErrorBanner
from logview.ui.widgets.filter_line import FilterLine
from logview.ui.widgets.log_table import LogTable

if TYPE_CHECKING:
    from logview.api.events import Notice
    from logview.ui.widgets.detail_pane import DetailPane
    from logview.ui.widgets.histogram import VolumeHistogram
    from logview.ui.widgets.stats_panel import StatsPanel

STATS_FIELDS = {"aitronos": ("tool", "credential"), "supermetrics": ("event",), "mixed": ("origin", "tool", "event")}


class LogBrowser(Vertical):
    """The table with its detail pane and panels, for one session. Its keys (e E h i x y) are
    bound on the screen, so that they work wherever the focus is, and call the actions here."""

    class Searched(Message):
        """A search that ran in a worker thread is in: the rows shown changed."""

    class SearchFailed(Message):
        """A search that ran in a worker thread raised (`error`: its kind): it is to be cleared."""

        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    class FiltersWanted(Message):
        """The user picked filters here (a histogram bar, a stats row, `x`)."""

        def __init__(self, filters: Filters) -> None:
            super().__init__()
            self.filters = filters

    def __init__(self, session: ViewerSession, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.session = session
        # Whether G's chase of the oldest row goes on while the detail is open, taking each new oldest entry:
        # for a file, read within seconds (its mixed kind's viewer says so too); not for an API's pages, which
        # come for minutes when paced, the detail switching entry at each (s30 walk #1)
        self.chases_through_detail = session.file_mode and not session.merged
        kind = session.source.kind
        self.filter_line = FilterLine(id="filter-line")
        self.banner = ErrorBanner(id="banner")
        self.table = LogTable(kind, self.activated, id="table")
        self._histogram: VolumeHistogram | None = None  # (each made when first wanted)
        self._stats: StatsPanel | None = None
        self._detail: DetailPane | None = None
        self._credential_names: tuple[dict[str, str], dict[str, str]] = ({}, {})  # (for those made later)
        self._came_from: Widget | None = None  # what had the focus before a panel took it
        self._asked_for: str | None = None  # the search the user asked for, still computed in a thread

    def compose(self) -> ComposeResult:
        yield self.filter_line
        yield self.banner
        yield from self.panels_made()  # (wanted before the browser was composed: hidden, in their places)
        yield self.table
        if self._detail is not None:
            yield self._detail

    def on_mount(self) -> None:
        self.table.set_view(self.session.view)

    # -- the panels and the detail pane, made hidden when first wanted --------------------
    @property
    def histogram(self) -> VolumeHistogram:
        if self._histogram is None:
            from logview.ui.widgets.histogram import VolumeHistogram

            self._histogram = VolumeHistogram(id="histogram")
            self._histogram.rows_of = self.chart_rows
            self._mount_hidden(self._histogram, before=self._stats or self.table)
        return self._histogram

    @property
    def stats(self) -> StatsPanel:
        if self._stats is None:
            from logview.ui.widgets.stats_panel import StatsPanel

            self._stats = StatsPanel(STATS_FIELDS[self.session.source.kind], id="stats")
            self._stats.rows_of = self.chart_rows
            self._stats.labels = {"credential": self._credential_names[0]}
            self._mount_hidden(self._stats, before=self.table)
        return self._stats

    @property
    def detail(self) -> DetailPane:
        if self._detail is None:
            from logview.ui.widgets.detail_pane import DetailPane

            self._detail = DetailPane(id="detail")
            self._detail.notes = {"credential_id": self._credential_names[1]}
            self._mount_hidden(self._detail, after=self.table)
        return self._detail

    def _mount_hidden(self, widget: Widget, *, before: Widget | None = None, after: Widget | None = None) -> None:
        widget.display = False
        if self.table.parent is self:  # (else `compose` has yet to run, and mounts it)
            self.mount(widget, before=before, after=after)

    def shown(self, name: str) -> bool:
        """Whether the panel or pane `name` ("histogram", "stats", "detail") is open (one never
        wanted was never made)."""
        widget = {"histogram": self._histogram, "stats": self._stats, "detail": self._detail}[name]
        return widget is not None and widget.display

    def panels_made(self) -> list[VolumeHistogram | StatsPanel]:
        """The histogram and the stats panel, those made (open or once opened)."""
        return [panel for panel in (self._histogram, self._stats) if panel is not None]

    def refilter(self, *, asked: bool = True) -> None:
        """The table after the filters changed (a new search over many rows runs in a thread); `asked`:
        by the user, not by a relative range moving on (`LogTable.refiltered`), as is the search it starts."""
        job = self.session.refilter()
        if job is None:
            self.table.refiltered(asked=asked)
            return
        if asked:  # (a range moving on meanwhile starts it again: asked still, once done)
            self._asked_for = job.needle
        self._search(job)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _search(self, job: SearchJob | FileSearchJob) -> None:
        worker = get_current_worker()
        try:
            job.run(lambda: worker.is_cancelled)
        except Exception as error:  # (a fault in the search left 'searching …' said for good, s29)
            if not worker.is_cancelled:
                self.app.call_from_thread(self._search_failed, job, error)
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._search_done, job)

    def _search_failed(self, job: SearchJob | FileSearchJob, error: Exception) -> None:
        if job.needle == self.session.searching:  # (not if the user has asked for something else since)
            self._asked_for = None
            self.post_message(self.SearchFailed(type(error).__name__))

    def _search_done(self, job: SearchJob | FileSearchJob) -> None:
        if self.session.search_done(job):  # (not if the user has asked for something else since)
            asked, self._asked_for = job.needle == self._asked_for, None
            self.refilter(asked=asked)
            self.post_message(self.Searched())

    def focus_now(self, widget: Widget) -> None:
        """Move focus before the next key is handled (`Widget.focus` waits a cycle)."""
        self.screen.set_focus(widget)

    # -- the table and the detail pane ----------------------------------------------------
    def selected_entry(self) -> LogEntry | None:
        ordinal, store = self.table.cursor_ordinal, self.session.store
        return None if ordinal is None or not len(store) else store.entry(ordinal)

    def activated(self, ordinal: int | None) -> None:
        """Enter on the table's row of `ordinal`: open its detail, or focus the detail open. Called by
        the table, not a message to it: the focus must move before the next key's binding is looked
        up (`Enter Enter PgDn` in one burst paged the table, the second Enter's message still on its
        way here, found in a walk)."""
        if ordinal is None:  # no row shown: open the first one to come, if any may
            self.table.enters_waiting = self.table.enters_waiting + 1 if self.rows_may_come() else 0
            if not self.table.enters_waiting:
                self.notify("No entry to open: no row is shown.", timeout=2, markup=False)
        elif self.shown("detail"):
            self.focus_now(self.detail)
        else:
            self.show_detail_pane(True)
            self.show_detail()
            self.detail.scroll_home(animate=False)  # (opened again on its entry, a new search: it kept its place)
            if self.detail_covers_table:  # the table is out of sight: the keys scroll the detail
                self.focus_now(self.detail)

    def show_detail_pane(self, shown: bool) -> None:
        """Open or close the detail. While it is open the live tail's rows never take its entry
        away (they count as new above it, as when the user has moved down): it was swapped for
        the next new entry at every poll, scrolled back to its top."""
        self.table.pinned = shown
        if shown and not self.chases_through_detail:
            self.table.sticky_end = False  # (G's chase of the oldest row ends: see `chases_through_detail`)
        if shown or self._detail is not None:
            self.detail.display = shown
        self.set_class(shown, "-detail-open")  # (the stats above take less: see `panel_room.py`)
        if shown and self._stacked_crowded() and self.shown("histogram") and self.shown("stats"):
            (self.histogram if self.screen.focused is self.stats else self.stats).display = False

    @property
    def detail_covers_table(self) -> bool:
        """On a short screen the detail opens over the whole table (`-short`, see `fitting.py`)."""
        return self.screen.has_class("-short") and not self.has_class("-wide")

    @on(LogTable.CursorMoved)
    def _cursor_moved(self, event: LogTable.CursorMoved) -> None:
        if self.shown("detail"):
            self.show_detail()

    def show_detail(self) -> None:
        entry, source, ordinal = self.selected_entry(), self.session.source, self.table.cursor_ordinal
        origin = (self.session.origins_of(np.array([ordinal]))[0]
                  if isinstance(self.session, MergedSession) and entry is not None and ordinal is not None else None)
        self.detail.show_entry(entry, source.time_field if entry is None else source.time_field_for(entry), origin,
                               needle=self.session.filters.search)

    def noticed(self, notice: Notice) -> None:
        """A file changed on disk: the rows read before are read again (one whose line the file no
        longer holds whole says so: the detail showed what was read before the file was cut)."""
        if notice.kind == "file" and self.session.store.line_entries is not None:
            self.session.store.line_entries.forget()
            self.table.refresh()
            if self.shown("detail"):
                self.show_detail()

    def name_credentials(self, labels: dict[str, str], notes: dict[str, str]) -> None:
        """Credential names instead of ids, in the table, the stats and the detail."""
        self.table.set_labels({"credential": labels})
        self._credential_names = (labels, notes)
        self.session.credential_names = labels
        if self._stats is not None:
            self._stats.labels = {"credential": labels}
        if self._detail is not None:
            self._detail.notes = {"credential_id": notes}
        if self.shown("detail"):
            self.detail.entry = None  # drawn again, with the names
            self.show_detail()

    def close_something(self) -> bool:
        """Esc here: leave a panel for the table, else close the detail; False if neither."""
        focused = self.screen.focused
        if focused is not None and focused in self.panels_made():
            self._leave_panel()
        elif self.shown("detail"):
            self.show_detail_pane(False)
            self.focus_now(self.table)
        else:
            return False
        return True

    def action_next_error(self, step: int) -> None:
        if not len(self.session.view):  # ('No more errors below.' on an empty table: found in a walk)
            self.notify("No row is shown: no error to go to.", timeout=2, markup=False)
            return
        row = self.session.view.next_problem(self.table.cursor_row, step)
        if row is None:
            # (said at 'reading fields · 0%', with 120,461 errors below: found in a walk)
            uncounted = self.session.errors_uncounted()
            # (none at all: "No more errors below." sent the user scrolling up for one, s28 walk #12)
            none = self.session.view.next_problem(-1, 1) is None
            self.notify(f"Errors are still being counted: {uncounted} …" if uncounted else
                        "No errors, warnings or invalid entries in the rows shown." if none else
                        "No more errors " + ("below." if step > 0 else "above."), timeout=2, markup=False)
        else:
            self.table.move_to_row(row)
            if self.screen.focused in self.panels_made():  # (from the stats or the histogram: the row
                self.focus_now(self.table)  # moved unseen, drawn as an unfocused table's, s27 walk #5)

    def action_copy_entry(self) -> None:
        entry = self.selected_entry()
        if entry is None:  # (it was silent)
            self.notify("Nothing to copy: no row is shown.", timeout=2, markup=False)
            return
        ordinal = self.table.cursor_ordinal
        line = self.session.store.line(ordinal) if ordinal is not None else None
        if line is None and isinstance(entry, UnreadableLine):  # (a merged file's line that is no envelope: as
            line = entry.line  # it is, as a save writes it; it was copied as a JSON string, s30 walk #8)
        text = line if line is not None else dump_json(entry.raw)  # a file's line exactly as stored
        copy_for_user(self.screen, text.decode("utf-8", errors="replace"), "the selected entry")

    # -- the histogram and the stats panel ------------------------------------------------
    def chart_rows(self) -> ChartRows:
        """What the panels chart: the rows on screen (they call this when they compute)."""
        session, index = self.session, self.session.view.index
        if session.fields_shown is not None:  # (the rows the header and the sidebar count: no more, s21 #6)
            index = index[index < session.fields_counted()]
        return ChartRows(session.store, index, session.filters, session.picked_filters(),
                         loading=session.phase == "loading", note=session.chart_note(),
                         errors_uncounted=session.errors_uncounted())

    def rows_may_come(self) -> bool:
        """Whether rows may still be shown without the user asking: loading, or searching."""
        return self.session.phase == "loading" or self.session.searching is not None

    def rows_changed(self, *, now: bool = False) -> None:
        """The rows changed: the open panels compute again (soon, or `now` when the user asked).
        An Enter typed ahead waits for the first row only while rows may come: not for a later one."""
        if not self.rows_may_come():
            self.table.enters_waiting = 0
        loading = self.session.phase == "loading"
        for panel in self.panels_made():
            panel.rows_changed(now=now, loading=loading)
        if self._stats is not None and self._stats.display:
            self._stats.reading_went_on(self.session.chart_note(), self.session.errors_uncounted())
        if self._histogram is not None and self._histogram.display:
            self._histogram.reading_went_on(self.session.chart_note())

    def action_toggle_histogram(self) -> None:
        """h: show the histogram (and focus it, for ←/→ Enter); again: hide it."""
        self._toggle_panel(self.histogram)

    def action_toggle_stats(self) -> None:
        """i: show the stats panel (focused); again: hide it."""
        self._toggle_panel(self.stats)

    def _toggle_panel(self, panel: VolumeHistogram | StatsPanel) -> None:
        if panel.display and self.screen.focused is panel:
            panel.display = False
            self._leave_panel()
            return
        if self.screen.focused not in self.panels_made():
            self._came_from = self.screen.focused
        if self.shown("detail") and self.detail_covers_table:  # (a panel behind it would take keys unseen)
            self.show_detail_pane(False)
        other = "stats" if panel is self._histogram else "histogram"
        if self.shown(other) and self._stacked_crowded():
            getattr(self, other).display = False  # (both above the table, on a short screen: no row of it left)
        panel.display = True
        self.histogram_turns()
        self.focus_now(panel)
        panel.rows_changed(now=True)

    def _stacked_crowded(self) -> bool:
        return panels_take_turns(self.screen, self.shown("detail") and not self.has_class("-wide"))

    def _leave_panel(self) -> None:
        """Back to the focused detail the panel was opened from (it went to the table), else the table
        (a histogram in its place gives it back: `histogram_turns`)."""
        if self.has_class("-histogram-alone"):
            self.histogram.display = False
        self.histogram_turns()
        back = self.detail if self._came_from is self._detail and self.shown("detail") else self.table
        self.focus_now(back)

    def histogram_turns(self, height: int | None = None) -> None:
        """The histogram open on a screen of fewer than HISTOGRAM_ALONE_BELOW lines (`height`: the
        screen's, when it is not yet laid out at it) takes the table's place, its bars as many as fit."""
        height = self.screen.size.height if height is None else height
        self.set_class(self.shown("histogram") and height < HISTOGRAM_ALONE_BELOW, "-histogram-alone")

    def on_volume_histogram_bucket_chosen(self, event: VolumeHistogram.BucketChosen) -> None:
        since = datetime.fromtimestamp(event.start_us / 1_000_000, tz=timezone.utc)
        until = datetime.fromtimestamp(event.end_us / 1_000_000, tz=timezone.utc)
        narrowed = self.session.drill_into(since, until)
        if narrowed == self.session.filters:  # (Enter did nothing, and said nothing)
            self.notify("This bar is the range already: it cannot be narrowed further (⌫ zooms out).", timeout=3,
                        markup=False)
        self.post_message(self.FiltersWanted(narrowed))

    def on_volume_histogram_zoom_out(self, event: VolumeHistogram.ZoomOut) -> None:
        before = self.session.zoom_out()
        if before is None:
            self.notify("This is the range you started with.", timeout=2, markup=False)
        else:
            self.post_message(self.FiltersWanted(before))

    def on_stats_panel_chosen(self, event: StatsPanel.Chosen) -> None:
        from logview.ui.widgets.stats_panel import FIELD_TITLES

        self.post_message(self.FiltersWanted(self.session.pick(event.field, event.value)))
        if event.value is not None:
            name = FIELD_TITLES.get(event.field, event.field)  # (not "origin": found in a walk)
            self.notify(f"Filtered by {name}; Enter on it again (or x) lifts it.", timeout=3, markup=False)

    def action_toggle_banner(self) -> None:
        """m: the banner's messages in full, or folded to their first lines and keys."""
        if not self.banner.toggle_fold():  # ("it is shown whole" of no message at all, s23 walk #13)
            said = ("The message above the table is short: it is shown whole." if self.banner.display
                    else "No message above the table to fold or unfold.")
            self.notify(said, timeout=2, markup=False)

    def action_clear_pattern_filters(self) -> None:
        """x: lift the filters picked in the stats panel (and any tool or error-group filter)."""
        filters, lifted = self.session.lift_picks()
        if not lifted:
            self.notify("No filter picked in the stats to lift.", timeout=2, markup=False)
            return
        self.post_message(self.FiltersWanted(filters))
        from logview.ui.widgets.stats_panel import FIELD_TITLES

        names = " and ".join(FIELD_TITLES.get(field, field) for field in lifted)
        self.notify(f"Lifted the {names} filter{'s' if len(lifted) > 1 else ''}.", timeout=2, markup=False)

    def action_where_matches_are(self) -> None:
        """n / N outside the focused detail (where they go through the search's matches) say where they act:
        they did nothing, where a user of less or vim presses n after / (s30 walk #4)."""
        where = "Enter focuses it" if self.shown("detail") else "Enter opens an entry's, Enter again focuses it"
        self.notify(f"n / N go through the search's matches in the focused detail: {where}."
                    if self.session.filters.search else
                    "n / N go through a search's matches in the focused detail: / searches first.",
                    timeout=3, markup=False)
