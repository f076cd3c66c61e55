"""Choose the table's columns: the source's own, and any top-level field found in the data."""

from __future__ import annotations

from collections.abc import Sequence

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.strip import Strip
from textual.widgets import OptionList, SelectionList, Static
from textual.widgets.option_list import OptionDoesNotExist
from textual.widgets.selection_list import Selection

from logview.sanitize import clean_line
from logview.ui.screens.dialog import Dialog
from logview.ui.widgets.key_footer import UP_DOWN_KEYS, KeyFooter


class TickList(SelectionList[str]):
    """A SelectionList whose rows say `[x]` or `[ ]`: Textual's box shows the same X either way and
    tells them apart by colour only, which a plain terminal (or a colour-blind user) cannot see."""

    BINDINGS = [Binding("space", "select", "Toggle"), *UP_DOWN_KEYS]  # (space: the picker's main key, in its footer)

    def action_select(self) -> None:
        """Space: toggle the highlighted row now. Textual's posts a message that toggles it when handled: an
        Enter typed right behind the Space applied the ticks before it (found in a walk)."""
        if self.highlighted is not None:
            self.toggle(self.get_option_at_index(self.highlighted))

    def _on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Toggle the row clicked (or selected): the row the message names. Textual's toggles the row highlighted
        when this message is handled: keys in one burst (`↓ Space ↓ Space`) moved the highlight first, and both
        toggled the last row, or one row twice (found in a walk)."""
        event.stop()
        event.prevent_default()
        self.toggle(self.get_option_at_index(event.option_index))

    def render_line(self, y: int) -> Strip:
        line = OptionList.render_line(self, y)  # the prompt, without SelectionList's coloured box
        index = self.scroll_offset.y + y
        try:
            selection = self.get_option_at_index(index)
        except OptionDoesNotExist:
            return line
        ticked = selection.value in self._selected
        base = next(iter(line)).style or self.rich_style
        # the option's index in the meta lets a click on the mark toggle the row, as on the box
        style = base + Style(bold=ticked, meta={"option": index})
        return Strip([Segment("[x] " if ticked else "[ ] ", style), *line])


LIST_MAX = 30  # rows of the list at most
# the lines besides the list: the box's border, padding, title, the hint and the keys (two lines
# each), margins, and the footer of keys under the box
BOX_OVERHEAD = 13
HINT_LINES = 3  # of those, the hint's two and its margin


class ColumnPicker(Dialog[list[str] | None]):
    """Returns the chosen keys in list order, `[]` for "back to the defaults", None if cancelled.

    `options` are (key, title) pairs: the built-in columns first, then the discovered fields;
    `defaults` the keys shown until the user picks others (`d` ticks just those, in their order)."""

    BINDINGS = [
        Binding("escape,q", "cancel", "Cancel"),  # (q as in the help: it did nothing, s30 walk)
        Binding("enter", "apply", "Apply", priority=True),
        Binding("d", "defaults", "Defaults"),
        # the order of the columns: the list's (a field added came after the source's, for good)
        Binding("shift+up,K", "move(-1)", "Reorder", key_display="⇧↑ ⇧↓"),
        Binding("shift+down,J", "move(1)", "Reorder", show=False),
    ]

    def __init__(self, options: Sequence[tuple[str, str]], chosen: Sequence[str], defaults: Sequence[str]) -> None:
        super().__init__()
        self.options = list(options)
        self.titles = dict(self.options)
        self.chosen = list(chosen)
        self.defaults = [key for key in defaults if key in self.titles]

    def compose(self) -> ComposeResult:
        with Vertical(id="columns-box"):
            yield Static(Text("Table columns", style="bold"), id="columns-title")
            yield Static(Text("Time and status are always shown. The ticked columns follow in the list's "
                              "order: the chosen first, then the source's others and the fields found in the "
                              "loaded entries.", style="dim"), id="columns-hint")
            yield TickList(*self._selections(), id="columns-list")
            yield Static(Text("Space toggles · ⇧↑ ⇧↓ (K J) reorder · Enter applies · d restores the defaults · "
                              "Esc cancels", style="dim"), id="columns-keys")
        yield KeyFooter()  # (over the viewer's, whose keys do nothing here)

    def _selections(self) -> list[Selection[str]]:
        """The options, the chosen ones first in their order, each ticked if chosen."""
        order = sorted(self.options, key=lambda option: (option[0] not in self.chosen,
                                                         self.chosen.index(option[0]) if option[0] in self.chosen
                                                         else 0))
        return [self._row(key, key in self.chosen) for key, _ in order]

    def _row(self, key: str, ticked: bool) -> Selection[str]:
        return Selection(Text(clean_line(self.titles[key])), key, ticked)

    def on_mount(self) -> None:
        self.query_one("#columns-list", TickList).focus()
        self._fit_list(self.app.size.height)

    def on_resize(self, event: events.Resize) -> None:
        self._fit_list(event.size.height)

    def _fit_list(self, height: int) -> None:
        """The list as tall as the screen leaves it, so that it scrolls, and the keys under it stay
        in view (at 24 lines the box cut the list off, and the highlight went out of sight)."""
        box = int(height * 0.9)  # (the box's max-height)
        room = box - BOX_OVERHEAD
        # on a short screen the list and its keys come first: at 60×15 one row of the list showed,
        # and the keys were cut off below it (found in a walk)
        hint = self.query_one("#columns-hint", Static)
        hint.display = room >= HINT_LINES + 3
        self.query_one("#columns-list", TickList).styles.max_height = max(
            3, min(LIST_MAX, room if hint.display else room + HINT_LINES))

    def action_apply(self) -> None:
        keep = [key for key, ticked in self._listed() if ticked]  # in the list's order
        # exactly the defaults is no choice at all: nothing is remembered, so new defaults apply later
        self.dismiss([] if keep == self.defaults else keep)

    def action_defaults(self) -> None:
        """Tick the defaults, in their order, and stay open: Enter applies them, Esc still cancels."""
        self.chosen = list(self.defaults)
        self._relist(self._selections(), 0)

    def action_move(self, step: int) -> None:
        """Move the highlighted row up (-1) or down (1) the list, ticked or not, the highlight with it."""
        at = self.query_one("#columns-list", TickList).highlighted
        listed = self._listed()
        if at is None or not 0 <= at + step < len(listed):
            return
        listed[at], listed[at + step] = listed[at + step], listed[at]
        self._relist([self._row(key, ticked) for key, ticked in listed], at + step)

    def _listed(self) -> list[tuple[str, bool]]:
        """Each row's key, in the list's order, and whether it is ticked."""
        ticks = self.query_one("#columns-list", TickList)
        selected = set(ticks.selected)
        keys = [ticks.get_option_at_index(index).value for index in range(ticks.option_count)]
        return [(key, key in selected) for key in keys]

    def _relist(self, selections: list[Selection[str]], highlighted: int) -> None:
        ticks = self.query_one("#columns-list", TickList)
        ticks.clear_options()
        ticks.add_options(selections)
        ticks.highlighted = highlighted

    def action_cancel(self) -> None:
        self.dismiss(None)
