"""Choose the table's columns: the source's own, and any top-level field found in the data."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import SelectionList, Static
from textual.widgets.selection_list import Selection

from logview.sanitize import clean_line


class ColumnPicker(ModalScreen[list[str] | None]):
    """Returns the chosen keys in list order, `[]` for "back to the defaults", None if cancelled.

    `options` are (key, title) pairs: the built-in columns first, then the discovered fields."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("enter", "apply", "Apply", priority=True),
        Binding("d", "defaults", "Defaults"),
    ]

    def __init__(self, options: Sequence[tuple[str, str]], chosen: Sequence[str]) -> None:
        super().__init__()
        self.options = list(options)
        self.chosen = list(chosen)

    def compose(self) -> ComposeResult:
        with Vertical(id="columns-box"):
            yield Static(Text("Table columns", style="bold"), id="columns-title")
            yield Static(Text("Time and status are always shown. The chosen columns come first, in their "
                              "order; then the source's others and the fields found in the loaded entries.",
                              style="dim"), id="columns-hint")
            order = sorted(self.options, key=lambda option: (option[0] not in self.chosen,
                                                             self.chosen.index(option[0]) if option[0] in self.chosen
                                                             else 0))
            yield SelectionList[str](*(Selection(Text(clean_line(title)), key, key in self.chosen)
                                       for key, title in order), id="columns-list")
            yield Static(Text("Space toggles · Enter applies · d restores the defaults · Esc cancels", style="dim"),
                         id="columns-keys")

    def on_mount(self) -> None:
        self.query_one("#columns-list", SelectionList).focus()

    def action_apply(self) -> None:
        selected = set(self.query_one("#columns-list", SelectionList).selected)
        keep = [key for key in self.chosen if key in selected]  # chosen ones keep their order
        keep += [key for key, _ in self.options if key in selected and key not in keep]
        self.dismiss(keep)

    def action_defaults(self) -> None:
        self.dismiss([])

    def action_cancel(self) -> None:
        self.dismiss(None)
