"""Background reading stands back for the user's keys.

A big file's columns are read in a thread while the screen answers keys, and Python runs one thread
at a time: the reading would otherwise double every key's response time. A movement key comes in
bursts (a held key repeats), so each one holds the reading back for `USER_QUIET_S`. A jump to the
newest or oldest row (g, G, Home, End) is one press and one repaint: it holds the reading back
until the screen has shown it (`jump_shown`), never longer than `USER_JUMP_QUIET_MAX_S`.

Keys that keep coming (a held key repeats every 30–50 ms) would hold the reading back for as long as
they come: with `j` held, a 1M file's counts never came. So the reading stands back at most
`USER_QUIET_MOST_S` at a stretch, then reads for `READING_TURN_S` whatever the keys: a quarter of the
time while a key is held, and keys pressed in that turn share the interpreter with it.
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
USER_QUIET_MOST_S = 0.3  # the longest the reading stands back at a stretch, however the keys come
READING_TURN_S = 0.1  # ...then it reads this long before it stands back again


class UserQuiet:
    """When the reading may go on: after each key's pause, and once a jump's frame is on the screen."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._until = 0.0  # the keys' pauses
        self._jump_until = 0.0  # a jump's, until it is shown
        self._turn_until = 0.0  # the reading's turn after standing back its longest (`wait`)

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
        now = self._clock()
        if now < self._turn_until:
            return 0.0
        return max(0.0, max(self._until, self._jump_until) - now)

    def wait(self, cancelled: Callable[[], bool]) -> None:
        """Sleep (in the reading's thread) while the reading stands back, or until `cancelled()`;
        after USER_QUIET_MOST_S of it, the reading takes its turn (READING_TURN_S)."""
        stood_since = None
        while not cancelled() and (left := self.left()) > 0:
            now = self._clock()
            stood_since = now if stood_since is None else stood_since
            longest = stood_since + USER_QUIET_MOST_S - now
            if longest < 0.001:  # (stood back its longest, to the ms: a sleep may end a hair early)
                self._turn_until = now + READING_TURN_S
                return
            time.sleep(min(left, longest, JUMP_POLL_S if self._jump_until else USER_QUIET_S))
