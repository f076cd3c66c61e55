"""Keys typed ahead act on the layout the keys before them asked for, as when typed slowly.

Each key the terminal gives in one read (typed ahead on a slow machine or over ssh, a paste) is
handled at once behind the last, and a key's action reads sizes as they are: an Enter that opens
the detail leaves the table's page as it was and the pane without a height until the screen is
laid out again. So `Enter PgDn` paged the table by its height before the detail took half of it,
`b PgDn` by its height before the filter line came or went, and `Enter Enter PgDn` did not scroll
the detail at all on a loaded machine (a test failed at load 12-19): the PgDn came before the pane
had a height. The app waits before each key until the layout asked for before it has run (one
frame, ~17 ms; none when nothing waits for a layout), so every action reads the sizes the user sees.
"""

from __future__ import annotations

import asyncio
from time import monotonic

from textual.screen import Screen

from logview.ui.textual_internals import layout_pending

# The longest a key waits for a layout: a screen that never lays out (closing, or another's over it
# while the key waits) must not hold the keys behind it for good
LAYOUT_WAIT_AT_MOST_S = 0.5


async def layout_settled(screen: Screen) -> None:
    """Return once no layout asked for on `screen` is still to run (at once when none is)."""
    if not layout_pending(screen):
        return
    deadline = monotonic() + LAYOUT_WAIT_AT_MOST_S
    while screen.is_running and layout_pending(screen) and (left := deadline - monotonic()) > 0:
        try:  # (a refresh runs the screen's layout; `call_after_refresh` may come before it: asked again)
            if not await asyncio.wait_for(screen.wait_for_refresh(), left):
                return  # (called from the screen's own task: it cannot wait for itself)
        except TimeoutError:
            return
