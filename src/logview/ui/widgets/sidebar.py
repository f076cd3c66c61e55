"""The filter sidebar: status options with live counts, time range, credential/event, search.

Each section says where its filter runs: `server` (the API applies it; changing it re-queries)
or `local` (applied to the loaded rows, instantly). The sidebar only reports what the user asked
for; the app decides what that means for the data.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Select, Static

from logview.model import Filters, severity
from logview.sanitize import clean_line
from logview.session import ViewerSession
from logview.session.filtering import selected_indices, time_inputs, toggle_status
from logview.times import TimeParseError
from logview.ui.cells import SEVERITY_CLASS
from logview.ui.widgets.fields import DateField, Field, FilterField
from logview.ui.widgets.filter_line import FilterLine
from logview.ui.widgets.styling import PartialStyles

FACET_LABELS = {"credential": "Credential", "event": "Event", "origin": "Source"}
PARTIAL_COUNTS_EVERY_S = 0.5


class SectionTitle(PartialStyles, Static):
    """A section heading with a `server`/`local` tag on the right."""

    COMPONENT_CLASSES = {"section-title--name", "section-title--server", "section-title--mixed",
                         "section-title--local"}

    def __init__(self, name: str, where: str | None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.title, self.where = name, where

    def render(self) -> Text:
        style = self._partial
        text = Text(self.title.upper(), style=style("section-title--name"), no_wrap=True)
        if self.where:
            tag = f" {self.where} "
            text.append(" " * max(1, self.size.width - text.cell_len - len(tag)))
            tag_class = {"server": "section-title--server", "mixed": "section-title--mixed"}.get(
                self.where, "section-title--local")
            text.append(tag, style=style(tag_class))
        return text


class StatusOption(PartialStyles, Static):
    """One status option: its key, whether it is selected, its name and its count."""

    COMPONENT_CLASSES = {"status-option--key", "status-option--on", "status-option--off",
                         "status-option--count", "status-option--ok", "status-option--info",
                         "status-option--warn", "status-option--error", "status-option--dim"}

    class Clicked(Message):
        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, index: int, name: str) -> None:
        super().__init__(classes="status-option")
        self.index, self.option = index, name
        self.selected = False
        self.count: int | None = None
        self.tooltip = f"press {index + 1} to toggle" if index < 9 else None

    def set_state(self, selected: bool, count: int | None) -> None:
        if (selected, count) != (self.selected, self.count):
            self.selected, self.count = selected, count
            self.set_class(selected, "-selected")
            self.refresh()

    def render(self) -> Text:
        style = self._partial
        key = str(self.index + 1) if self.index < 9 else " "
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f"{key} ", style=style("status-option--key"))
        text.append("● " if self.selected else "○ ", style=style("status-option--on" if self.selected
                                                                  else "status-option--off"))
        level = SEVERITY_CLASS[_option_severity(self.option)]
        text.append(clean_line(self.option), style=style(f"status-option--{level}"))
        count = "·" if self.count is None else f"{self.count:,}"
        text.append(" " * max(1, self.size.width - text.cell_len - len(count)))
        text.append(count, style=style("status-option--count"))
        return text

    def on_click(self) -> None:
        self.post_message(self.Clicked(self.index))


def _option_severity(option: str) -> int:
    if len(option) == 3 and option.endswith("xx") and option[0].isdigit():
        return severity(int(option[0]) * 100)
    return severity(option)


class FacetSelect(Select[str]):
    """The event (credential) dropdown, whose footer names Enter: focused, it showed the viewer's
    keys only, none of them its own (found in a walk)."""

    BINDINGS = [Binding("enter", "show_overlay", "Choose")]


class FilterSidebar(VerticalScroll):
    """Filters on the left. Shows the filters applied (`show_filters`); posts `FiltersChanged`
    with the filters the user asks for instead, once they make sense (a bad time is explained
    here and posts nothing)."""

    class EnterTyped(Message):
        """Enter typed ahead in a field, after the Enter that applied its filters: meant for the table."""

    class FiltersChanged(Message):
        def __init__(self, filters: Filters, *, done: bool) -> None:
            super().__init__()
            self.filters = filters
            # the user is done there (a field's Enter, a choice in the dropdown): the table takes the focus
            self.done = done

    def __init__(self, options: Sequence[str], facet: str, where: dict[str, str], *,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.options = tuple(options)
        self.facet = facet
        self.where = where
        self._facet_values: list[str] = []
        self._facet_labels: dict[str, str] = {}  # value → its name (credential ids)
        self._pattern_filters: list[tuple[str, str]] | None = None  # as last shown
        self.filters = Filters()  # as applied (`show_filters`): what a change starts from
        self._facet_count = 0
        self._note = ""  # the status note as shown
        self._partial_shown = 0.0  # when partial counts were last shown (monotonic)
        self._held: Timer | None = None  # shows the partial counts held back once their interval ends
        # called once counts held back are shown: the viewer's header and panels say the count too (s21 #6)
        self.counts_shown: Callable[[], None] = lambda: None
        self.can_focus = False
        self.summary: FilterLine | None = None  # the line that says the filters while this is folded

    def compose(self) -> ComposeResult:
        yield SectionTitle("Status", self.where.get("status"), id="status-title")
        for index, option in enumerate(self.options):
            yield StatusOption(index, option)
        yield Static(id="status-note", classes="note")
        since_where, until_where = self.where.get("since"), self.where.get("until")
        mixed = since_where != until_where
        yield SectionTitle("Time range", "mixed" if mixed else since_where, id="time-title")
        # (its text selected as d focuses it: `1h` typed over `1d` read `1d1h`, s25 walk)
        yield DateField(placeholder="since (e.g. 2h, 7d)", id="since", compact=True)
        yield DateField(placeholder="until (e.g. 2025-11-15)", id="until", compact=True)
        if mixed:
            yield Static(Text(f"since {since_where}, until {until_where}"), id="time-where", classes="note")
        yield Static(id="time-error", classes="note error")
        yield SectionTitle(FACET_LABELS[self.facet], self.where.get(self.facet), id="facet-title")
        yield FacetSelect([], prompt=f"any {FACET_LABELS[self.facet].lower()}", id="facet", compact=True)
        yield SectionTitle("Search", self.where.get("search"), id="search-title")
        yield FilterField(placeholder="search all fields", id="search", select_on_focus=False, compact=True)
        yield SectionTitle("From stats", "local", id="pattern-title")
        yield Static(id="pattern-filters", classes="note")
        yield Static(id="legend", classes="note")

    def on_mount(self) -> None:
        self.show_pattern_filters([])
        legend = Text(no_wrap=False)
        legend.append("server", style="bold")
        legend.append(" the API filters; changing it reloads.\n")
        legend.append("local", style="bold")
        legend.append(" filters the loaded rows instantly.")
        if "server" not in self.where.values():
            legend = Text("All filters run locally on the loaded rows.")
        self.query_one("#legend", Static).update(legend)

    # -- showing state --------------------------------------------------------------------
    def show_session(self, session: ViewerSession, *, held_back: bool = False) -> None:
        """The counts, the facet's values seen so far and the stats' filters, after any change.
        While a file's fields are still being read the counts are partial and change with every
        chunk: they are shown at most every PARTIAL_COUNTS_EVERY_S (repainting the options costs
        the UI thread time the reader and the keys need), and counts held back are shown when
        that interval ends, whether or not another change comes then (`held_back`: this is that
        moment); final counts are shown at once."""
        store = session.store
        partial = store.fields_read < len(store)
        now = time.monotonic()
        wait = PARTIAL_COUNTS_EVERY_S - (now - self._partial_shown)
        hold = partial and wait > 0 and not held_back
        moved = False  # (the count the header and the panels say moved on)
        if not hold:  # (the rows these counts cover: the header's 'N of M' and the 'to go' say them)
            before, session.fields_shown = session.fields_shown, store.fields_read if partial else None
            # (the last count too, as the read ends: the note went while the header said "reading
            # fields 97%" until its next refresh, a frame a loaded machine's test saw)
            moved = held_back or session.fields_shown != before
        counts = session.sidebar_counts()
        if hold:  # (the selection at once)
            self.show_counts([option.count for option in self.query(StatusOption)], counts.selected, counts.note)
            if self._held is None:
                self._held = self.set_timer(wait, lambda: self._show_held(session))
        else:
            if self._held is not None:
                self._held.stop()
                self._held = None
            self._partial_shown = now if partial else 0.0
            self.show_counts(counts.counts, counts.selected, counts.note)
        values = session.store.facet_values(self.facet)
        if len(values) != self._facet_count:  # values only come, never go: a count says it all
            self._facet_count = len(values)
            self.set_facet_values(values, getattr(session.filters, self.facet))
        self.show_pattern_filters(session.pattern_filters())
        if moved:  # (called, not posted: a message let a frame show the two counts apart)
            self.counts_shown()

    def _show_held(self, session: ViewerSession) -> None:
        self._held = None
        if self.is_attached:
            self.show_session(session, held_back=True)

    def show_filters(self, filters: Filters) -> None:
        """Reflect the applied filters (e.g. from the command line) in the inputs; the time
        fields show the range as typed (text typed but never applied goes)."""
        self.filters = filters
        if self.summary is not None:
            self.summary.show(filters, self.value_labels())
        selected = selected_indices(self.options, filters)
        self.show_time_range(filters)
        for option in self.query(StatusOption):
            option.set_state(option.index in selected, option.count)
        self.query_one("#search", Input).value = filters.search or ""
        facet_value = getattr(filters, self.facet)
        if facet_value is not None and facet_value not in self._facet_values:
            self.set_facet_values(self._facet_values + [facet_value], facet_value)
        else:
            self._select_facet(facet_value)

    def show_pattern_filters(self, filters: Sequence[tuple[str, str]]) -> None:
        """The tool / error-group filters picked in the stats panel (the section hides without)."""
        filters = list(filters)
        if filters == self._pattern_filters:
            return
        self._pattern_filters = filters
        self.query_one("#pattern-title").display = bool(filters)
        box = self.query_one("#pattern-filters", Static)
        box.display = bool(filters)
        text = Text(no_wrap=False)
        for field, value in filters:
            text.append(f"{field} ", style="bold")
            text.append(clean_line(value) + "\n")
        text.append("x lifts them", style="italic")
        box.update(text)

    def show_time_inputs(self, since: str, until: str) -> None:
        self.query_one("#since", Input).value = since
        self.query_one("#until", Input).value = until

    def show_counts(self, counts: Sequence[int | None], selected: set[int], note: str = "") -> None:
        for option in self.query(StatusOption):
            count = counts[option.index] if option.index < len(counts) else None
            option.set_state(option.index in selected, count)
        if note != self._note:  # (a new text of the same length wraps alike: no new layout)
            self.query_one("#status-note", Static).update(Text(note, no_wrap=False),
                                                          layout=len(note) != len(self._note))
            self._note = note

    def show_time_error(self, message: str) -> None:
        self.query_one("#time-error", Static).update(Text(clean_line(message)))

    def set_facet_values(self, values: Sequence[str], current: str | None) -> None:
        """Offer the credential ids / event names seen so far (and the active one)."""
        values = sorted(set(values) | ({current} if current else set()))
        if values == self._facet_values:
            self._select_facet(current)
            return
        self._facet_values = values
        self._set_facet_options(current)

    def value_labels(self) -> dict[str, dict[str, str]]:
        """Per filter, what its values are shown as (credential ids by their names), as the summary does."""
        return {self.facet: self._facet_labels}

    def set_facet_labels(self, labels: dict[str, str]) -> None:
        """Name the facet's values (credential ids) in the picker; the values stay the ids."""
        self._facet_labels = labels
        if self.summary is not None:
            self.summary.show(self.filters, self.value_labels())
        select = self.query_one("#facet", Select)
        self._set_facet_options(select.value if isinstance(select.value, str) else None)

    def _set_facet_options(self, current: str | None) -> None:
        def prompt(value: str) -> Text:
            label = self._facet_labels.get(value)
            text = Text(clean_line(label) if label else clean_line(value), no_wrap=True, overflow="ellipsis")
            return text

        def by_name(value: str) -> tuple[str, str]:  # (as the user reads them: by id, named ones were in no order)
            return (self._facet_labels.get(value) or value).casefold(), value

        select = self.query_one("#facet", Select)
        with select.prevent(Select.Changed):
            select.set_options((prompt(v), v) for v in sorted(self._facet_values, key=by_name))
            if current is not None:
                select.value = current

    def _select_facet(self, value: str | None) -> None:
        select = self.query_one("#facet", Select)
        with select.prevent(Select.Changed):
            if value is None:
                select.clear()
            elif value in self._facet_values:
                select.value = value

    # -- user input -----------------------------------------------------------------------
    @on(StatusOption.Clicked)
    def _status_clicked(self, event: StatusOption.Clicked) -> None:
        event.stop()
        self.post_message(self.FiltersChanged(toggle_status(self.options, self.filters, event.index), done=False))

    @on(Input.Submitted, "#since, #until")
    def _time_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            filters = self.filters.with_time_range(self.query_one("#since", Input).value,
                                                   self.query_one("#until", Input).value)
        except TimeParseError as error:
            self.show_time_error(str(error))
            return
        self.show_time_error("")
        self.post_message(self.FiltersChanged(filters, done=True))

    @on(Field.EnterAhead)
    def _enter_ahead(self, event: Field.EnterAhead) -> None:
        """Said again from here, so that it reaches the screen after the filters its field's first
        Enter posted from here (already behind it in this widget's queue)."""
        event.stop()
        self.post_message(self.EnterTyped())

    @on(Field.KeyAhead)
    def _key_ahead(self, event: Field.KeyAhead) -> None:
        """To the screen, behind the filters its field's Enter posted from here (so after the
        focus has moved on), as a key typed there: the focus decides who gets it."""
        event.stop()
        self.call_later(self.screen.post_message, event.key)

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.FiltersChanged(self.filters.model_copy(update={"search": event.value or None}),
                                              done=True))

    @on(Select.Changed, "#facet")
    def _facet_changed(self, event: Select.Changed) -> None:
        event.stop()
        value = event.value if isinstance(event.value, str) else None
        # (done: the focus stayed on the dropdown after a choice by mouse, and `e` or Enter opened it again)
        self.post_message(self.FiltersChanged(self.filters.model_copy(update={self.facet: value}), done=True))

    def show_time_range(self, filters: Filters) -> None:
        """The time fields as `filters` have them (typed text stays as typed), no error."""
        self.show_time_inputs(*time_inputs(filters))
        self.show_time_error("")
