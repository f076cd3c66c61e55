"""`q` while the archive's writer still stores what was fetched: the viewer stays up while the
writer makes progress, saying how much is left, and quits once it is done.

At a quit the viewer gave the writer 2 s and then killed it, slow or stalled alike: a writer
storing a big backfill on a busy machine lost what it had not stored yet (the next launch fetches
it again, at the cost of the API's budget). Now loading stops at `q`, and the viewer waits for as
long as the entries left to store keep falling; only a writer that has stored nothing for
`STALLED_S` is given up (killed, as the quit's own close does after 2 s, `Feed.aclose`), and `q`
again gives up at once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

from textual.app import App

if TYPE_CHECKING:
    from logview.archive.writer import PageWriter
    from logview.ui.viewer import ViewerScreen

STALLED_S = 2.0  # a writer that stored nothing this long is given up
LOOK_EVERY_S = 0.2
SLOT = "notice"  # (the banner's slot for what is said, not wrong)


class QuitWhileArchiving:
    """Quitting `app`, once the archive has what its `viewers` fetched, or is given up on."""

    def __init__(self, app: App, viewers: Callable[[], Sequence[ViewerScreen]]) -> None:
        self._app, self._viewers = app, viewers
        self._last = 0
        self._stored_at = 0.0  # when the entries left last fell
        self._timer = None
        self._giving_up = False
        self._flushes: list[asyncio.Future[None]] = []  # (held: a task no one holds may be collected)

    def quit(self) -> None:
        """`q` (no save left unwritten): quit now, or once the archive has what was fetched; `q`
        while it waits gives up on it."""
        if self._timer is not None:
            self._give_up_now()
            return
        for viewer in self._viewers():  # (loading stops: what was handed over is stored meanwhile)
            viewer.feed.stop_tail()
            viewer.feed.cancel_backfill()
        for _, writer in self._writers():
            self._flushes.append(asyncio.ensure_future(writer.flush()))
        if (left := self._left()) <= 0:
            self._app.exit(0)
            return
        self._last, self._stored_at = left, time.monotonic()
        self._say(left)
        self._timer = self._app.set_interval(LOOK_EVERY_S, self._look)

    def _left(self) -> int:
        """Fetched entries the archive has not stored yet."""
        return sum(writer.unarchived for _, writer in self._writers())

    def _writers(self) -> Iterator[tuple[ViewerScreen, PageWriter]]:
        """Each viewer whose fetched entries go to the archive, and what stores them."""
        for viewer in self._viewers():
            if viewer.feed.api is not None and (writer := viewer.feed.api.writer()) is not None:
                yield viewer, writer

    def _look(self) -> None:
        left, now = self._left(), time.monotonic()
        if left < self._last:
            self._last, self._stored_at = left, now
        if left <= 0:
            self._app.exit(0)
        elif now - self._stored_at >= STALLED_S:
            self._give_up_now()
        else:
            self._say(left)

    def _give_up_now(self) -> None:
        if self._timer is not None and not self._giving_up:  # (once: it takes a moment)
            self._giving_up = True
            self._timer.stop()
            self._flushes.append(asyncio.ensure_future(self._give_up()))

    async def _give_up(self) -> None:
        """A stalled writer is given up now (killed, what it stored kept), not after the close's 2 s
        more; the entries it left are said on stderr as the viewer ends."""
        for viewer, writer in self._writers():
            viewer.feed.unarchived += await writer.give_up()
        self._app.exit(0)

    def _say(self, left: int) -> None:
        viewer = self._app.screen
        if hasattr(viewer, "banner"):
            viewer.banner.show_notice(f"saving to the archive · {left:,} fetched entries left · q again gives up "
                                      "(the next launch fetches them again)", warn=False, slot=SLOT)
