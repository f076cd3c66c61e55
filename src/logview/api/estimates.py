"""When a request budget (`budget.py`) lets a backfill's requests go: its estimate, read off the
budget's pace, its tails' turns and what other clients of the key take (`others_use.py`), for the
status line's and `export -v`'s "done in ~2m 05s" and "next page ~7m 57s".

A part of `Budget` (its `estimates`), apart from it as it only reads it: it is handed its budget,
typed by what it reads of it (`PacedBudget`: importing `budget.py` would be an import loop).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Protocol

from logview.api.others_use import OthersUse
from logview.api.tail_reserve import TailReserves


class PacedBudget(Protocol):
    """What an estimate reads of its `Budget` (its model: see `budget.py`)."""

    _clock: Callable[[], float]
    _blocked_until: float
    _tokens: float
    _limit: int
    _published_limit: int
    _window_s: float
    _window_guessed: bool
    _others: OthersUse
    _tails: TailReserves

    def _roll(self, now: float) -> None: ...
    def _refill(self, now: float) -> None: ...
    def _resets_in(self, now: float) -> float: ...
    def _own(self, now: float) -> float: ...
    def _reserve(self, now: float) -> int: ...
    def _rate(self, now: float) -> float: ...
    def _over_half(self, now: float) -> bool: ...
    def _backfill_turn(self, now: float) -> bool: ...
    def _expected_fits(self, free: float) -> bool: ...
    def _unspent(self) -> bool: ...
    def _pace_window(self) -> float: ...
    def _advertised_rate(self) -> float: ...
    def _burst(self) -> int: ...


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
        now = budget._clock()
        budget._roll(now)
        start = max(0.0, budget._blocked_until - now)
        span = budget._resets_in(now)
        free_now = max(0.0, budget._own(now) - budget._reserve(now))
        if budget._unspent():
            return start + self._unspent_s(requests, now, span)
        if requests <= free_now:
            if budget._expected_fits(free_now):
                return start
            budget._refill(now)  # the pace's tokens to come (taking turns with the tails, every other one)
            needed = requests * 2 - budget._backfill_turn(now) if budget._over_half(now) else requests
            left, own = max(0.0, needed - max(0.0, budget._tokens)), max(budget._own(now), 1.0)
            # (of the pace, the others take their share until the reset; what is left goes by then)
            others = budget._others.expected_per_window() * span / budget._window_s
            share = max(1 - others / own, left / own, 0.05)
            return start + round(left / max(budget._rate(now) * share, 1e-9), 6)  # (41.00000000000001 s for 41)
        if budget._window_guessed and budget._limit != budget._published_limit:
            return None
        full_reserve = budget._tails.per_window(budget._window_s, budget._limit)
        others = math.ceil(budget._others.expected_per_window())  # (another logview's share)
        per_window = max(1, budget._limit - full_reserve - others)
        return max(start, span) + (requests - free_now) / per_window * budget._window_s

    def _unspent_s(self, requests: int, now: float, span: float) -> float:
        """Against a count that never falls (it never runs out, nor is a reset waited for): the
        burst's tokens at once, the rest at the pace (`Budget._advertised_rate`) until the reset;
        then each window opens with its burst and paces the rest (s19 V6 said "done in ~104 s" for
        a fill done in 10, and a straight line missed the bursts: 41 s for 21)."""
        budget = self._budget
        budget._refill(now)
        rate = max(budget._rate(now), 1e-9)
        paced = requests - max(0.0, budget._tokens)
        if paced <= rate * span:
            return max(0.0, paced) / rate
        left, burst = paced - rate * span, float(budget._burst())
        window, pace = budget._pace_window(), max(budget._advertised_rate(), 1e-9)
        windows = max(0, math.floor((left - burst) / (burst + pace * window)))  # (whole ones before the last)
        left -= windows * (burst + pace * window)
        return span + windows * window + max(0.0, left - burst) / pace
