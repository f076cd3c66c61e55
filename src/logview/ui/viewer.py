"""One viewer: layout, keys, and the wiring between filters, the feed, the store and the widgets.

What happens where: `feed.py` loads (workers, messages), `store.py` holds and filters, the widgets
draw, `filtering.py` decides what a filter change means. This screen only connects them; the
reactions to loading events live in `loading.py`, the histogram and stats in `patterns.py`, names
from the APIs in `directory.py`, columns in `columns.py`, saved filters in `saving_filters.py`.
The app (`app.py`) shows one such screen per source.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Input
from textual.worker import get_current_worker

from logview.api.types import RetryPolicy
from logview.model import Filters, LogEntry, SourceKind
from logview.options import ViewerOptions
from logview.settings.column_choice import ColumnChoice
from logview.settings.saved_filters import SavedFilters
from logview.sources import SupermetricsSource
from logview.sources.mixed import MixedSource
from logview.sources.base import Source, dump_json
from logview.files.lines import LineFile
from logview.store import EntryStore, FileSearchJob, FilteredView, SearchJob
from logview.ui.clipboard import copy_for_user
from logview.ui.columns import ColumnsMixin
from logview.ui.directory import DirectoryMixin
from logview.ui.feed import Feed
from logview.ui.filtering import (needs_requery, selected_indices, status_options, time_inputs, toggle_status,
                                  where)
from logview.ui.loading import LoadingMixin
from logview.ui.merging import MergingMixin, Parts
from logview.ui.patterns import STATS_FIELDS, PatternsMixin
from logview.ui.saving_filters import SavedFiltersMixin
from logview.ui.save import save_entries, save_lines
from logview.ui.screens.help import HelpScreen
from logview.ui.screens.save_dialog import SaveDialog
from logview.ui.widgets.detail_pane import DetailPane
from logview.ui.widgets.error_banner import ErrorBanner
from logview.ui.widgets.histogram import VolumeHistogram
from logview.ui.widgets.log_table import LogTable
from logview.ui.widgets.sidebar import FilterSidebar
from logview.ui.widgets.stats_panel import StatsPanel
from logview.ui.widgets.status_bar import StatusBar
from logview.ui.widgets.tab_strip import TabStrip
from logview.times import TimeParseError

SEARCH_IN_THREAD_ROWS = 20_000  # above this many rows a new search runs in a worker thread


class ViewerScreen(MergingMixin, ColumnsMixin, SavedFiltersMixin, DirectoryMixin, PatternsMixin, LoadingMixin,
                   Screen[None]):
    """Browse one source's execution logs: filter, read, tail, save. The app shows one per
    source it was opened on (tabs); each keeps loading while another is shown."""

    BINDINGS = [
        Binding("q", "quit_viewer", "Quit"),
        Binding("question_mark", "help", "Help"),
        # priority: focus must move before the next key arrives, or fast typing after `/` lands
        # in the table (check_action lets the key through to an input that has focus)
        Binding("slash", "focus_search", "Search", priority=True),
        Binding("d", "focus_dates", "Dates", priority=True),
        Binding("t", "toggle_tail", "Tail"),
        Binding("r", "reload", "Reload"),
        Binding("e", "next_error(1)", "Next error"),
        Binding("E", "next_error(-1)", "Prev error", show=False),
        Binding("h", "toggle_histogram", "Histogram"),
        Binding("i", "toggle_stats", "Stats"),
        Binding("x", "clear_pattern_filters", "Clear stats filters", show=False),
        Binding("c", "choose_connector", "Connector", show=False),
        Binding("f", "pick_columns", "Columns", show=False),
        Binding("y", "copy_entry", "Copy"),
        Binding("s", "save", "Save"),
        Binding("escape", "escape", "Close", show=False),
        Binding("0", "clear_status", "All statuses", show=False),
        *[Binding(str(n), f"toggle_status({n - 1})", f"Status {n}", show=False) for n in range(1, 10)],
    ]

    def __init__(self, options: ViewerOptions, *, policy: RetryPolicy | None = None,
                 source: Source | None = None, file_kind: SourceKind | None = None,
                 saved_filters: SavedFilters | None = None, column_choice: ColumnChoice | None = None,
                 tabs: list[str] | None = None, tab: int = 0, merge_of: Parts | None = None) -> None:
        """`tabs`: the labels of every tab when the app shows several sources, `tab` this one's."""
        super().__init__()
        self.tab_strip = TabStrip(tabs, tab, id="tabs") if tabs else None
        self.options = options
        if options.merged:
            self.source: Source = MixedSource()
            self.label = "all sources, merged"
        elif options.connection is not None:
            self.source = options.connection.source
            self.label = options.connection.label
        else:
            assert source is not None and options.file is not None
            self.source = source
            self.label = f"file {options.file.name}"
        self.filters = options.filters
        self.status_options = status_options(self.source, self.filters)
        lines = LineFile(options.file) if options.connection is None and options.file is not None else None
        self.store = EntryStore(self.source, options.max_entries, lines=lines)
        self.view = FilteredView(self.store, self.filters, self.status_options)
        self.feed = Feed(self.source, connection=options.connection, file=options.file, file_kind=file_kind,
                         max_entries=options.max_entries, interval_s=options.interval_s, policy=policy)
        self.where = where(self.source, self.feed.file_mode)
        self.facet = {"aitronos": "credential", "supermetrics": "event"}.get(self.source.kind, "origin")
        self._searching: str | None = None
        # Held directly (not queried): timers and late worker messages may still arrive while
        # the app shuts down, when a query would find nothing.
        self.status_bar = StatusBar(id="status")
        self.sidebar = FilterSidebar(self.status_options, self.facet, self.where, id="sidebar")
        self.banner = ErrorBanner(id="banner")
        self.table = LogTable(self.source.kind, id="table")
        self.column_choice = column_choice or ColumnChoice()
        self.detail = DetailPane(id="detail")
        self.histogram = VolumeHistogram(id="histogram")
        self.stats = StatsPanel(STATS_FIELDS[self.source.kind], id="stats")
        self.init_loading_state()
        self.init_patterns_state()
        self.init_directory_state()
        self.init_saved_filters_state(saved_filters)
        self.init_merging_state(merge_of)

    # -- layout ---------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        if self.tab_strip is not None:
            yield self.tab_strip
        yield self.status_bar
        with Horizontal(id="body"):
            yield self.sidebar
            with Vertical(id="main"):
                yield self.banner
                yield self.histogram
                yield self.stats
                yield self.table
                yield self.detail
        yield Footer()
        yield self.feed

    def on_mount(self) -> None:
        self.apply_column_choice()
        self.detail.display = False
        self.histogram.display = False
        self.stats.display = False
        self.sidebar.show_filters(self.filters, selected_indices(self.status_options, self.filters))
        self.sidebar.show_time_inputs(*time_inputs(self.filters))
        self.table.set_view(self.view)
        self.table.focus()
        if self.merged:
            self.start_merging()
        else:
            self.start_directory()
            if not self.needs_connector:
                self.start_loading(clear_now=True)
        if self.options.follow:
            self.want_tail = True
        self.set_interval(1.0, self.tick)
        self.refresh_all()

    async def on_unmount(self) -> None:
        await self.feed.aclose()
        self.store.close()

    def on_resize(self) -> None:
        self.query("#main").set_class(self.size.width >= 200, "-wide")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        main_screen = self.app.screen is self  # no dialog on top
        if action in ("focus_search", "focus_dates"):
            typing = isinstance(self.focused, Input) or type(self.focused).__name__ == "SelectOverlay"
            return main_screen and not typing
        return True

    def focus_now(self, widget: Widget) -> None:
        """Move focus before the next key is handled (`Widget.focus` waits a cycle, so fast
        typing after `/` would otherwise reach the table)."""
        self.set_focus(widget)

    # -- filters --------------------------------------------------------------------------
    def apply_filters(self, new: Filters) -> None:
        """Re-query when a server-side filter changed, otherwise re-index the loaded rows."""
        if new == self.filters:
            return
        old, self.filters = self.filters, new
        self.sidebar.show_filters(new, selected_indices(self.status_options, new))
        if needs_requery(self.source, self.feed.file_mode, old, new):
            self._searching = None
            self.start_loading(clear_now=True)
        else:
            self._refilter_local()
        self.refresh_all()
        self.patterns_changed(now=True)  # the user asked: no throttling delay

    def _refilter_local(self) -> None:
        needle = self.filters.search.lower() if self.filters.search else None
        if needle is not None and needle != self.store.search_needle and len(self.store) > SEARCH_IN_THREAD_ROWS:
            self._searching = needle
            self._search(self.store.search_job(needle))
            return
        self._searching = None
        self.view.refilter(self.filters)
        self.table.refiltered()

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _search(self, job: SearchJob | FileSearchJob) -> None:
        worker = get_current_worker()
        job.run(lambda: worker.is_cancelled)
        if not worker.is_cancelled:
            self.app.call_from_thread(self._search_done, job)

    def _search_done(self, job: SearchJob | FileSearchJob) -> None:
        if job.needle != self._searching:
            return  # the user has asked for something else since
        self.store.finish_search(job)  # False if the store was cleared meanwhile: search again
        self._refilter_local()
        self.refresh_all()

    @on(FilterSidebar.StatusToggled)
    def _status_toggled(self, event: FilterSidebar.StatusToggled) -> None:
        self.action_toggle_status(event.index)

    def _apply_time(self, since: str, until: str) -> None:
        try:
            new = self.filters.with_time_range(since, until)
        except TimeParseError as error:
            self.sidebar.show_time_error(str(error))
            return
        self.sidebar.show_time_error("")
        self.focus_now(self.table)
        self.apply_filters(new)

    def _apply_search(self, text: str) -> None:
        self.focus_now(self.table)
        self.apply_filters(self.filters.model_copy(update={"search": text or None}))

    @on(FilterSidebar.TimeRangeSubmitted)
    def _time_submitted(self, event: FilterSidebar.TimeRangeSubmitted) -> None:
        self._apply_time(event.since, event.until)

    @on(FilterSidebar.FacetChanged)
    def _facet_changed(self, event: FilterSidebar.FacetChanged) -> None:
        self.apply_filters(self.filters.model_copy(update={self.facet: event.value}))

    @on(FilterSidebar.SearchSubmitted)
    def _search_submitted(self, event: FilterSidebar.SearchSubmitted) -> None:
        self._apply_search(event.text)

    # -- the table and the detail pane ----------------------------------------------------
    def selected_entry(self) -> LogEntry | None:
        ordinal = self.table.cursor_ordinal
        return None if ordinal is None or not len(self.store) else self.store.entry(ordinal)

    @on(LogTable.Activated)
    def _activated(self, event: LogTable.Activated) -> None:
        if self.detail.display:
            self.focus_now(self.detail)
        else:
            self.detail.display = True
            self.show_detail()

    @on(LogTable.CursorMoved)
    def _cursor_moved(self, event: LogTable.CursorMoved) -> None:
        if self.detail.display:
            self.show_detail()

    def show_detail(self) -> None:
        entry = self.selected_entry()
        self.detail.show_entry(entry, self.source.time_field if entry is None else self.source.time_field_for(entry))

    @on(LogTable.FollowChanged)
    def _follow_changed(self, event: LogTable.FollowChanged) -> None:
        self.refresh_status()

    @on(StatusBar.NewRowsClicked)
    def _new_rows_clicked(self) -> None:
        self.table.action_first()

    # -- actions --------------------------------------------------------------------------
    def action_toggle_status(self, index: int) -> None:
        if not 0 <= index < len(self.status_options):
            self.notify(f"No status option {index + 1}: the options are 1–{len(self.status_options)} "
                        "(0 clears them).", timeout=2)
            return
        self.apply_filters(toggle_status(self.status_options, self.filters, index))

    def action_clear_status(self) -> None:
        self.apply_filters(self.filters.model_copy(update={"statuses": ()}))

    def action_focus_search(self) -> None:
        self.focus_now(self.sidebar.query_one("#search", Input))

    def action_focus_dates(self) -> None:
        self.focus_now(self.sidebar.query_one("#since", Input))

    def action_next_error(self, step: int) -> None:
        row = self.view.next_problem(self.table.cursor_row, step)
        if row is None:
            self.notify("No more errors " + ("below." if step > 0 else "above."), timeout=2)
        else:
            self.table.move_to_row(row)

    def action_copy_entry(self) -> None:
        entry = self.selected_entry()
        if entry is None:
            return
        line = self.store.line(self.table.cursor_ordinal) if self.table.cursor_ordinal is not None else None
        text = line if line is not None else dump_json(entry.raw)  # a file's line exactly as stored
        copy_for_user(self, text.decode("utf-8", errors="replace"), "the selected entry")

    def action_save(self) -> None:
        default = "logview-export.jsonl"
        self.app.push_screen(SaveDialog(default, len(self.view)), self._save_to)

    def _save_to(self, path: Path | None) -> None:
        if path is None:
            return
        lines = self.store.lines
        if lines is not None:  # a file: the lines are read in the worker, not here
            starts, lengths = self.store.column("start", self.view.index), self.store.column("length", self.view.index)
            self._save(path, lambda: save_lines(path, lines, starts, lengths, self.source))
        else:
            entries = self.store.entries(self.view.index)
            origins = self.origins_of(self.view.index) if self.merged else None
            self._save(path, lambda: save_entries(path, entries, self.source, origins))

    @work(thread=True, group="save", exit_on_error=False)
    def _save(self, path: Path, write: Callable[[], int]) -> None:
        try:
            count = write()
        except OSError as error:
            self.app.call_from_thread(self.notify, f"Could not save to {path}: {error.strerror or error}",
                                      severity="error", markup=False, timeout=8)
            return
        self.app.call_from_thread(self.notify, f"Saved {count:,} entries to {path}", markup=False, timeout=4)

    def action_help(self) -> None:
        if not isinstance(self.app.screen, HelpScreen):
            self.app.push_screen(HelpScreen())

    def action_quit_viewer(self) -> None:
        self.app.exit(0)

    def action_escape(self) -> None:
        """Esc: leave an input (clearing the search, restoring the dates in force), else close the
        detail, else stop a retry wait."""
        focused = self.focused
        if focused is self.histogram or focused is self.stats:
            self.focus_now(self.table)
        elif isinstance(focused, Input) or (focused is not None and self.sidebar in focused.ancestors):
            if isinstance(focused, Input) and focused.id == "search":
                focused.value = ""
                self.apply_filters(self.filters.model_copy(update={"search": None}))
            elif isinstance(focused, Input) and focused.id in ("since", "until"):
                # text typed but never applied is dropped: the fields show the range in force
                self.sidebar.show_time_inputs(*time_inputs(self.filters))
                self.sidebar.show_time_error("")
            self.focus_now(self.table)
        elif self.detail.display:
            self.detail.display = False
            self.focus_now(self.table)
        elif self.banner.retry_pending:
            self.cancel_retry()

    def system_commands(self) -> Iterator[SystemCommand]:
        """This viewer's commands in the palette (the app adds them to its own)."""
        yield SystemCommand("Toggle live tail", "Start or stop polling for new entries (t)", self.action_toggle_tail)
        yield SystemCommand("Reload", "Load again from the newest entry; retries after an error (r)",
                            self.action_reload)
        yield SystemCommand("Save view", "Write the filtered entries to .jsonl or .csv (s)", self.action_save)
        yield SystemCommand("Copy entry", "Copy the selected entry as JSON (y)", self.action_copy_entry)
        yield SystemCommand("Clear status filter", "Show every status (0)", self.action_clear_status)
        if isinstance(self.source, SupermetricsSource) and self.feed.client is not None:
            yield SystemCommand("Choose connector", "Read another connector of the team (c)",
                                self.action_choose_connector)
        yield SystemCommand("Histogram", "Show or hide the volume over time; pick a bar to narrow the dates (h)",
                            self.action_toggle_histogram)
        yield SystemCommand("Stats", "Per tool/credential/event numbers and error groups; Enter filters (i)",
                            self.action_toggle_stats)
        yield SystemCommand("Clear stats filters", "Lift the filters picked in the stats panel (x)",
                            self.action_clear_pattern_filters)
        yield SystemCommand("Columns", "Choose the table's columns, fields found in the data too (f)",
                            self.action_pick_columns)
        yield from self.saved_filter_commands()
        yield SystemCommand("Keys", "Show every key (?)", self.action_help)
