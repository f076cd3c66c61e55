"""One viewer: the layout, the keys (their table: `viewer_keys.py`), and the wiring of the parts.

Who does what: the `ViewerSession` (no Textual) holds the source, store, view, filters and the
loading state; the `Feed` loads in workers and takes what it finds into the session; `Names`
picks the connector and names credentials; the sidebar posts the filters the user asks for; the
`LogBrowser` holds the table, the detail pane and the panels, which compute for themselves. This
screen passes state down to them, applies filters, and redraws after their messages. The merged
timeline is a screen of its own kind (`merged.py`).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widget import Widget

from logview.files.lines import LineFile
from logview.model import Filters, LogEntry, SourceKind
from logview.options import ViewerOptions
from logview.session import ViewerSession
from logview.settings.column_choice import ColumnChoice
from logview.settings.saved_filters import SavedFilters
from logview.sources import SupermetricsSource
from logview.sources.base import Source
from logview.ui.api_mix import ApiMixNote
from logview.ui.browser import LogBrowser
from logview.ui.columns import ColumnControl
from logview.ui.feed import Feed
from logview.ui.file_api import file_now
from logview.ui.fitting import FittingScreen
from logview.ui.loading import NO_TAIL, LoadControl
from logview.ui.names import LISTING, Names, connector_label
from logview.ui.saving_filters import SavedFilterCommands
from logview.ui.viewer_keys import VIEWER_KEYS, key_allowed, key_commands
from logview.ui.bulk_gc import release_startup_hold
from logview.ui.widgets.error_banner import ErrorBanner
from logview.ui.widgets.key_footer import KeyFooter
from logview.ui.widgets.log_table import LogTable
from logview.ui.widgets.sidebar import FilterSidebar
from logview.ui.widgets.status_bar import StatusBar, StatusInfo
from logview.ui.widgets.tab_strip import TabStrip

if TYPE_CHECKING:
    from logview.api.types import RetryPolicy
    from logview.session.status_inputs import Trouble
    from logview.archive import Archive
    from logview.ui.saves import Saves

REFRESH_EVERY_S = 0.1


class ViewerScreen(FittingScreen):
    """Browse one source's execution logs: filter, read, tail, save. The app shows one per
    source it was opened on (tabs); each keeps loading while another is shown."""

    BINDINGS = VIEWER_KEYS  # (viewer_keys.py)

    def __init__(self, options: ViewerOptions, *, policy: RetryPolicy | None = None,
                 source: Source | None = None, file_kind: SourceKind | None = None,
                 saved_filters: SavedFilters | None = None, column_choice: ColumnChoice | None = None,
                 tabs: list[str] | None = None, tab: int = 0, session: ViewerSession | None = None,
                 archive: Archive | None = None, saves: Saves) -> None:
        """`source`/`file_kind`: what a file holds; `tabs`: every tab's label when the app shows several
        sources, `tab` this one's; `session`: a ready one (the merged timeline's); `saves`: the app's."""
        super().__init__()
        self.options, self.saves = options, saves
        if options.connection is not None:
            source, self.label = options.connection.source, options.connection.label
        elif options.file is not None:
            self.label = f"file {options.file.name}"
        if session is None:
            assert source is not None
            lines = LineFile(options.file) if options.connection is None and options.file is not None else None
            session = ViewerSession(source, options.filters, max_entries=options.max_entries,
                                    interval_s=options.interval_s, lines=lines,
                                    file_mode=options.connection is None, follow=options.follow)
        self.session = session
        self.source, self.store, self.view = session.source, session.store, session.view
        self.feed = Feed(session, connection=options.connection, file=options.file, file_kind=file_kind,
                         max_entries=options.max_entries, interval_s=options.interval_s, policy=policy,
                         archive=archive)
        self.names = Names(self.source, self.feed.api, archive)
        # Held directly (not queried): timers and late worker messages may still arrive while
        # the app shuts down, when a query would find nothing.
        self.tab_strip = TabStrip(tabs, tab, id="tabs") if tabs else None
        self.status_bar = StatusBar(id="status")
        self.sidebar = FilterSidebar(session.status_options, session.facet, session.where, id="sidebar")
        self.sidebar.counts_shown = self._counts_shown
        self.browser = LogBrowser(session, id="main")
        self.banner, self.table = self.browser.banner, self.browser.table
        self.banner.refused = options.connection.refused if options.connection else None  # (a 401 names its variable)
        self.loader = LoadControl(session, self.feed, self.table, self.banner, notify=self.notify, names=self.names)
        self.columns = ColumnControl(self.source.kind, column_choice or ColumnChoice(), self.table)
        self.saved = SavedFilterCommands(saved_filters or SavedFilters(), session, self, apply=self.apply_filters,
                                         notify=self.notify, labels=self.sidebar.value_labels)
        self._refresh_timer: Timer | None = None

    @property
    def filters(self) -> Filters:
        return self.session.filters

    def selected_entry(self) -> LogEntry | None:
        return self.browser.selected_entry()

    # -- layout ---------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        if self.tab_strip is not None:
            yield self.tab_strip
        yield self.status_bar
        with Horizontal(id="body"):
            yield self.sidebar
            yield self.browser
        yield KeyFooter()
        yield self.feed
        yield self.names

    def on_mount(self) -> None:
        warning = self.columns.apply_saved()
        if warning:
            self.notify(warning, severity="warning", timeout=6, markup=False)
        self.sidebar.show_filters(self.filters)
        if self.focused is None:  # (AUTO_FOCUS gave the table its focus; a deferred `focus()` here
            self.focus_now(self.table)  # took it back from a field `/` had opened with keys typed ahead)
        self.start()
        self.set_interval(1.0, self.tick)
        self.refresh_all()
        self.call_after_refresh(self.painted)  # (at the latest: the app says so at its first frame)

    def painted(self) -> None:
        """The first paint is done (a file's first rows, or the newest archived, are in it): said once."""
        if self.feed.first_paint_said():  # (the app's first frame of it, or the refresh after it mounted)
            release_startup_hold()
            self.feed.painted()

    def start(self) -> None:
        """Load, or first ask which connector to load."""
        self.names.recall_credentials()  # (kept from an earlier launch: shown before any request)
        if self.session.needs_connector:
            self.names.choose_connector()
        else:
            self.start_loading(clear_now=True)

    async def on_unmount(self) -> None:
        await self.feed.aclose()
        self.store.close()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_tail" and self.feed.file_mode and not self.session.merged:
            return False  # (a file has no tail: not offered in the footer)
        if action == "choose_connector" and not self.offers_connectors:
            return False  # (offered only where there are connectors: `c` then says why, `no_connector`)
        return key_allowed(self, action)

    @property
    def offers_connectors(self) -> bool:
        return isinstance(self.source, SupermetricsSource) and self.feed.api is not None

    def focus_now(self, widget: Widget) -> None:
        """Move focus before the next key is handled (`Widget.focus` waits a cycle: keys after `/` reached the table)."""
        self.set_focus(widget)

    # -- loading (the feed has taken each message into the session before it comes here) ---
    def start_loading(self, *, clear_now: bool) -> None:
        self.names.give_way()  # (a listing queued for the budget before this query goes after its first page)
        self.loader.start(clear_now=clear_now)
        self.refresh_all()

    @on(Feed.Loaded)
    def _loaded(self, message: Feed.Loaded) -> None:
        self.names.query_answered()  # (a connector listing it went before)
        if message.live:
            self.banner.clear("tail", "retry")
        else:
            # Entries are acyclic JSON: refcounting frees them, so take them out of the cyclic collector's sight.
            # Otherwise every full collection walks them all (~100 ms per 100k entries): the UI stutters.
            gc.freeze()
            self.banner.clear("error", "retry", "waiting")
        self.table.apply_change(message.change)
        if self.session.want_tail and not self.feed.tailing:
            self.feed.start_tail()
        self.refresh_all()

    @on(Feed.LinesFound)
    @on(Feed.ColumnsRead)
    @on(Feed.EntriesArchived)  # (rows holding an id's older answer went)
    def _rows_read(self, message: Feed.LinesFound | Feed.ColumnsRead | Feed.EntriesArchived) -> None:
        self.loader.rows_read(message.change)
        self.refresh_soon()

    @on(Feed.Retrying)
    def _retrying(self, message: Feed.Retrying) -> None:
        self.banner.show_retry(message.event, context=message.context)
        self.refresh_status()

    @on(Feed.Noticed)
    def _noticed(self, message: Feed.Noticed) -> None:
        self.loader.show_notice(message.notice)
        self.browser.noticed(message.notice)
        self.refresh_status()

    @on(Feed.Finished)
    def _finished(self, message: Feed.Finished) -> None:
        self.loader.rows_read(message.change, finished=True)
        self.banner.clear("retry", "waiting")
        self.names.name_credentials(lambda: self.store.facet_values("credential"))
        if self.options.names_archive is not None:
            self.names.name_from_archive(self.options.names_archive)
        ApiMixNote(self, self.banner).file_read(self.options.file, self.source.kind, self.store)
        self.refresh_all()

    @on(Feed.Failed)
    def _failed(self, message: Feed.Failed) -> None:
        self.names.query_answered()
        self.loader.show_failure(message.error, message.gave_up, tabbed=self.tab_strip is not None)
        self.refresh_all()

    @on(Feed.TailFailed)
    def _tail_failed(self, message: Feed.TailFailed) -> None:
        self.banner.clear("retry")
        self.loader.tail_failed(message.error, message.next_poll_s)
        self.refresh_status()

    # -- names ----------------------------------------------------------------------------
    @on(Names.ConnectorChosen)
    def _connector_chosen(self, message: Names.ConnectorChosen) -> None:
        if isinstance(self.source, SupermetricsSource):
            self.label = connector_label(self.label, self.source, message.identifier)
        self.start_loading(clear_now=True)

    @on(Names.ConnectorsListed)
    def _connectors_listed(self) -> None:
        self.banner.clear_retry(LISTING)  # (a 429's countdown, now over)
        self.refresh_all()

    @on(Names.NoConnector)
    def _no_connector(self, message: Names.NoConnector) -> None:
        if message.error is not None:
            self.session.phase = "error"
            self.banner.show_failure(message.error, context=LISTING, gave_up=message.gave_up, hint="r or c asks again")
        elif self.session.needs_connector:
            self.session.phase = "cancelled"
        self.refresh_all()

    @on(Names.CredentialsNamed)
    def _credentials_named(self, message: Names.CredentialsNamed) -> None:
        self.browser.name_credentials(message.labels, message.notes)
        self.sidebar.set_facet_labels(message.labels)
        self.refresh_all()

    # -- filters --------------------------------------------------------------------------
    def apply_filters(self, new: Filters) -> None:
        """Re-query when a server-side filter changed, otherwise re-index the loaded rows."""
        decision = self.session.change_filters(new)
        if decision == "same":
            return
        self.sidebar.show_filters(new)
        if decision == "requery":
            self.start_loading(clear_now=True)
        else:
            self.browser.refilter()
        self.refresh_all()
        self.browser.rows_changed(now=True)  # the user asked: no throttling delay

    def _counts_shown(self) -> None:  # (the header and the panels say the sidebar's count, s21 #6)
        self.refresh_status()
        self.browser.rows_changed(now=True)

    @on(FilterSidebar.FiltersChanged)
    def _sidebar_changed(self, event: FilterSidebar.FiltersChanged) -> None:
        if event.done:
            self.focus_now(self.table)
        self.apply_filters(event.filters)

    @on(FilterSidebar.EnterTyped)
    def _enter_typed(self) -> None:
        if self.focused is self.table:  # (`/gmail⏎⏎` in one burst: the first match's detail)
            self.table.action_activate()

    @on(StatusBar.NewRowsClicked)
    def _new_rows_clicked(self) -> None:
        self.table.action_first()

    @on(LogBrowser.FiltersWanted)
    def _browser_wants(self, event: LogBrowser.FiltersWanted) -> None:
        self.apply_filters(event.filters)

    # -- what the user sees ---------------------------------------------------------------
    def trouble(self) -> Trouble | None:
        """What is wrong with this source now (its tab is marked, the merged tab says it)."""
        return self.session.trouble(self.loader.waits())

    def tick(self) -> None:
        """Every second: the countdowns in the status line, and a relative range moved on."""
        if self.session.slide_time():
            self.browser.refilter(asked=False)
            self.refresh_all()
        elif not len(self.view):  # (its message may count down a wait)
            self.show_empty_message()
        self.banner.redraw_countdowns()
        self.refresh_status()

    @on(ErrorBanner.Ticked)
    @on(LogTable.FollowChanged)
    @on(Feed.ArchiveCaughtUp)  # ("archiving …" said no more)
    def refresh_status(self) -> None:
        if not self.status_bar.is_attached:  # a last timer tick while the app closes
            return
        self.status_bar.show(StatusInfo.of(self.label, self.loader.state(), shown=self.session.shown_counted(),
                                           loaded=len(self.store), total=self.session.total, new_rows=self.table.new_rows,
                                           newer=self.table.newer_unseen, saving=self.saves.saving_words()))

    def refresh_soon(self) -> None:
        """`refresh_all` at most every REFRESH_EVERY_S: a file's chunks arrive faster than a
        person reads counts, and each refresh costs the UI thread time it needs for keys."""
        if self._refresh_timer is None:
            self._refresh_timer = self.set_timer(REFRESH_EVERY_S, self._refresh_now)

    def _refresh_now(self) -> None:
        self._refresh_timer = None
        self.refresh_all()

    @on(LogBrowser.Searched)
    def refresh_all(self) -> None:
        """Counts, facet values, empty-table message, status line and panels after any change."""
        if not self.sidebar.is_attached:
            return
        self.sidebar.show_session(self.session)
        self.show_empty_message()
        self.refresh_status()
        self.browser.rows_changed()

    def show_empty_message(self) -> None:
        self.table.empty_message = self.session.empty_message(self.names.connector_message, *self.loader.budget_now())
        if not len(self.view):
            self.table.refresh()

    # -- keys -----------------------------------------------------------------------------
    def action_browser(self, action: str, *arguments: object) -> None:
        """A key of the table's area (e E h i x y): the browser acts, wherever the focus is."""
        getattr(self.browser, f"action_{action}")(*arguments)

    def action_quit_viewer(self) -> None:
        self.saves.ask_to_quit()

    def action_help(self) -> None:
        from logview.ui.screens.help import HelpScreen  # (dialogs load when asked for, not at start-up)
        if not isinstance(self.app.screen, HelpScreen):
            # (the keys that do nothing here dimmed: a key the app offers, `[ ]`, the app's to say)
            self.app.push_screen(HelpScreen(lambda action: (self.app if action == "switch_tab" else self).check_action(
                action, ()) is not False))

    def action_reload(self) -> None:
        if self.session.needs_connector:  # nothing to load yet: ask for the connector list again
            self.action_choose_connector()
        elif (now := file_now(self.feed.file, self.feed.file_kind, self.filters)) is not None:
            now.act(self, slot="file")  # (the app makes the viewer again for another API's file; a JSON array, said)
        else:
            self.names.give_way()
            self.loader.reload()
            self.refresh_all()

    def action_toggle_tail(self) -> None:
        self.loader.toggle_tail()
        self.refresh_status()

    def action_no_tail(self) -> None:
        self.notify(NO_TAIL, timeout=3, markup=False)

    def action_toggle_status(self, index: int) -> None:
        options = self.session.status_options
        if not 0 <= index < len(options):
            self.notify(f"No status option {index + 1}: the options are 1–{len(options)} (0 clears them).",
                        timeout=2, markup=False)
            return
        self.apply_filters(self.session.with_status_toggled(index))

    def action_clear_status(self) -> None:
        self.apply_filters(self.filters.model_copy(update={"statuses": ()}))

    def action_no_connector(self) -> None:
        self.action_choose_connector()

    def action_choose_connector(self) -> None:
        """c: pick another Supermetrics connector (or, `no_connector`, say why there is none to pick)."""
        if why_not := self.names.choose_connector():
            self.notify(why_not, timeout=3, markup=False)

    def action_pick_columns(self) -> None:
        """f: choose the table's columns, among the source's and the fields found in the data."""
        self.app.push_screen(self.columns.picker(self.store), self._columns_picked)

    def _columns_picked(self, keys: list[str] | None) -> None:
        if warning := self.columns.picked(keys):
            self.notify(warning, severity="warning", timeout=6, markup=False)

    def action_save(self) -> None:
        self.saves.ask_where(self, self.session, lambda: self.session.save_note(self.loader.waits()), self.feed.file_watch)

    def action_escape(self) -> None:
        """Esc: leave an input (`leave_field`) or a panel, else close the detail, else stop a search, a retry wait
        or a paced backfill, else fold the banner's messages and hide the toasts (the welcome went only with a click)."""
        if self.leave_field() or self.browser.close_something() or self.stop_search():
            return
        if self.loader.stop_waiting():
            self.refresh_all()
            return
        self.banner.fold()
        self.app.clear_notifications()

    def system_commands(self) -> Iterator[SystemCommand]:
        """This viewer's commands in the palette (the app adds them to its own)."""
        yield from key_commands(self, self.browser, connectors=self.offers_connectors)
        yield from self.saved.commands()
        yield SystemCommand("Keys", "Show every key (?)", self.action_help)
