"""How a viewer fits its terminal: the sidebar folds away on a narrow screen, the detail covers
the table on a short one, and every change of size is taken live.

The `.tcss` does the layout from the classes set here on the screen: `-narrow` (below
SIDEBAR_FOLDS_BELOW columns: the sidebar starts hidden; shown, it takes its place beside the
table, whose time and status stay in view), `-drawer` (below SIDEBAR_COVERS_BELOW: too narrow for
both, the sidebar is a drawer over the table), `-folded` (the
sidebar is hidden and the one-line filter summary shown instead), `-short` (below
DETAIL_COVERS_BELOW lines: the detail opens over the whole table); the browser's `-histogram-alone`
(below `HISTOGRAM_ALONE_BELOW` lines: the histogram open takes the table's place). `b` shows or hides the sidebar
at any size, and its choice holds as the size changes (a sidebar shown folds where it would become a drawer);
`/` and `d` open it for as long as their field has the focus.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import events, on
from textual.geometry import Size
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input

from logview.model import Filters
from logview.ui.browser import LogBrowser
from logview.ui.panel_room import BOTH_PANELS_FROM
from logview.ui.textual_internals import laid_out_size
from logview.ui.widgets.sidebar import FilterSidebar

SIDEBAR_FOLDS_BELOW = 120  # columns: below, the table takes the whole width
SIDEBAR_COVERS_BELOW = 80  # columns: below, the sidebar shown covers the table's left part
DETAIL_COVERS_BELOW = 30  # lines: below, the detail opens over the table instead of beside it
WIDE_FROM = 200  # columns: from here the detail opens to the right of the table
# columns: below, with the sidebar shown, the stats panel goes above the table, not beside it (the
# sidebar's 31 and the panel's 64 would leave the table its time column alone)
STATS_BESIDE_FROM = 150


class FittingScreen(Screen[None]):
    """The base of a viewer's screen: the layout classes, the sidebar's key and its fields' keys.
    The viewer provides `sidebar` and `browser`."""

    AUTO_FOCUS = "LogTable"  # not the first input of the sidebar (which scrolled the sidebar to it)

    sidebar: FilterSidebar
    browser: LogBrowser
    filters: Filters  # the viewer's, in force, and how it applies others (a search cleared by Esc)
    apply_filters: Callable[[Filters], None]

    # the browser's panels and detail pane (each made when first wanted: `LogBrowser`)
    detail = property(lambda self: self.browser.detail)
    histogram = property(lambda self: self.browser.histogram)
    stats = property(lambda self: self.browser.stats)

    def __init__(self) -> None:
        super().__init__()
        self._narrow: bool | None = None
        self._drawer: bool | None = None  # (below SIDEBAR_COVERS_BELOW)
        self._sidebar_wanted: bool | None = None  # the user's choice (`b`), None: as the width has it
        self._peeking = False  # shown only while one of its fields has the focus (`/`, `d`)
        self._resumed_once = False
        self._fitted_to: Size | None = None  # the size `on_resize` last fitted the screen to
        self.came_from: Widget | None = None  # what had the focus before `/` or `d` (Esc goes back to it)

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # Runs before Textual's own handler (`Screen._on_screen_resume`), which restyles every
        # node when a screen is shown. The first time, every node was styled as it mounted a
        # moment ago: restyling them again cost ~50 ms of a big file's first paint (~140 nodes
        # with their component classes). Later resumes (back from a dialog, another tab) restyle.
        if not self._resumed_once:
            self._resumed_once = True
            event.refresh_styles = False
            # Fitted to the terminal before Textual's first layout of the screen (its handler, next):
            # the Resize that layout sends the screen is then one it is fitted and laid out at, let
            # go. Fitted at that Resize, it cost a second layout and paint (12–17 ms) just after a
            # big file's first rows, while its lines waited to be taken.
            self._fit(self.app.size)

    def on_mount(self) -> None:
        self.watch(self, "focused", self._focus_moved, init=False)
        self.sidebar.summary = self.browser.filter_line
        self.sidebar.show_filters(self.sidebar.filters)

    def on_resize(self, event: events.Resize) -> None:
        # Runs before Textual's own handler (`Screen._on_resize`), which lays out and repaints the
        # whole screen. A launch sends the screen its size twice, from Textual's first layout of it
        # and again when the app takes the terminal's: the screen is fitted before that layout
        # (`_on_screen_resume`), so neither changes anything (each ~15–50 ms of layout and paint
        # just after a big file's first rows). A size the screen is fitted to and laid out at (both:
        # the compositor's size too, should Textual lay a screen out some other way) is let go.
        if event.size == self._fitted_to and event.size == laid_out_size(self):
            event.prevent_default()
            event.stop()
            return
        self._fit(event.size)

    def _fit(self, size: Size) -> None:
        self._fitted_to = size
        width, height = size
        narrow, drawer = width < SIDEBAR_FOLDS_BELOW, width < SIDEBAR_COVERS_BELOW
        # b's choice holds at any width (it was dropped at each crossing of 120 columns: hidden at 130, the sidebar
        # came back after a resize to 100 and back, found by a tester), but for a sidebar shown beside the table
        # at a width where it would now cover it (a drawer): that one folds, as the width has it
        if drawer and not self._drawer and self._sidebar_wanted:
            self._sidebar_wanted = None
        self._narrow, self._drawer = narrow, drawer
        self.set_class(narrow, "-narrow")
        self.set_class(drawer, "-drawer")
        self.set_class(height < DETAIL_COVERS_BELOW, "-short")
        self.browser.set_class(width >= WIDE_FROM, "-wide")
        self.browser.banner.fit(height)  # (its messages fold on a small screen)
        self._fold(width)
        self.browser.histogram_turns(height)

    @property
    def sidebar_folded(self) -> bool:
        return self.has_class("-folded")

    def _fold(self, width: int | None = None) -> None:
        """`width`: the screen's, when it is not yet laid out at it."""
        shown = self._sidebar_wanted if self._sidebar_wanted is not None else not self._narrow
        folded = not shown and not self._peeking
        if folded and self.focused is not None and self.sidebar in self.focused.ancestors:
            self.set_focus(self.browser.table)  # nothing hidden keeps the focus
        self.set_class(folded, "-folded")
        width = self.size.width if width is None else width
        self.set_class(not folded and width < STATS_BESIDE_FROM, "-stats-above")
        self._one_panel_when_crowded()

    def _one_panel_when_crowded(self) -> None:
        """Panels stacked above the table on a short screen take turns, as `h` and `i` open them:
        both opened wide stayed when the terminal shrank, the table got no row, and a histogram
        squeezed out of sight kept the focus (Enter narrowed the dates to a bar never shown; found
        in a walk). The focused one stays (else the histogram, the smaller)."""
        browser = self.browser
        stacked = self.has_class("-narrow") or self.has_class("-stats-above")
        if browser.shown("histogram") and browser.shown("stats") and stacked and self.size.height < BOTH_PANELS_FROM:
            (browser.histogram if self.focused is browser.stats else browser.stats).display = False

    def action_toggle_sidebar(self) -> None:
        """b: show or hide the filter sidebar (whatever the size)."""
        self._sidebar_wanted = self.sidebar_folded
        self._peeking = False
        self._fold()
        if self._sidebar_wanted:  # (from its top: at 40×10 it showed the middle, where a / had left it, a walk)
            self.sidebar.scroll_home(animate=False)

    def action_focus_search(self) -> None:
        self._open_field("#search")

    def action_focus_dates(self) -> None:
        self._open_field("#since")

    def _open_field(self, selector: str) -> None:
        """Focus a field of the sidebar, showing the sidebar while the field has the focus."""
        if self.sidebar_folded:
            self._peeking = True
            self._fold()
        field = self.sidebar.query_one(selector, Input)
        if self.focused is not None and self.sidebar not in self.focused.ancestors:
            self.came_from = self.focused
        self.set_focus(field)
        # once laid out: a sidebar shown just now has no sizes yet, and a short one stayed at its top,
        # the field typed into below it (found in a walk at 60×15)
        self.call_after_refresh(self.sidebar.scroll_to_widget, field, animate=False)

    def leave_field(self) -> bool:
        """Esc in the sidebar: leave it for where the focus came from (the search cleared, the
        dates in force shown again); False when the focus is not there."""
        focused = self.focused
        if not (isinstance(focused, Input) or (focused is not None and self.sidebar in focused.ancestors)):
            return False
        if isinstance(focused, Input) and focused.id == "search":
            focused.value = ""
            self.apply_filters(self.filters.model_copy(update={"search": None}))
        elif isinstance(focused, Input) and focused.id in ("since", "until"):
            self.sidebar.show_time_range(self.filters)  # text typed but never applied is dropped
        back, self.came_from = self.came_from, None  # (the detail the user was reading, say; else the table)
        self.set_focus(back if back is not None and back.is_attached and back.focusable else self.browser.table)
        return True

    def stop_search(self) -> bool:
        """Esc wherever the focus is, while a search runs (a big file's takes seconds): stopped and
        cleared, as Esc in the search field does (the table's focus let it run on, s27 walk #5)."""
        if not self.browser.session.searching:
            return False
        self.apply_filters(self.filters.model_copy(update={"search": None}))
        return True

    @on(LogBrowser.SearchFailed)
    def _search_failed(self, message: LogBrowser.SearchFailed) -> None:
        """A search that raised in its thread: cleared as Esc clears it, and said (it said 'searching …' for good)."""
        if self.stop_search():
            self.notify(f"The search failed ({message.error}: a fault in logview, please report it) and was cleared.",
                        severity="error", timeout=8, markup=False)

    def _focus_moved(self, focused: Widget | None) -> None:
        if self._peeking and (focused is None or self.sidebar not in focused.ancestors):
            self._peeking = False
            self._fold()
