"""Saving the current filters under a name and recalling them, from the command palette.

What is saved is the filters applied — the time range as typed, so a saved `24h` means the last
24 hours whenever it is recalled — plus the filters picked elsewhere (credential/event, the stats
panel's tool and error group, the search).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from textual.app import SystemCommand
from textual.screen import Screen

from logview.model import Filters
from logview.session.filtering import time_inputs
from logview.session.summary import filter_parts
from logview.session.viewer_session import ViewerSession
from logview.settings.saved_filters import SavedFilter, SavedFilters, SavedFiltersError, check_name
from logview.times import TimeParseError

Notify = Callable[..., None]


class SavedFilterCommands:
    """The palette's commands: save the filters as…, recall one, forget one. `apply` is how the
    viewer takes filters (the sidebar follows); `notify` how it tells the user; `labels` what the
    filters' values are shown as (credential ids by their names)."""

    def __init__(self, saved: SavedFilters, session: ViewerSession, screen: Screen, *,
                 apply: Callable[[Filters], None], notify: Notify,
                 labels: Callable[[], Mapping[str, Mapping[str, str]]] = dict) -> None:
        self.saved, self.session, self.screen = saved, session, screen
        self._apply, self._notify, self._labels = apply, notify, labels

    @property
    def kind(self) -> str:
        return self.session.source.kind

    def current(self) -> SavedFilter:
        """The filters applied (not text typed in a field and never submitted), times as typed."""
        filters = self.session.filters
        since, until = time_inputs(filters)
        return SavedFilter(statuses=filters.statuses, since=since, until=until, credential=filters.credential,
                           event=filters.event, tool=filters.tool, error=filters.error, search=filters.search)

    def save_as(self) -> None:
        from logview.ui.screens.name_dialog import NameDialog  # (dialogs load when asked for)

        self.screen.app.push_screen(NameDialog("Save the current filters", f"Recall them from the command palette "
                                               f"(ctrl+p) in any {self.kind} view.", check_name,
                                               replacing=self._replacing, detail=self.described()),
                                    self._save)

    def described(self) -> str:
        """The filters saved, as the summary line says them (`status 4xx,5xx · since 1h`): the name
        is all the user types, and they saved blind (s28 walk #12)."""
        saved = self.session.filters.model_copy(update={"origin": None})  # (the merged tab's own: not saved)
        parts = filter_parts(saved, self._labels())
        return " · ".join(f"{name} {value}" for name, value in parts) or "no filters: every entry"

    def _replacing(self, name: str) -> str | None:
        """The question to ask before saving over filters of the same name, if there are any."""
        try:
            taken = self.saved.get(self.kind, name) is not None
        except SavedFiltersError:
            return None  # saving reports the unreadable file
        return f"Saved filters “{name}” already exist. Replace them with the current filters?" if taken else None

    def _save(self, name: str | None) -> None:
        if name is None:
            return
        try:
            self.saved.save(self.kind, name, self.current())
        except SavedFiltersError as error:
            self._notify(str(error), severity="error", timeout=6, markup=False)
            return
        self._notify(f"Saved the filters as “{name}”.", timeout=3, markup=False)

    def recall(self, name: str) -> None:
        try:
            saved = self.saved.get(self.kind, name)
        except SavedFiltersError as error:
            self._notify(str(error), severity="error", timeout=6, markup=False)
            return
        if saved is None:
            self._notify(f"No saved filters “{name}”.", timeout=3, markup=False)
            return
        try:
            timed = self.session.filters.with_time_range(saved.since, saved.until)
        except TimeParseError as error:
            self._notify(f"“{name}” has a time range that no longer parses: {error}", severity="error",
                         timeout=6, markup=False)
            return
        options = set(self.session.status_options)
        self._apply(timed.model_copy(update={
            "statuses": tuple(s for s in saved.statuses if s in options), "credential": saved.credential,
            "event": saved.event, "tool": saved.tool, "error": saved.error, "search": saved.search}))
        self._notify(f"Filters “{name}” applied.", timeout=2, markup=False)

    def forget(self, name: str) -> None:
        try:
            forgotten = self.saved.delete(self.kind, name)
        except SavedFiltersError as error:
            self._notify(str(error), severity="error", timeout=6, markup=False)
            return
        self._notify(f"Forgot the saved filters “{name}”." if forgotten else f"No saved filters “{name}”.",
                     timeout=3, markup=False)

    def commands(self) -> Iterator[SystemCommand]:
        yield SystemCommand("Save filters as…", "Keep the current filters under a name, to recall them later",
                            self.save_as)
        try:
            names = self.saved.names(self.kind)
        except SavedFiltersError:
            names = []
        for name in names:
            yield SystemCommand(f"Filters: {name}", "Apply these saved filters", lambda name=name: self.recall(name))
        for name in names:
            yield SystemCommand(f"Forget filters: {name}", "Delete these saved filters",
                                lambda name=name: self.forget(name))
