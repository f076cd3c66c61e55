"""When the team's connectors, listed for `c`, may open the picker by themselves.

A Supermetrics budget can hold the listing back for minutes. A picker that then popped up took
the keys typed meanwhile (found in a walk: `G` and `Enter` went to it, and `Enter` reads the
highlighted connector: the view could switch by accident). So a listing opens the picker only
while the user still waits for it: it came within LATE_AFTER_S of `c`, with no key pressed since
and no query started. Otherwise it is said, and kept: the next `c` opens the picker at once.
A query started while the listing still waits for the budget sends its first page first: the
listing is put off until that page is in, then asked at the backfill's priority (it had queued
before the page, and was sent first: found in a walk, `r` spent the hour's last request on it).
No Textual here: the `Names` widget asks and acts.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from logview.api.directory import ConnectorInfo

LATE_AFTER_S = 2.0  # a listing later than this after `c` does not open the picker by itself
KEPT_FOR_S = 600.0  # how long a listing is good for the next `c` (connectors seldom change)


class ConnectorListing:
    """The state of the team's connector listing, between `c` and the picker."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._asked_at: float | None = None
        self._moved_on = False  # a key since `c`, or a query started
        self._sent = False  # the listing's request has left (lowering it would spend another)
        self.low = False  # put off until a query's first page was answered
        self._listed: tuple[float, list[ConnectorInfo]] | None = None

    def asked(self) -> list[ConnectorInfo] | None:
        """`c`: the connectors listed a moment ago, to pick from at once; else None, and the user
        now waits for a listing (one under way, or one to start: `started`)."""
        now = self._clock()
        if self._listed is not None and now - self._listed[0] < KEPT_FOR_S:
            return self._listed[1]
        self._asked_at, self._moved_on = now, False
        return None

    def started(self) -> None:
        self._sent, self.low = False, False

    def sent(self) -> None:
        self._sent = True

    def key_pressed(self) -> None:
        self._moved_on = True

    def lower(self) -> bool:
        """A query starts: the user has moved on. True when the listing should be put off and
        asked again at the backfill's priority (it has not been sent, nor lowered already)."""
        self._moved_on = True
        if self._sent or self.low:
            return False
        self.low = True
        return True

    def wanted_again(self) -> bool:
        """`c` while a listing put off for a query still waits: True when it should be asked
        again at the user's priority (it has not been sent)."""
        return self.low and not self._sent

    def listed(self, connectors: list[ConnectorInfo]) -> bool:
        """The listing came: kept for the next `c`; True when the user still waits for it."""
        now = self._clock()
        self._listed = (now, connectors)
        return not self._moved_on and self._asked_at is not None and now - self._asked_at <= LATE_AFTER_S
