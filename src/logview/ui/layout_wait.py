"""Keys typed ahead act on the layout the keys before them asked for, as when typed slowly.

Each key the terminal gives in one read (typed ahead on a slow machine or over ssh, a paste) is
handled at once behind the last, and a key's action reads sizes as they are: an Enter that opens
the detail leaves the table's page as it was and the pane without a height until the screen is
laid out again. So `Enter PgDn` paged the table by its height before the detail took half of it,
`b PgDn` by its height before the filter line came or went, and `Enter Enter PgDn` did not scroll
the detail at all on a loaded machine (a test failed at load 12-19): the PgDn came before the pane
had a height. The app waits before each key until the layout asked for before it has run (a frame or
two, ~17 ms each on a quiet machine; none when no layout is asked for, as for keys typed one at a
time), so every action reads the sizes the user sees.
"""

from __future__ import annotations

import asyncio
from time import monotonic
from weakref import WeakSet

from textual import events
from textual.screen import Screen

from logview.ui.textual_internals import layout_asked, layout_due

# The longest a key waits for a layout: a screen that never lays out (closing, or another's over it
# while the key waits) must not hold the keys behind it for good
LAYOUT_WAIT_AT_MOST_S = 0.5
# A key typed this long after the one before it is typed alone: not in a burst (a paste, keys typed
# ahead on a slow machine or over ssh), behind keys whose layouts it must wait for
KEY_ALONE_AFTER_S = 0.05


class LoneJumps:
    """A jump to the newest or oldest row (g, G, Home, End) typed alone acts at once, without waiting
    for the layout: it reads the row count, not a size, and the table keeps its cursor on screen
    through any resize after it (`LogTable.on_resize`). A big file's lines found come with a layout
    or three (the scrollbar, the counts, the status line), and a `G` just after them waited ~35 ms.
    Typed ahead behind other keys, a jump waits as any key does."""

    def __init__(self) -> None:
        self._last_typed_at = float("-inf")  # (when the terminal gave the key before: `Message.time`)
        self._alone: WeakSet[events.Key] = WeakSet()  # (back from the widget for its binding: the same key)

    def alone(self, key: events.Key, jump: bool) -> bool:
        """Whether `key` (a `jump` or not) acts without waiting for the layout."""
        if key.is_forwarded:
            return key in self._alone
        typed_at, last = key.time, self._last_typed_at
        self._last_typed_at = typed_at
        if jump and typed_at - last >= KEY_ALONE_AFTER_S:
            self._alone.add(key)
            return True
        return False


async def layout_settled(screen: Screen) -> None:
    """Return once the layout asked for on `screen` before now has run (at once when none was): first
    the widgets that asked tell the screen (each seen once without its request: one asking again and
    again, a spinner, does not hold the key), then the screen lays out. A layout asked for meanwhile
    by another widget is not waited for."""
    asked = layout_asked(screen)
    if not asked and not layout_due(screen):
        return
    deadline = monotonic() + LAYOUT_WAIT_AT_MOST_S
    while asked:
        if not await _refreshed(screen, deadline):
            return
        still = set(layout_asked(screen))
        asked = [widget for widget in asked if widget in still]
    if layout_due(screen):  # (told: the screen lays out before it runs the callbacks of its next refresh)
        await _refreshed(screen, deadline)


async def _refreshed(screen: Screen, deadline: float) -> bool:
    """Whether `screen` refreshed before `deadline` (False: it did not, or cannot be waited for here)."""
    left = deadline - monotonic()
    if left <= 0 or not screen.is_running:
        return False
    try:
        return await asyncio.wait_for(screen.wait_for_refresh(), left)  # (False: from the screen's own task)
    except TimeoutError:
        return False
