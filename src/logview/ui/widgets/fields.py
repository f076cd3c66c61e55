"""The text fields of the viewer and its dialogs.

Keys typed before the viewer has taken the terminal (`logview --file big.jsonl`, then at once
`/error⏎`) pass through the terminal's line discipline, which turns Enter (a carriage return) into
a newline, and the viewer reads that as ctrl+j: the search stood in its field, not applied, with
nothing to say why. In a one-line field ctrl+j can only have meant Enter.

Keys that come in one burst (`/gmail⏎⏎`) all reach the field before its first Enter has moved the
focus on: the second Enter, meant for the table (to open the first match), is said as `EnterAhead`,
and a character typed behind it (`/slack⏎3`: 3 picks "blocked") as `KeyAhead`: it had gone into the
field, whose text the applied search then set back, and was lost (found in a walk).
And a field's bound keys (ctrl+u, ⌫, Enter, a sidebar field's Esc …) act at once, in order with the
characters around them: Textual looks a key's binding up once the key has bubbled to the app, a hop
per widget, so in a burst (`s` ctrl+u `name⏎`) the characters after ctrl+u were typed first and then
cleared by it. Tab and shift+tab move the focus at once too, so the characters behind them go to the
next field.
"""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input

from logview.ui.textual_internals import own_bindings


_FOCUS_KEYS = ("tab", "shift+tab")


class Field(Input):
    """A one-line input that takes ctrl+j (a newline) as Enter."""

    class EnterAhead(Message):
        """Enter again, the field's text unchanged since its last Enter: typed ahead of the focus
        that Enter moves on (for what gets it: the field's own Enter is not submitted twice)."""

    class KeyAhead(Message):
        """A character typed right behind the field's Enter, ahead of the focus it moves on: for
        where the focus goes (`key`, as sent there: should the focus stay, it is typed here)."""

        def __init__(self, key: events.Key) -> None:
            super().__init__()
            self.key = key

    def __init__(self, *args: object, enter_ahead: bool = False, **kwargs: object) -> None:
        """`enter_ahead`: its Enter moves the focus on (the sidebar's fields): another Enter before
        anything is typed is said as `EnterAhead` (a dialog's field asks again after a "no")."""
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.enter_ahead = enter_ahead
        self._submitted: str | None = None  # the text Enter was last pressed on (None: since focused)
        self._sent_ahead: set[events.Key] = set()  # (said as `KeyAhead`: typed here if they come back)
        self._focus_unclicked = False  # focused, neither clicked nor typed into since

    async def _on_key(self, event: events.Key) -> None:
        self._focus_unclicked = False
        # (Textual's own handler, by its private name: `Input` acts on keys there, before any public
        # handler would run; Textual 8.2, see `textual_internals.py`)
        # (handled here, not by a binding: the newline arrives with its character, "\n", and
        # such a key did not reach a binding while the screen was starting)
        if event.key == "ctrl+j":
            event.stop()
            event.prevent_default()
            await self.action_submit()
            return
        focused = self.screen.focused
        if focused is not None and focused is not self:  # (`has_focus` changes later, with the Blur)
            # typed behind a key that moved the focus on (Tab, Enter) but queued here before it
            # moved: it goes where the focus now is, as it would have a moment later
            event.stop()
            event.prevent_default()
            focused.post_message(events.Key(event.key, event.character))
            return
        if event in self._sent_ahead:  # (back: the focus stayed here, after an error)
            self._sent_ahead.discard(event)
        elif self.enter_ahead and event.is_printable and self._submitted == self.value:
            event.stop()
            event.prevent_default()
            ahead = events.Key(event.key, event.character)
            self._sent_ahead.add(ahead)
            self.post_message(self.KeyAhead(ahead))  # (behind the Enter's Submitted, in this queue)
            return
        if event.key in _FOCUS_KEYS:  # (the app's binding: it ran after the characters typed behind it,
            event.stop()               # which went into this field, found in a walk: since got until's text)
            event.prevent_default()
            self.screen.focus_next() if event.key == "tab" else self.screen.focus_previous()
            return
        # (its own, at once: not the screen's or the app's, which still go their way; but for its Esc, the screen's,
        # which leaves the field: a key typed right behind it went into the field, then cleared with it, where the
        # terminal sent Esc and `4` in one burst, typed within its escape delay: found by a tester)
        own = next((b for b in own_bindings(self, event.key) if "." not in b.action or event.key == "escape"), None)
        if own is not None:
            event.stop()
            event.prevent_default()
            await self.run_action(own.action)
            return
        await super()._on_key(event)

    def action_copy(self) -> None:
        """ctrl+c: copy what is selected; with nothing selected, say how to quit, as the table does (the
        field runs its keys itself, above: Input's copy skipped and the app's answer never came, s29 walk #8)."""
        if self.selected_text:
            super().action_copy()
        else:
            self.app.action_help_quit()

    async def action_submit(self) -> None:
        if self.enter_ahead and self._submitted == self.value:
            self.post_message(self.EnterAhead())
            return
        self._submitted = self.value
        await super().action_submit()

    def _on_focus(self, event: events.Focus) -> None:
        self._submitted = None
        self._focus_unclicked = True
        super()._on_focus(event)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        """A click that gives the field the focus selects its text, as a key's focus does (`d`): a
        range typed then replaces the one in force, where the click put the cursor after it and `1d`
        clicked, `2h` typed read `1d2h` (s26 walk #4). A click into the field being edited places
        the cursor, as in a browser's address bar: the first click selects, the next one edits."""
        # (the screen focuses the field as it hands it the click: the Focus comes just before the
        # click, nothing between; not calling `Input`'s handler keeps the selection `_on_focus` made)
        if self.select_on_focus and self._focus_unclicked:
            event.prevent_default()
        self._focus_unclicked = False


class SaveField(Field):
    """A dialog's field whose Enter saves (said in the footer)."""

    BINDINGS = [Binding("enter", "submit", "Save")]


class FilterField(Field):
    """A field of the sidebar. The viewer's keys are typed into it, and its own were not said: the
    footer was only '^p palette' (found in a walk). Its Enter applies, Esc clears it, Tab goes on."""

    BINDINGS = [Binding("enter", "submit", "Apply"), Binding("escape", "screen.escape", "Clear"),
                Binding("tab", "app.focus_next", "Next")]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, enter_ahead=True, **kwargs)


class DateField(FilterField):
    """A date of the sidebar, whose Esc takes back what was typed (the dates in force stay)."""

    BINDINGS = [Binding("escape", "screen.escape", "Revert")]
