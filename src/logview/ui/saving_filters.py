"""Saving the current filters under a name and recalling them, from the command palette.

A mixin of `ViewerScreen`. What is saved is the filters applied — the time range as typed, so a
saved `24h` means the last 24 hours whenever it is recalled — plus the filters picked elsewhere
(credential/event, the stats panel's tool and error group, the search).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from textual.app import SystemCommand

from logview.settings.saved_filters import SavedFilter, SavedFilters, SavedFiltersError, check_name
from logview.times import TimeParseError
from logview.ui.filtering import time_inputs
from logview.ui.screens.name_dialog import NameDialog

if TYPE_CHECKING:
    from logview.ui.viewer import ViewerScreen

    _Base = ViewerScreen
else:
    _Base = object


class SavedFiltersMixin(_Base):
    """Palette commands: save the filters as…, recall one, forget one."""

    def init_saved_filters_state(self, saved: SavedFilters | None = None) -> None:
        self.saved_filters = saved or SavedFilters()

    def current_filters_for_saving(self) -> SavedFilter:
        """The filters applied (not text typed in a field and never submitted), times as typed."""
        filters = self.filters
        since, until = time_inputs(filters)
        return SavedFilter(
            statuses=filters.statuses,
            since=since, until=until,
            credential=filters.credential, event=filters.event, tool=filters.tool, error=filters.error,
            search=filters.search,
        )

    def action_save_filters(self) -> None:
        self.app.push_screen(NameDialog("Save the current filters", f"Recall them from the command palette "
                                    f"(ctrl+p) in any {self.source.kind} view.", check_name,
                                    replacing=self._replacing_saved_filters),
                         self._save_filters_as)

    def _replacing_saved_filters(self, name: str) -> str | None:
        """The question to ask before saving over filters of the same name, if there are any."""
        try:
            taken = self.saved_filters.get(self.source.kind, name) is not None
        except SavedFiltersError:
            return None  # saving reports the unreadable file
        return f"Saved filters “{name}” already exist. Replace them with the current filters?" if taken else None

    def _save_filters_as(self, name: str | None) -> None:
        if name is None:
            return
        try:
            self.saved_filters.save(self.source.kind, name, self.current_filters_for_saving())
        except SavedFiltersError as error:
            self.notify(str(error), severity="error", timeout=6, markup=False)
            return
        self.notify(f"Saved the filters as “{name}”.", timeout=3, markup=False)

    def recall_filters(self, name: str) -> None:
        try:
            saved = self.saved_filters.get(self.source.kind, name)
        except SavedFiltersError as error:
            self.notify(str(error), severity="error", timeout=6, markup=False)
            return
        if saved is None:
            self.notify(f"No saved filters “{name}”.", timeout=3, markup=False)
            return
        try:
            timed = self.filters.with_time_range(saved.since, saved.until)
        except TimeParseError as error:
            self.notify(f"“{name}” has a time range that no longer parses: {error}", severity="error",
                        timeout=6, markup=False)
            return
        options = set(self.status_options)
        self.sidebar.show_time_error("")
        self.sidebar.show_time_inputs(*time_inputs(timed))
        self.apply_filters(timed.model_copy(update={
            "statuses": tuple(s for s in saved.statuses if s in options), "credential": saved.credential,
            "event": saved.event, "tool": saved.tool, "error": saved.error, "search": saved.search}))
        self.notify(f"Filters “{name}” applied.", timeout=2, markup=False)

    def forget_filters(self, name: str) -> None:
        try:
            forgotten = self.saved_filters.delete(self.source.kind, name)
        except SavedFiltersError as error:
            self.notify(str(error), severity="error", timeout=6, markup=False)
            return
        self.notify(f"Forgot the saved filters “{name}”." if forgotten else f"No saved filters “{name}”.",
                    timeout=3, markup=False)

    def saved_filter_commands(self) -> Iterator[SystemCommand]:
        yield SystemCommand("Save filters as…", "Keep the current filters under a name, to recall them later",
                            self.action_save_filters)
        try:
            names = self.saved_filters.names(self.source.kind)
        except SavedFiltersError:
            names = []
        for name in names:
            yield SystemCommand(f"Filters: {name}", "Apply these saved filters",
                                lambda name=name: self.recall_filters(name))
        for name in names:
            yield SystemCommand(f"Forget filters: {name}", "Delete these saved filters",
                                lambda name=name: self.forget_filters(name))
