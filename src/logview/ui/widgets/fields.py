"""The text fields of the viewer and its dialogs.

Keys typed before the viewer has taken the terminal (`logview --file big.jsonl`, then at once
`/error⏎`) pass through the terminal's line discipline, which turns Enter (a carriage return) into
a newline, and the viewer reads that as ctrl+j: the search stood in its field, not applied, with
nothing to say why. In a one-line field ctrl+j can only have meant Enter.
"""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.widgets import Input


# The field's own keys (Backspace, ctrl+u, ←, Home, Enter …), each run where it arrives, in its turn
# among the characters typed. As bindings they ran once the key had bubbled up to the app, after
# the characters typed behind it were in: `s`, ctrl+u and a name in one burst left the name empty
# (found in a walk, while a big file was read), and `abd⌫c` in the search gave `abdc`.
_OWN_KEYS = {key.strip(): binding.action for binding in Input.BINDINGS if isinstance(binding, Binding)
             for key in binding.key.split(",")}


class Field(Input):
    """A one-line input that takes ctrl+j (a newline) as Enter, and its editing keys in order."""

    async def _on_key(self, event: events.Key) -> None:
        # (ctrl+j here, not by a binding: the newline arrives with its character, "\n", and
        # such a key did not reach a binding while the screen was starting)
        action = "submit" if event.key == "ctrl+j" else _OWN_KEYS.get(event.key)
        if action is not None:
            event.stop()
            event.prevent_default()
            await self.run_action(action)
            return
        await super()._on_key(event)
