"""When a request budget (`budget.py`) lets a backfill's requests go: its estimate, read off the
budget's pace, its tails' turns and what other clients of the key take (`others_use.py`), for the
status line's and `export -v`'s "done in ~2m 05s" and "next page ~7m 57s".

A part of `Budget` (its `estimates`), apart from it as it only reads it: what it reads is a
`PaceReading` the budget hands it (`Budget.pace_reading`), and the pace's tokens when it needs
them (`Budget.refilled_tokens`: they are refilled as they are read, so only then).
"""

from __future__ import annotations

import math
from typing import Protocol

import msgspec


class PaceReading(msgspec.Struct, frozen=True):
    """A budget's pace at one moment: all its estimates read of it (see `budget.py` for the model)."""

    now: float  # the budget's clock
    blocked_s: float  # until a 429's wait ends
    resets_in_s: float  # until the window resets
    own: float  # what remains of the window for this process (less what other clients will likely spend)
    backfill_free: float  # of that, what the running tails leave the backfill (not below 0)
    expected_fits: bool  # what the running backfills said they need fits in `backfill_free`: none is paced
    rate: float  # the pace: tokens a second
    burst: int  # the tokens a window opens with
    tails_halve: bool  # the tails take over half a window: they take turns with the backfill
    backfill_turn: bool  # ... and the backfill has the next
    unspent: bool  # the server's count never falls (`Budget._unspent`)
    limit: int
    window_s: float
    window_unknown: bool  # the limit is not the published one and nothing has shown the window
    tails_per_window: int  # the requests the running tails take a whole window
    others_per_window: float  # what other clients of the key are expected to take a window (`OthersUse`)
    pace_window_s: float  # against a count that never falls: the window its pace is spread over
    advertised_rate: float  # ... and that pace (`Budget._advertised_rate`)


class PacedBudget(Protocol):
    """What an estimate reads of its `Budget` (importing `budget.py` would be an import loop)."""

    def pace_reading(self) -> PaceReading: ...
    def refilled_tokens(self, now: float) -> float: ...


class Estimates:
    """`Budget.estimates`: when its pace lets a number of backfill requests go."""

    def __init__(self, budget: PacedBudget) -> None:
        self._budget = budget

    def eta_s(self, requests: int) -> float | None:
        """Seconds until `requests` more backfill requests are done at the current pace; None when that depends
        on how long a window is and nothing has shown it: the server's limit is not the published one, so
        neither need its window be (10 requests a window could be a minute's or 5 s's, an estimate ten times out)."""
        if requests <= 0:
            return 0.0
        budget = self._budget
        pace = budget.pace_reading()
        start, span, free_now = pace.blocked_s, pace.resets_in_s, pace.backfill_free
        if pace.unspent:
            return start + self._unspent_s(requests, pace)
        if requests <= free_now:
            if pace.expected_fits:
                return start
            # the pace's tokens to come (taking turns with the tails, every other one)
            tokens = budget.refilled_tokens(pace.now)
            needed = requests * 2 - pace.backfill_turn if pace.tails_halve else requests
            left, own = max(0.0, needed - max(0.0, tokens)), max(pace.own, 1.0)
            # (of the pace, the others take their share until the reset; what is left goes by then)
            others = pace.others_per_window * span / pace.window_s
            share = max(1 - others / own, left / own, 0.05)
            return start + round(left / max(pace.rate * share, 1e-9), 6)  # (41.00000000000001 s for 41)
        if pace.window_unknown:
            return None
        others = math.ceil(pace.others_per_window)  # (another logview's share)
        per_window = max(1, pace.limit - pace.tails_per_window - others)
        return max(start, span) + (requests - free_now) / per_window * pace.window_s

    def _unspent_s(self, requests: int, pace: PaceReading) -> float:
        """Against a count that never falls (it never runs out, nor is a reset waited for): the
        burst's tokens at once, the rest at the pace (`Budget._advertised_rate`) until the reset;
        then each window opens with its burst and paces the rest (s19 V6 said "done in ~104 s" for
        a fill done in 10, and a straight line missed the bursts: 41 s for 21)."""
        tokens, span = self._budget.refilled_tokens(pace.now), pace.resets_in_s
        rate = max(pace.rate, 1e-9)
        paced = requests - max(0.0, tokens)
        if paced <= rate * span:
            return max(0.0, paced) / rate
        left, burst = paced - rate * span, float(pace.burst)
        window, per_s = pace.pace_window_s, max(pace.advertised_rate, 1e-9)
        windows = max(0, math.floor((left - burst) / (burst + per_s * window)))  # (whole ones before the last)
        left -= windows * (burst + per_s * window)
        return span + windows * window + max(0.0, left - burst) / per_s
