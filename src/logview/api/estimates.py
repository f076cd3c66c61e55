"""When a request budget (`budget.py`) lets a backfill's requests go: its estimate, read off the
budget's pace, its tails' turns and what other clients of the key take (`others_use.py`), for the
status line's and `export -v`'s "done in ~2m 05s" and "next page ~7m 57s".

Apart from the budget, which it only reads: a mixin of `Budget` (whose state it reads as its own;
importing `budget.py` here would be an import loop).
"""

from __future__ import annotations

import math


class Estimates:
    """`Budget.eta_s`."""

    def eta_s(self, requests: int) -> float | None:
        """Seconds until `requests` more backfill requests are done at the current pace; None when that depends
        on how long a window is and nothing has shown it: the server's limit is not the published one, so
        neither need its window be (10 requests a window could be a minute's or 5 s's, an estimate ten times out)."""
        if requests <= 0:
            return 0.0
        now = self._clock()
        self._roll(now)
        start = max(0.0, self._blocked_until - now)
        span = self._resets_in(now)
        free_now = max(0.0, self._own(now) - self._reserve(now))
        if requests <= free_now:
            if self._expected_fits(free_now):
                return start
            self._refill(now)  # the pace's tokens to come (taking turns with the tails, every other one)
            needed = requests * 2 - self._backfill_turn(now) if self._over_half(now) else requests
            left, own = max(0.0, needed - max(0.0, self._tokens)), max(self._own(now), 1.0)
            # (of the pace, the others take their share until the reset; what is left goes by then)
            share = max(1 - self._others.expected_per_window() * span / self._window_s / own, left / own, 0.05)
            return start + round(left / max(self._rate(now) * share, 1e-9), 6)  # (41.00000000000001 s for 41)
        if self._unspent():
            # A count that never falls never runs out: the pace spreads the same R remaining over
            # the time T left, ever faster as the reset nears (R / (T - t) a second), so n requests
            # take T (1 - e^(-n/R)): done by the reset, give or take the time each request takes (s19 V6 said "done in ~104 s" for a
            # fill done in 10, waiting for windows; a straight line at today's pace, s20 S20-2,
            # said 3m 51s for 58 s and then dropped its estimate for the last third of a fill).
            # The burst's tokens go first, and what is left once it fits in what remains goes at once.
            self._refill(now)
            paced = requests - free_now - max(0.0, self._tokens)
            return start + (span * -math.expm1(-paced / max(self._own(now), 1.0)) if paced > 0 else 0.0)
        if self._window_guessed and self._limit != self._published_limit:
            return None
        full_reserve = self._tails.per_window(self._window_s, self._limit)
        others = math.ceil(self._others.expected_per_window())  # (another logview's share)
        per_window = max(1, self._limit - full_reserve - others)
        return max(start, span) + (requests - free_now) / per_window * self._window_s
