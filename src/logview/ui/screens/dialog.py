"""What every dialog of logview shares (and the command palette with them): it answers once.

Keys that come in one burst (a bouncy Enter, a key held, a paste into the wrong pane: `s⏎⏎`) all
reach a dialog before its first answer has closed it, and each Enter answered again: Textual's
`dismiss` pops whatever screen is in front, so the second popped the viewer's own (a blank screen,
every key but ctrl+q ignored), a third failed (`ScreenStackError`), and a question answered twice
set its result twice (`InvalidStateError`) (s26 walk #1). Hence three rules, here once for all:

- a dialog answers once, and only while it is in front (`Dialog.dismiss`);
- what its widgets say once it has answered, or while a question stands over it (a second submit,
  a second selection, queued behind the first), is not heard (`Dialog._on_message`): it was sent by
  keys typed before the dialog could act on the first;
- a key sent to a dialog acts on nothing else once the dialog is gone (`StrayKeys`): Textual looks a
  key's binding up once the key has bubbled back to the app, by then on the screen under it (an
  Enter sent to the picker would open the detail of the viewer's first row).

And a question (`confirm.py`) takes no key pressed before it was asked for its answer: `s⏎⏎` onto
a name that exists would replace the file by an Enter typed before the question was there to read.

Textual's own palette (`Palette`) takes the same first two rules: the crash was Textual's own there
(`CommandPalette._select_or_command` dismisses once per Enter), and is guarded from logview's side.
"""

from __future__ import annotations

from typing import TypeVar
from weakref import WeakKeyDictionary

from textual import events
from textual.await_complete import AwaitComplete
from textual.command import CommandPalette
from textual.message import Message
from textual.message_pump import MessagePump
from textual.screen import ModalScreen, Screen

ResultType = TypeVar("ResultType")


def _answerable(dialog: Screen) -> bool:
    """Once, and only in front: Textual's `dismiss` pops the screen in front, whichever it is."""
    return not getattr(dialog, "answered", False) and dialog.is_active


def _dismiss_once(dialog: Screen, result: object = None) -> AwaitComplete:
    if not _answerable(dialog):
        return AwaitComplete.nothing()
    dialog.answered = True  # type: ignore[attr-defined]
    return Screen.dismiss(dialog, result)


async def _heard_while_answerable(dialog: Screen, message: Message) -> None:
    """What a control says of itself (a submit, a selection, a press: its `control`) only while the
    dialog can still answer it; the rest always (its events, Textual's own messages: its removal
    waits on them). (Textual's own dispatch, by its private name: a subclass's handler,
    `@on(Input.Submitted)`, runs before any of a base class could stop it; Textual 8.2, see
    `textual_internals.py`.)"""
    if isinstance(message, events.Event) or message.control is None or _answerable(dialog):
        await MessagePump._on_message(dialog, message)


class Dialog(ModalScreen[ResultType]):
    """The base of logview's dialogs: the rules above."""

    answered = False
    dismiss = _dismiss_once  # type: ignore[assignment]
    _on_message = _heard_while_answerable  # type: ignore[assignment]


class Palette(CommandPalette):
    """Textual's command palette, answering once (it ran the command chosen once per Enter)."""

    answered = False
    dismiss = _dismiss_once  # type: ignore[assignment]
    _on_message = _heard_while_answerable  # type: ignore[assignment]


class StrayKeys:
    """Which screen each key was sent to, so that a key sent to a dialog acts on no other screen."""

    def __init__(self) -> None:
        self._sent_to: WeakKeyDictionary[events.Key, Screen] = WeakKeyDictionary()

    def sent(self, key: events.Key, screen: Screen) -> None:
        self._sent_to[key] = screen

    @staticmethod
    def closed_meanwhile(was_in_front: Screen | None, in_front: Screen) -> bool:
        """A key that came while `was_in_front`, a dialog, was in front, and waited (for the layout) until
        the dialog had gone: it is the dialog's, as it would have been without the wait."""
        return isinstance(was_in_front, ModalScreen) and was_in_front is not in_front

    def stray(self, key: events.Key, in_front: Screen) -> bool:
        """`key`, back at the app for its binding, was sent to a dialog no longer in front."""
        return self.closed_meanwhile(self._sent_to.pop(key, None), in_front)
