"""A small modal that asks before something is replaced (a file by `s`, saved filters by a name),
or before `q` quits with a save unwritten."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Protocol

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Static

from logview.sanitize import clean_line
from logview.ui.screens.dialog import Dialog
from logview.ui.textual_internals import message_clock
from logview.ui.widgets.key_footer import KeyFooter


class ConfirmReplace(Dialog[bool]):
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
        Binding("escape,n,q", "answer(False)", "Cancel"),  # (q: as it closes the help; it did nothing, s30 walk)
    ]
    YES, YES_DOES = "Replace", "replaces"  # (the button, and what Enter or y does)

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question
        self.asked_at = message_clock()

    def on_key(self, event: events.Key) -> None:
        """A key pressed before the question was asked is no answer to it: an Enter typed ahead
        (`s⏎⏎` onto a name that exists, a paste) replaced the file before it was asked about."""
        if event.time < self.asked_at:
            event.stop()
            event.prevent_default()  # (nor its binding, looked up once the key reaches the app)

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(Text(clean_line(self.question), style="bold"), id="confirm-question")
            yield Static(Text(self.keys_said(), style="dim"), id="confirm-keys")
            with Horizontal(id="confirm-buttons"):
                yield from self.buttons()
        yield KeyFooter()  # (over the viewer's, whose keys do nothing here)

    def keys_said(self) -> str:
        return f"Enter or y {self.YES_DOES} · Esc or n cancels"

    def buttons(self) -> Iterator[Button]:
        yield Button(self.YES, variant="warning", id="confirm-replace")
        yield Button("Cancel", id="confirm-cancel")

    def on_mount(self) -> None:
        self.query_one("#confirm-replace", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm-replace")

    def action_answer(self, replace: bool) -> None:
        self.dismiss(replace)


class QuitQuestion(Protocol):
    """What `ConfirmQuit` asks about (`ui/saves.py`'s `Saves`): the saves unwritten as `q` quits."""

    def quit_question(self, waiting: bool) -> tuple[str, str]: ...  # (the question, and its keys)
    def wait_then_quit(self) -> None: ...
    def all_written(self) -> bool: ...


class ConfirmQuit(ConfirmReplace):
    """Returns True to quit all the same (what is still written is stopped), at once or, after w,
    once the saves are written."""

    BINDINGS = [
        Binding("enter,y", "answer(True)", "Quit"),
        Binding("escape,n", "answer(False)", "Cancel"),
        Binding("w", "wait", "Wait, then quit"),
    ]
    YES, YES_DOES = "Quit", "quits"

    def __init__(self, about: QuitQuestion) -> None:
        """`about`: the question as things stand (a save ends while it is up), asked every 0.2 s."""
        self._about = about
        self.waiting = False  # w was pressed: the dialog quits once every save is written
        question, self._keys = about.quit_question(self.waiting)
        super().__init__(question)

    def keys_said(self) -> str:
        return self._keys

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # (once pressed, w is no longer offered: the footer still said "w Wait, then quit", s23 walk #7)
        return not (action == "wait" and self.waiting)

    def buttons(self) -> Iterator[Button]:
        yield from super().buttons()
        yield Button("Wait, then quit", id="confirm-wait")

    def on_mount(self) -> None:
        super().on_mount()
        self.set_interval(0.2, self._ask_again)

    @on(Button.Pressed, "#confirm-wait")
    def _wait_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_wait()

    def action_wait(self) -> None:
        if not self.waiting:
            self.waiting = True
            self._about.wait_then_quit()
            self.query_one("#confirm-wait", Button).display = False
            self.refresh_bindings()
            self._ask_again()

    def _ask_again(self) -> None:
        if self.waiting and self._about.all_written():
            self.dismiss(True)
            return
        question, keys = self._about.quit_question(self.waiting)
        if (question, keys) != (self.question, self._keys):
            self.question, self._keys = question, keys
            self.query_one("#confirm-question", Static).update(Text(clean_line(question), style="bold"))
            self.query_one("#confirm-keys", Static).update(Text(keys, style="dim"))


def confirm_replace(dialog: Screen, question: str, replace: Callable[[], None], focus_again: str) -> None:
    """Ask `question` over `dialog`, whose box is hidden meanwhile (`-asked`, styles/widgets.tcss); on
    yes call `replace`, on no give the focus back to the dialog's input (`focus_again`, a selector)
    with its text as typed, to change it."""
    def answered(yes: bool | None) -> None:
        dialog.remove_class("-asked")
        if yes:
            replace()
        else:
            dialog.query_one(focus_again).focus()

    dialog.add_class("-asked")
    dialog.app.push_screen(ConfirmReplace(question), answered)
