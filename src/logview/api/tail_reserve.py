"""What the running live tails keep back from the backfill in their key's request budget
(`budget.py`): their polls still to come before the window resets, and, when those polls would
take more than half of a window, whose turn the next request is.

Apart from the budget because it is a policy of its own (the budget asks it how many requests the
tails will make, and whom to let go first) and reads alone. A reserve knows its budget only as what
it releases itself from: importing `budget.py` here would be an import loop.

The policy. The tails go before the backfill and keep back one request per tail interval, so that
each poll goes on time, but never more than half of the window: a tail polling every 2 s would
need 1,800 requests of Supermetrics' hour, more than a whole hourly budget of 20 or 40, and took
every request while the backfill never advanced (found in a walk). Tails that would need more than
half a window ("over half") take turns with the backfill: a request each while both wait, each
keeping half of what remains, so the backfill always advances and the tail's polls are paced to
the other half.
"""

from __future__ import annotations

import math
from typing import NamedTuple, Protocol

import msgspec


class _Holder(Protocol):
    """The budget a reserve is held in (`budget.Budget`)."""

    def release_tail_reserve(self, reserve: TailReserve) -> None: ...


class TailReserve(msgspec.Struct, eq=False):  # (each its own: compared by identity, as a budget releases it)
    """Requests a running tail keeps back from the backfill: `per_cycle` every `interval_s` until
    the window resets. Release it (or leave the `with` block) when the tail stops."""

    budget: _Holder
    interval_s: float
    per_cycle: int = 1
    held: bool = True  # (set by `release`, not given)
    last_poll: float | None = None  # clock time of the tail's last request (set by `TailReserves.polled`)

    def due_before(self, now: float, reset_at: float) -> int:
        """Requests this tail will make from `now` until `reset_at`: its polls still to come, one
        now if it is overdue (what it has already polled this window is not held back again)."""
        next_due = now if self.last_poll is None else max(now, self.last_poll + self.interval_s)
        if next_due >= reset_at:
            return 0
        return (math.floor((reset_at - next_due) / self.interval_s) + 1) * self.per_cycle

    def per_window(self, window_s: float) -> int:
        """Requests this tail would make in a whole window."""
        return max(1, math.ceil(window_s / self.interval_s)) * self.per_cycle

    def release(self) -> None:
        if self.held:
            self.held = False
            self.budget.release_tail_reserve(self)

    def __enter__(self) -> TailReserve:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()


class TailReserves(msgspec.Struct, eq=False):
    """The reserves of the tails running on one budget."""

    held: list[TailReserve] = msgspec.field(default_factory=list)
    backfill_next: bool = False  # over half, the tail had the last request: the backfill's turn
    backfill_went: bool = False  # the backfill had the last request (still under way: it takes its turn again)

    def __bool__(self) -> bool:
        return bool(self.held)

    def __len__(self) -> int:
        return len(self.held)

    def demand(self, now: float, reset_at: float) -> int:
        """Requests the running tails will make from `now` until `reset_at`."""
        return sum(reserve.due_before(now, reset_at) for reserve in self.held)

    def over_half(self, window_s: float, limit: int) -> bool:
        """Whether the tails would need more than half of a whole window: then they take turns (for
        the whole window: by the polls to come until the reset, they fitted in half near each reset,
        and the tail took every request there again)."""
        return self._needed_per_window(window_s) > limit // 2

    def reserve(self, now: float, reset_at: float, window_s: float, limit: int, own: float) -> int:
        """Requests the backfill leaves to the tails until the reset: their polls to come, at most
        half the limit; over half, at most half of what remains (the other half is the backfill's)."""
        cap = math.ceil(max(0.0, own) / 2) if self.over_half(window_s, limit) else limit // 2
        return min(self.demand(now, reset_at), cap)

    def per_window(self, window_s: float, limit: int) -> int:
        """Requests the tails keep back in a whole window (at most half of it)."""
        return min(limit // 2, self._needed_per_window(window_s))

    def _needed_per_window(self, window_s: float) -> int:
        """Requests the tails would make in a whole window, all their polls on time."""
        return sum(reserve.per_window(window_s) for reserve in self.held)

    def shortest_interval(self) -> float:
        return min(reserve.interval_s for reserve in self.held)

    def polled(self, now: float, window_s: float, limit: int) -> None:
        """A tail's poll (or a new query's first page: near enough) went at `now`."""
        self.backfill_next, self.backfill_went = self.over_half(window_s, limit), False
        for reserve in self.held:
            reserve.last_poll = now

    def backfill_granted(self) -> None:
        """A backfill's request went: the tails' turn is next."""
        self.backfill_next, self.backfill_went = False, True

    def next_due_in(self, now: float) -> float:
        """Seconds until the soonest tail's interval since its last poll has passed (0: due now, or none polled)."""
        return max(0.0, min((r.last_poll + r.interval_s - now for r in self.held if r.last_poll is not None),
                            default=0.0))

    def timing(self, now: float, pace: TailPace) -> TailTiming:
        """When the tails' next poll goes and how often the pace lets them go (`TailTiming`)."""
        # (over half, a backfill that waits, or whose request is under way, takes every other request)
        shares = pace.backfill_may_turn and (pace.backfill_waits or self.backfill_went)
        turn_s = pace.token_s if shares and pace.backfill_waits and self.backfill_next else 0.0  # (its request first)
        if pace.tail_waits:
            next_s = pace.delay_s + turn_s
        else:  # (between two polls: the next as the pace and its interval let it go, not "none waits")
            next_s = max(pace.delay_s, self.next_due_in(now)) if self.held else 0.0
        # (the pace holds each poll back, not a burst's tokens: a burst lets them go at their interval); taking
        # turns, a poll every other token, whoever's turn is next (it said ~2 s after a poll, ~1 s after the
        # backfill's request: found in a walk)
        period = pace.token_s * (2 if shares else 1) if self.held and pace.tokens < 2 else 0.0
        return TailTiming(next_s, period if period < pace.window_s else 0.0)  # (longer: the window is spent)

    def poll_in(self, now: float, token_s: float, window_s: float, limit: int) -> float | None:
        """Seconds until a tail's next poll when it comes sooner than the token after this one
        (a little late counts: its timer may lag); None when no tail is about to poll, or the
        tails are over half (they take turns with the backfill instead)."""
        if self.over_half(window_s, limit):
            return None
        polls = [r.last_poll + r.interval_s - now for r in self.held if r.last_poll is not None]
        soon = [due for due in polls if -TAIL_GRACE_S <= due < token_s]
        return max(0.0, min(soon)) if soon else None


class TailPace(NamedTuple):
    """The budget's pace as a tail's timing reads it (`TailReserves.timing`)."""

    tail_waits: bool  # a tail's poll waits for the budget now
    delay_s: float  # until a tail's request may go by the pace (0: now)
    token_s: float  # seconds a token of the pace takes to come
    backfill_may_turn: bool  # the tails are over half, and the backfill has requests left: they take turns
    backfill_waits: bool  # a backfill's request waits for the budget
    tokens: float  # the pace's tokens now
    window_s: float


class TailTiming(NamedTuple):
    """`next_s`: seconds until a tail's next poll goes (0: none runs, or it may go now); `period_s`: the
    seconds between its polls while the pace holds them to that (0: it does not, or the reset does)."""

    next_s: float
    period_s: float


TAIL_GRACE_S = 0.25  # how late a tail's poll may be and still have its token kept
