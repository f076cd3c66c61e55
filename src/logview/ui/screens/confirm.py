"""A small modal that asks before something is replaced (a file by `s`, saved filters by a name),
or before `q` quits with a save unwritten."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Static

from logview.sanitize import clean_line
from logview.ui.widgets.key_footer import KeyFooter


class ConfirmReplace(ModalScreen[bool]):
    """Returns True to replace. Enter or y replaces, Escape or n cancels (so does a click on the
    buttons, or Enter on a focused Cancel). The question is plain text: it names what the user typed."""

    # The screen itself (centred, the dialog below dimmed) is styled in styles/widgets.tcss with the
    # other dialogs: the app's `Screen { background }` rule there would outweigh a DEFAULT_CSS one.
    DEFAULT_CSS = """
    #confirm-box { width: 64; max-width: 100%; height: auto; padding: 1 2; background: $surface; border: round $warning; }
    #confirm-question { height: auto; }
    #confirm-keys { margin: 1 0; }
    #confirm-buttons { height: auto; }
    #confirm-buttons Button { margin-right: 2; }
    """
    BINDINGS = [
        Binding("enter,y", "answer(True)", "Replace"),
        Binding("escape,n", "answer(False)", "Cancel"),
    ]
    YES, YES_DOES = "Replace", "replaces"  # (the button, and what Enter or y does)

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(Text(clean_line(self.question), style="bold"), id="confirm-question")
            yield Static(Text(f"Enter or y {self.YES_DOES} · Esc or n cancels", style="dim"), id="confirm-keys")
            with Horizontal(id="confirm-buttons"):
                yield Button(self.YES, variant="warning", id="confirm-replace")
                yield Button("Cancel", id="confirm-cancel")
        yield KeyFooter()  # (over the viewer's, whose keys do nothing here)

    def on_mount(self) -> None:
        self.query_one("#confirm-replace", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm-replace")

    def action_answer(self, replace: bool) -> None:
        self.dismiss(replace)


class ConfirmQuit(ConfirmReplace):
    """Returns True to quit all the same."""

    BINDINGS = [
        Binding("enter,y", "answer(True)", "Quit"),
        Binding("escape,n", "answer(False)", "Cancel"),
    ]
    YES, YES_DOES = "Quit", "quits"

    def __init__(self, question: str, asked: Callable[[], str] | None = None) -> None:
        """`asked`: the question as things stand (a save ends while it is up), asked every 0.2 s."""
        super().__init__(question)
        self._asked = asked

    def on_mount(self) -> None:
        super().on_mount()
        if self._asked is not None:
            self.set_interval(0.2, self._ask_again)

    def _ask_again(self) -> None:
        if self._asked is not None and (question := self._asked()) != self.question:
            self.question = question
            self.query_one("#confirm-question", Static).update(Text(clean_line(question), style="bold"))


def confirm_replace(dialog: Screen, question: str, replace: Callable[[], None], focus_again: str) -> None:
    """Ask `question` over `dialog`; on yes call `replace`, on no give the focus back to the
    dialog's input (`focus_again`, a selector) with its text as typed, to change it."""
    def answered(yes: bool | None) -> None:
        if yes:
            replace()
        else:
            dialog.query_one(focus_again).focus()

    dialog.app.push_screen(ConfirmReplace(question), answered)
