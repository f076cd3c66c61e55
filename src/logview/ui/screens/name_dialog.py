"""A small modal that asks for a name (saving the current filters under it)."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static

from logview.sanitize import clean_line
from logview.ui.screens.confirm import confirm_replace
from logview.ui.screens.dialog import Dialog
from logview.ui.widgets.fields import SaveField
from logview.ui.widgets.key_footer import KeyFooter


class NameDialog(Dialog[str | None]):
    """Returns the name typed (as `check` returns it), or None when cancelled. `replacing`, given
    the name, returns a question to confirm first when the name is taken (or None when it is free).
    `detail`: what is named, a line under the title (plain text: it may hold a search typed)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, hint: str, check: Callable[[str], str], value: str = "",
                 replacing: Callable[[str], str | None] | None = None, detail: str = "") -> None:
        super().__init__()
        self.title_text, self.hint, self.check, self.value = title, hint, check, value
        self.detail = detail
        self.replacing = replacing

    def compose(self) -> ComposeResult:
        with Vertical(id="name-box"):
            yield Static(Text(self.title_text, style="bold"), id="name-title")
            if self.detail:
                yield Static(Text(clean_line(self.detail)), id="name-detail")
            yield Static(Text(self.hint, style="dim"), id="name-hint")
            yield SaveField(value=self.value, id="name-input")  # (its footer showed only Esc)
            yield Static(id="name-error")
            yield Static(Text("Enter saves · Esc cancels", style="dim"), id="name-keys")
        yield KeyFooter()  # (over the viewer's, whose keys are typed into the name here)

    def on_mount(self) -> None:
        self.query_one("#name-input", Input).focus()

    @on(Input.Submitted, "#name-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            name = self.check(event.value)
        except ValueError as error:
            self.query_one("#name-error", Static).update(Text(clean_line(str(error)), style="red"))
            return
        self.query_one("#name-error", Static).update("")
        question = self.replacing(name) if self.replacing else None
        if question:
            confirm_replace(self, question, lambda: self.dismiss(name), focus_again="#name-input")
            return
        self.dismiss(name)

    def action_cancel(self) -> None:
        self.dismiss(None)
