"""The text fields of the viewer and its dialogs.

Keys typed before the viewer has taken the terminal (`logview --file big.jsonl`, then at once
`/error⏎`) pass through the terminal's line discipline, which turns Enter (a carriage return) into
a newline, and the viewer reads that as ctrl+j: the search stood in its field, not applied, with
nothing to say why. In a one-line field ctrl+j can only have meant Enter.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input


class Field(Input):
    """A one-line input that takes ctrl+j (a newline) as Enter."""

    async def _on_key(self, event: events.Key) -> None:
        # (handled here, not by a binding: the newline arrives with its character, "\n", and
        # such a key did not reach a binding while the screen was starting)
        if event.key == "ctrl+j":
            event.stop()
            event.prevent_default()
            await self.action_submit()
            return
        await super()._on_key(event)
