"""Background reading stands back for the user's keys.

A big file's columns are read in a thread while the screen answers keys, and Python runs one thread
at a time: the reading would otherwise double every key's response time. A movement key comes in
bursts (a held key repeats), so each one holds the reading back for `USER_QUIET_S`. A jump to the
newest or oldest row (g, G, Home, End) is one press and one repaint: it holds the reading back
until the screen has shown it (`jump_shown`), never longer than `USER_JUMP_QUIET_MAX_S`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

USER_QUIET_S = 0.15
# A fixed 30 ms for a jump ran out before the key was even handled (it first waits for the layout that
# the rows found before it asked for, ~50 ms), and its frame then took turns at the interpreter with
# the reading: a 1M file's oldest row showed ~0.15 s after `G` (`benchmarks/launch_timeline.py`).
USER_JUMP_QUIET_MAX_S = 0.3
JUMP_POLL_S = 0.005  # how soon the reading goes on once a jump is shown


class UserQuiet:
    """When the reading may go on: after each key's pause, and once a jump's frame is on the screen."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._until = 0.0  # the keys' pauses
        self._jump_until = 0.0  # a jump's, until it is shown

    def active(self, seconds: float = USER_QUIET_S) -> None:
        """A key or scroll: the reading stands back `seconds` (or longer, for an earlier key)."""
        self._until = max(self._until, self._clock() + seconds)

    def jumped(self) -> None:
        """A jump: the reading stands back until `jump_shown`, at most USER_JUMP_QUIET_MAX_S."""
        self._jump_until = self._clock() + USER_JUMP_QUIET_MAX_S

    def jump_shown(self) -> None:
        """The jump is on the screen: the reading goes on (once an earlier key's pause is over)."""
        self._jump_until = 0.0

    def left(self) -> float:
        """How long the reading still stands back (0: it reads)."""
        return max(0.0, max(self._until, self._jump_until) - self._clock())

    def wait(self, cancelled: Callable[[], bool]) -> None:
        """Sleep (in the reading's thread) while the reading stands back, or until `cancelled()`."""
        while not cancelled() and (left := self.left()) > 0:
            time.sleep(min(left, JUMP_POLL_S if self._jump_until else USER_QUIET_S))
