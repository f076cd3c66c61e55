"""What other clients of the same key spend of its request budget (`budget.py`): another logview
beside this one (one tailing, one exporting), or any other tool using the key.

A budget knows only its own requests. Every response says how many the server counted in the
window (limit − remaining); what it counted beyond this process's own requests, answered or not,
another client spent. Without this, two logviews on one key each trusted the last count they had
seen, though the other had spent since, and both took the window's last request: one met a 429
every few seconds (found in a walk).

Once another client has been seen (this window or the last), the budget therefore takes what it
has been told as older than it is: it keeps back what the others are likely to have spent since
that answer, at their pace of the last windows, plus one request, so that two clients never both
take the last. Keeping back the others' whole share until the reset instead was measured and
dropped: each then left room for the other, and together they spent only 64% of the budget.

What the server had counted before this process's first request may be its own previous run or
a client still spending (another logview, mid-load): until a second answer tells which
(`unsure`), the backfill sends one request at a time. Taken for a previous run, a second logview
spent what the window had left at once, while the first, not yet told, took the last too: a 429
(flaky under load, where windows ending on whole seconds made the first's window short).

Apart from the budget because it is a value of its own, counted per window of the server's.
"""

from __future__ import annotations

import math

import msgspec

SAME_WINDOW_S = 0.5  # resets this close together name one window (roundings, clocks)


class OthersUse(msgspec.Struct):
    """Requests other clients made in the server's current window and in the one before."""

    window: float | None = None  # the reset epoch naming the current window (None: not yet known)
    mine: int = 0  # this process's requests answered in it
    others: int = 0  # the most the server has counted beyond ours in it
    others_before: int = 0  # the same, for the window before
    told_at: float = 0.0  # clock time of the last answer: its count is as old as that
    # What the server had counted in the window before this process's first request: perhaps
    # this very logview's previous run, not a client still spending. Later windows start at 0.
    before_start: int | None = None
    gone: float = 0.0  # the part of its window gone when the last answer came (0 to 1)
    windows: int = 0  # windows begun, the first answer's included
    expected_before: float = 0.0  # what the others spent of the window before, over all of it (estimates)

    def new_window(self, window: float | None) -> None:
        """The server began counting afresh (a later reset, or remaining rose)."""
        # (the first window was seen from its middle on: its count is not a whole window's)
        self.expected_before = self._first_window() if self.windows == 1 else float(self.others)
        self.others_before, self.others, self.windows = self.others, 0, self.windows + 1
        self.window, self.mine = window, 0
        if self.before_start is not None:
            self.before_start = 0

    def observe(self, now: float, *, window: float | None, limit: int, remaining: int, in_flight: int,
                refused: bool = False, gone: float = 0.0) -> None:
        """One of this process's requests was answered, saying `remaining` of `limit` are left in
        the window ending at `window` (epoch; None when the server does not say). `in_flight`: this
        process's requests still unanswered, which the server may have counted already. `refused`:
        a 429, which says nothing of the others (it was not counted), but that whatever the server
        counts from now on is not from before this process's first request."""
        if refused:
            self.before_start = 0 if self.before_start is None else self.before_start
            return
        if window is not None and (self.window is None or window > self.window + SAME_WINDOW_S):
            self.new_window(window)
        self.mine += 1
        self.told_at, self.gone = now, gone
        unexplained = limit - remaining - self.mine - in_flight
        if self.before_start is None:  # this process's first answer
            self.before_start = max(0, unexplained)
        self.others = max(self.others, unexplained - self.before_start)

    @property
    def seen(self) -> bool:
        """Another client spent from this key lately (this window or the last)."""
        return self.others > 0 or self.others_before > 0

    @property
    def unsure(self) -> bool:
        """The server had counted requests in this window before this process's first, and no
        second answer has told yet whether a client is still spending (another logview, mid-load)
        or they were done (this one's previous run)."""
        return bool(self.before_start) and self.mine < 2 and not self.seen

    def per_window(self) -> int:
        """What the others spend of a window, as far as seen (0 while none has been)."""
        return max(self.others, self.others_before)

    def expected_per_window(self) -> float:
        """What the others will likely spend of a whole window, for an estimate of when a backfill
        is done (not for the pace): the last window's; in the first, at the pace it went until the
        last answer. (With the first window's count so far, the first estimates beside another
        logview's tails ran 30-45% short: s18 W6.)"""
        return self._first_window() if self.windows <= 1 else max(self.expected_before, float(self.others))

    def _first_window(self) -> float:
        """What the others will spend of the first window. Once an answer has shown them spending
        beside this process (remaining fell by more than its own requests), what the server had
        counted before its first request was theirs or this logview's previous run's: half of it
        is taken as theirs. (Counting only what they spent from then on, a logview launched late in
        a window the other's two tails had half spent said "done in" 38% short, s18 W6; all of it
        overshot as often, by up to 2.7 times: that window had been theirs alone.)"""
        seen = self._whole(self.others)
        if self.others <= 0 or not self.before_start:
            return seen
        return (seen + self._whole(self.others + self.before_start)) / 2

    def _whole(self, count: int) -> float:
        """`count` spent by the last answer at that pace over the whole window (half of it gone at
        the least: a few requests early in a window, a tail's polls together, are not its pace)."""
        return count / max(self.gone, 0.5)

    def reserve(self, now: float, resets_in_s: float, window_s: float, limit: int) -> int:
        """Requests to count as spent by the others since the last answer, at their pace, plus
        one: at most half the limit; none while no other has been seen. The time counted is at most
        what is left until the reset: the others pace themselves as this one does, spending what
        the window has left ever more slowly. (Counting up to the whole time since the answer held
        more back at the window's end, where it was left unspent: two logviews made 83 requests
        a minute of a budget of 120 against 99.)"""
        if not self.seen:
            return 0
        per_s = self.per_window() / max(window_s, 1e-9)
        since_told = max(0.0, min(now - self.told_at, resets_in_s))
        return min(limit // 2, math.ceil(per_s * since_told) + 1)
