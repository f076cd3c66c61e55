"""One request budget per API key and host (handed out by `budgets.py`), shared by everything
that uses them: it reads the rate-limit headers, paces requests so that a steady run never meets a
429, lets the live tail go first (keeping back what a running tail will need: `tail_reserve.py`),
and says when it binds. A new query's first page goes before all, unpaced: what the user has just
asked for takes any request the window has left.

Pacing spreads what remains of the window over the time left in it: a token bucket refilled at
`remaining / seconds-to-reset` (recomputed at every change, so surplus left late in a window is
used, and a window nearly spent slows down). A fresh window (after the first, once a probe has
confirmed it) may spend a quarter of what remains at once, so a short query is not stretched out;
the rest is spread, which keeps any window-long span within the limit even on a server that
counts a sliding window. A request is never granted beyond the remaining count, less the requests
in flight or sent since the last response said how many remained. Free of httpx (the client hands
it each response's headers). One thread and one event loop at a time; a budget outlives loops
(tests run many): each waiter makes its own future in the loop it runs in."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable, Mapping
from functools import partial

from msgspec.structs import replace

from logview.api.budget_waiters import Waiters
from logview.api.estimates import Estimates, PaceReading
from logview.api.others_use import OthersUse
from logview.api.ratelimit import RateHeaders, read_rate_headers, uncounted_answers
from logview.api.tail_reserve import TAIL_GRACE_S, TailPace, TailReserve, TailReserves, TailTiming
from logview.api.types import BudgetState, BudgetWaitTooLong, Priority  # (the latter: for the callers)

# The published limits, used until the server's headers say otherwise. Aitronos: "about 100
# requests a minute". Supermetrics documents an hourly limit but no figure; its 429 may ask to
# wait an hour or a day, so a guess too high costs far more than one too low (which only costs
# speed until the first response's X-RateLimit-Limit replaces it): 1000 an hour, one request per
# 3.6 s steady after a short burst.
PUBLISHED_DEFAULTS: dict[str, tuple[int, float]] = {"aitronos": (100, 60.0), "supermetrics": (1000, 3600.0)}
BURST_SHARE = 0.25  # of what remains in a window, the part that may go at once
MIN_SPAN_S = 0.05  # the shortest time a window's remainder is spread over
MIN_CAUTION = 0.25  # after 429s the pace is at most quartered
BINDS_AFTER_S = 1.0  # a wait longer than this is worth telling the user
LET_THROUGH_S = 30.0  # `r`'s one request goes within this, or not at all (a reload starts its request at once)


class Budget:
    """The requests one key may still make to one host, and who may make them next."""

    def __init__(
        self,
        api: str,
        *,
        host: str = "",
        limit: int | None = None,
        window_s: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        default_limit, default_window = PUBLISHED_DEFAULTS.get(api, PUBLISHED_DEFAULTS["aitronos"])
        self.api, self.host = api, host
        self._clock, self._wall = clock, wall
        self._limit = limit or default_limit
        self._window_s = window_s or default_window
        self._published_limit, self._published_window = default_limit, default_window
        self._window_guessed = window_s is None  # the published window: nothing has shown the server's
        self._known = False  # the limit came from a header
        self._reset_known = False  # the reset time came from a header
        self._last_reset_epoch: float | None = None
        self._window_learned = False  # from two windows' resets
        self._reported: int | None = None  # remaining as the last response said, or assumed
        self._base = self._limit  # remaining at the last report (or the window's start)
        self._unseen = 0  # requests granted since that report
        self._in_flight = self._late_possible = 0  # (the latter: answers due from requests in flight at that report)
        self._uncounted = 0  # answers in a row whose count our requests did not spend (see `_unspent`)
        self._reset_at: float | None = None  # clock time; the assumed window opens with the first request
        self._blocked_until = 0.0
        self._let_through_until = 0.0  # `lift_block`: the next request goes at once, whatever the pace
        self._caution, self._caution_until = 1.0, 0.0
        self._tails = TailReserves()
        self._expected: dict[object, int] = {}  # requests each running backfill still needs, when it knows
        self._others = OthersUse()  # what other clients of the key spend (another logview, say)
        self._tokens = float(self._burst())  # as if the window were fresh: the first answer corrects it
        self._refilled_at = clock()
        self._waiters = Waiters(sleep)
        self.estimates = Estimates(self)  # (`eta_s`: when the pace lets n backfill requests go)
        self.version = 0  # bumped at every change: a status line polls it (and `state()`) once a second

    def __repr__(self) -> str:
        return f"Budget({self.api!r}, host={self.host!r}, {self._available():.0f}/{self._limit})"

    # -- the model ------------------------------------------------------------------------
    def _burst(self) -> int:
        # plus one kept ready for each tail: a backfill that leaves a tail its token keeps its own
        return max(1, math.floor(max(0.0, self._own(self._clock())) * BURST_SHARE)) + len(self._tails)

    def _available(self) -> float:
        return self._base - self._unseen

    def _own(self, now: float) -> float:
        """What remains for this process: less what other clients of the key will likely spend."""
        return self._available() - self._others.reserve(now, self._resets_in(now), self._window_s, self._limit)

    def _resets_in(self, now: float) -> float:
        return self._window_s if self._reset_at is None else max(0.0, self._reset_at - now)

    def _margin(self) -> float:
        """Time past a reset before the new window is trusted: clocks and roundings differ."""
        return min(0.25, self._window_s * 0.02)

    def _rate(self, now: float) -> float:
        """Tokens a second: what remains spread over the time left, slower after 429s (`_unspent`: see there)."""
        caution = self._caution if now < self._caution_until else 1.0
        rate = max(0.0, self._own(now)) / max(self._resets_in(now), MIN_SPAN_S)
        return (min(rate, self._advertised_rate()) if self._unspent() else rate) * caution

    def _advertised_rate(self) -> float:
        """Against a count that never falls, the limit a window less the burst each window opens with (the same
        remaining spread over an ever shorter time went ~5 times the limit a minute, s20; a stuck header may count)."""
        return max(1.0, self._limit - self._burst()) / self._pace_window()

    def _pace_window(self) -> float:
        """`_advertised_rate`'s: one seen between two resets, else at least the published (17 s of 60 was taken)."""
        return self._window_s if self._window_learned else max(self._window_s, self._published_window)

    def _refill(self, now: float) -> None:
        elapsed = max(0.0, now - self._refilled_at)
        self._tokens = min(float(self._burst()), self._tokens + elapsed * self._rate(now))
        self._refilled_at = now

    def _roll(self, now: float) -> None:
        """Open the next window once the current one has ended (and its margin passed)."""
        if self._reset_at is None or now < self._reset_at + self._margin():
            return
        self._refill(now)
        while self._reset_at <= now:
            self._reset_at += self._window_s
        self._base, self._unseen, self._reported = self._limit, self._in_flight, None
        self._tokens = max(self._tokens, 1.0)  # a new window certainly has room for one: probe it
        self._changed()

    def _reserve(self, now: float) -> int:
        """Requests the backfill leaves to running tails until the reset (`TailReserves.reserve`)."""
        return self._tails.reserve(now, now + self._resets_in(now), self._window_s, self._limit, self._own(now))

    def _backfill_turn(self, now: float) -> bool:
        """Tails over half a window had the last request, and the backfill may have the next."""
        return self._tails.backfill_next and self._over_half(now) and self._own(now) - self._reserve(now) >= 1

    def _over_half(self, now: float) -> bool:
        return self._tails.over_half(self._window_s, self._limit)

    def _delay(self, priority: Priority, now: float) -> float:
        """Seconds until a request of this priority may go; 0: now."""
        if now < self._let_through_until:
            return 0.0
        if now < self._blocked_until or priority is Priority.BACKFILL and self._others.unsure and self._in_flight:
            return max(self._blocked_until - now, MIN_SPAN_S)  # (a 429's wait; or one at a time: OthersUse.unsure)
        if self._unpaced(priority, now) or (priority is Priority.FIRST and self._own(now) >= 1):
            return 0.0
        free = self._own(now) - (self._reserve(now) if priority is Priority.BACKFILL else 0)
        if free < 1:
            wait = self._window_s if self._reset_at is None else self._reset_at + self._margin() - now
            if priority is Priority.BACKFILL and self._tails and self._own(now) >= 1:
                # The reserve shrinks as the reset nears: look again within a tail interval.
                wait = min(wait, self._tails.shortest_interval())
            return max(MIN_SPAN_S, wait)
        self._refill(now)
        if priority is Priority.BACKFILL and self._tokens < 2 and (poll_in := self._tails.poll_in(
                now, 1 / max(self._rate(now), 1e-9), self._window_s, self._limit)) is not None:
            # A tail polls before the next token would come: leave it this one (its grant wakes us).
            return max(MIN_SPAN_S, poll_in + TAIL_GRACE_S)
        if self._tokens >= 1 - 1e-9:
            return 0.0
        return max(1e-3, (1 - self._tokens) / max(self._rate(now), 1e-9))

    def _unspent(self) -> bool:
        """The server's count is not spent by our requests: two answers in a row said so (`uncounted_answers`)."""
        return self._uncounted >= 2

    def _unpaced(self, priority: Priority, now: float) -> bool:
        """A backfill request that may go at once, without a token: what every backfill still
        needs fits in what the window has left for them (the tail's tokens are left to it)."""
        free = self._own(now) - self._reserve(now)
        return priority is Priority.BACKFILL and now >= self._blocked_until and free >= 1 and self._expected_fits(free)

    def _paced(self, priority: Priority, now: float) -> bool:
        """Whether a request granted now takes a token of the pace: not an unpaced backfill's,
        nor a first page's beyond the tokens there are (it leaves the pace no debt to pay back)."""
        if priority is Priority.FIRST:
            self._refill(now)
            return self._tokens >= 1
        return not self._unpaced(priority, now)

    def _expected_fits(self, free: float) -> bool:
        """Whether what the running backfills still need (as far as they said) fits in what this window has left
        for them (never what a count that never falls says remains): then spreading it gains nothing, no one waits."""
        return bool(self._expected) and not self._unspent() and sum(self._expected.values()) <= free

    def expect_backfill(self, backfill: object, requests: int | None) -> None:
        """`backfill` (any key of the caller's) still needs `requests` requests (None: unknown,
        or it ended). While all the backfills that said fit in what remains, none is paced."""
        if requests:
            self._expected[backfill] = requests
        else:
            self._expected.pop(backfill, None)
        self._changed()

    # -- waiting --------------------------------------------------------------------------
    def _changed(self) -> None:
        self.version += 1
        self._waiters.wake_all()

    async def acquire(
        self,
        priority: Priority = Priority.LIVE,
        *,
        max_wait_s: float | None = None,
        on_wait: Callable[[BudgetState], None] | None = None,
    ) -> None:
        """Wait until one request may be sent, and count it sent (call `settle` when it is answered).
        FIRST requests go before LIVE ones, and LIVE before any BACKFILL one, however long that has
        waited; a FIRST one is not paced (what remains of the window is enough). Raises
        BudgetWaitTooLong when the wait would exceed `max_wait_s`; `on_wait` hears once about a
        wait longer than BINDS_AFTER_S."""
        loop = asyncio.get_running_loop()
        waiter = self._waiters.join(priority, self._clock())
        first, told = True, False
        try:
            while True:
                now = self._clock()
                self._roll(now)
                head = self._waiters.head(loop, partial(self._backfill_turn, now))
                delay = self._delay(priority, now) if head is waiter else None
                if delay == 0.0:
                    self._grant(now, priority, token=self._paced(priority, now))
                    return
                expected = now - waiter.since + (delay or 0.0)
                if max_wait_s is not None and expected > max_wait_s:
                    raise BudgetWaitTooLong(expected, self.state())
                if first:
                    first = False
                    self._changed()  # someone waits: news for the status line
                if not told and expected > BINDS_AFTER_S:
                    told = True
                    if on_wait is not None:
                        on_wait(self.state())
                await self._waiters.pause(waiter, delay)
        finally:
            self._waiters.leave(waiter, self._clock())
            self._changed()

    def _grant(self, now: float, priority: Priority, *, token: bool = True) -> None:
        if priority is not Priority.BACKFILL:
            self._tails.polled(now, self._window_s, self._limit)
        else:
            self._tails.backfill_granted()
        if now < self._let_through_until:  # (the one `r` let through: no token of the pace)
            self._let_through_until, token = 0.0, False
        if token:
            self._tokens -= 1
        self._unseen += 1
        self._in_flight += 1
        if self._reset_at is None:
            self._reset_at = now + self._window_s
        self._changed()

    # -- what the server says -------------------------------------------------------------
    def settle(self, headers: Mapping[str, str] | None, status: int | None = None) -> None:
        """A granted request ended: with the response's headers and status, or None when no
        response came (it may still have reached the server, so it stays counted)."""
        now = self._clock()
        self._refill(now)
        self._in_flight = max(0, self._in_flight - 1)
        if headers is not None:
            self._observe(read_rate_headers(headers, now_epoch=self._wall()), status, now)
        self._changed()

    def _observe(self, said: RateHeaders, status: int | None, now: float) -> None:
        last_reset = self._last_reset_epoch
        if said.limit is not None:
            self._limit, self._known = said.limit, True
        if said.window_s is not None:
            self._window_s, self._window_guessed = said.window_s, False
        if said.reset_epoch is not None and said.reset_in_s is not None:
            last = self._last_reset_epoch
            if last is not None and said.reset_epoch < last - 0.5:
                said = RateHeaders(retry_after_s=said.retry_after_s)  # a late answer from a finished window
            else:
                if last is not None and said.reset_epoch > last + 0.5 and said.window_s is None:
                    # Consecutive windows end a window apart (or more, after an idle one).
                    apart = said.reset_epoch - last
                    self._window_s = min(self._window_s, apart) if self._window_learned else apart
                    self._window_learned, self._window_guessed = True, False
                elif (last is None and said.limit is not None and said.remaining is not None
                      and said.remaining >= said.limit - 1):
                    # The first request of a window: its reset is a window away (until two windows have been
                    # seen, this beats the published default by far). Only the first answer: a count that
                    # never falls said so of every answer, the window shrinking with the time left (to 4.9 s).
                    self._window_s, self._window_guessed = max(1.0, said.reset_in_s), False
                self._window_s = max(self._window_s, said.reset_in_s)  # no reset is beyond a window
                self._last_reset_epoch, self._reset_known = said.reset_epoch, True
                self._reset_at = now + said.reset_in_s
        if (said.remaining is not None and self._reported is not None and said.remaining > self._reported
                and said.reset_epoch is not None and abs(said.reset_epoch - (last_reset or 0.0)) <= 0.5
                and self._late_possible > 0):  # (none was due: a request sent since, believed: s17 M2)
            # a late answer from earlier in this window (what remains only falls): its request is counted
            said, self._unseen = replace(said, remaining=None), max(0, self._unseen - 1)
        self._late_possible = max(0, self._late_possible - 1)
        if said.remaining is not None:
            # The first word on this window, or a rise beyond what answers in flight explain: a
            # new window (without a Reset header, the only sign that one began). Its burst is known.
            fresh = self._reported is None or said.remaining > self._reported + self._in_flight or (
                said.reset_epoch is not None and last_reset is not None and said.reset_epoch > last_reset + 0.5)
            if fresh and self._reported is not None and said.reset_epoch is None:
                self._reset_at = now + self._window_s
            if fresh and said.reset_epoch is None:
                self._others.new_window(None)  # (with a Reset header, its epoch names the window)
            self._uncounted = uncounted_answers(self._uncounted, said.remaining, self._reported, self._limit,
                                                new_window=fresh, refused=status == 429)
            self._base, self._unseen, self._reported = said.remaining, self._in_flight, said.remaining
            self._late_possible = self._in_flight
            if self._known:
                self._others.observe(now, window=said.reset_epoch, limit=self._limit, remaining=said.remaining,
                                     in_flight=self._in_flight, refused=status == 429,
                                     gone=1 - self._resets_in(now) / self._window_s)
            if fresh:
                self._tokens = float(self._burst())
        if status == 429:
            wait = said.retry_after_s
            if wait is None:
                wait = said.reset_in_s if said.reset_in_s is not None else max(1.0, self._window_s / self._limit)
            self._blocked_until = max(self._blocked_until, now + wait)
            self._reset_at = self._blocked_until
            self._base, self._unseen, self._tokens = 0, self._in_flight, 0.0
            self._caution = max(MIN_CAUTION, (self._caution if now < self._caution_until else 1.0) / 2)
            self._caution_until = self._blocked_until + self._window_s

    def lift_block(self) -> None:
        """The user asked to send a request now (`r` during a 429's wait or with the window spent): the next
        one goes at once, whatever the pace, and the server's answer says the truth (a 429's Retry-After, or a
        new window's count). What remains and when the window resets stay as the server said: raising the
        one and restarting the other let nothing go past what other clients of the key are kept, and moved a
        Supermetrics reset a full hour from the key press, 38 min past the server's (s23 #11)."""
        self._blocked_until = 0.0
        self._let_through_until = self._clock() + LET_THROUGH_S
        self._changed()

    # -- the tail's reserve ---------------------------------------------------------------
    def hold_tail_reserve(self, interval_s: float, per_cycle: int = 1) -> TailReserve:
        """Keep `per_cycle` requests every `interval_s` back from the backfill while a tail runs."""
        reserve = TailReserve(self, max(0.1, interval_s), max(1, per_cycle))
        self._tails.held.append(reserve)
        self._changed()
        return reserve

    def release_tail_reserve(self, reserve: TailReserve) -> None:
        """The tail holding `reserve` stopped (`TailReserve.release`): its requests go back to the backfill."""
        if reserve in self._tails.held:
            self._tails.held.remove(reserve)
            self._changed()

    def goes_now(self, priority: Priority) -> bool:
        """Whether a request of `priority` asked for now would go at once: none waits, nor the pace."""
        now = self._clock()
        self._roll(now)
        return not self._waiters.any_waiting() and self._delay(priority, now) == 0.0

    # -- read by its estimates (`estimates.py`) --------------------------------------------
    def pace_reading(self) -> PaceReading:
        """The pace as it is now (the window rolled on if it has ended)."""
        now = self._clock()
        self._roll(now)
        free = max(0.0, self._own(now) - self._reserve(now))
        return PaceReading(
            now=now, blocked_s=max(0.0, self._blocked_until - now), resets_in_s=self._resets_in(now),
            own=self._own(now), backfill_free=free, expected_fits=self._expected_fits(free), rate=self._rate(now),
            burst=self._burst(), tails_halve=self._over_half(now), backfill_turn=self._backfill_turn(now),
            unspent=self._unspent(), limit=self._limit, window_s=self._window_s,
            window_unknown=self._window_guessed and self._limit != self._published_limit,
            tails_per_window=self._tails.per_window(self._window_s, self._limit),
            others_per_window=self._others.expected_per_window(),
            pace_window_s=self._pace_window(), advertised_rate=self._advertised_rate())

    def refilled_tokens(self, now: float) -> float:
        """The pace's tokens at `now` (refilled for the time since they last were: read them only when needed)."""
        self._refill(now)
        return self._tokens

    # -- what it says ---------------------------------------------------------------------
    def state(self) -> BudgetState:
        now = self._clock()
        self._roll(now)
        return BudgetState(
            limit=self._limit,
            remaining=max(0, math.floor(self._available())),
            window_s=self._window_s,
            resets_in_s=self._resets_in(now),
            # (not once it may go: a window just opened showed "API budget 10/10 … backfill waits")
            waiting=self._waiters.any_of(Priority.BACKFILL) and self._delay(Priority.BACKFILL, now) > 0,
            live_waits=self._waiters.ahead_of_backfill_waited(now, BINDS_AFTER_S),
            tail_next_s=(tail := self._tail_timing(now)).next_s,
            tail_period_s=tail.period_s,
            tail_halves=self._over_half(now),
            known=self._known,
            reset_known=self._reset_known,
            blocked_s=max(0.0, self._blocked_until - now),
            unspent=(unspent := self._unspent()),
            pace_window_s=self._pace_window() if unspent else 0.0,
            window_known=not (self._window_guessed and self._limit != self._published_limit),
            held_s=self._waiters.held_s,
        )

    def _tail_timing(self, now: float) -> TailTiming:
        """When a tail's next poll goes, and how often the pace lets the tails poll (`TailReserves.timing`)."""
        turns = self._over_half(now) and self._own(now) - self._reserve(now) >= 1  # (`_backfill_turn`, whoever's turn)
        return self._tails.timing(now, TailPace(
            self._waiters.any_of(Priority.LIVE), self._delay(Priority.LIVE, now), 1 / max(self._rate(now), 1e-9),
            turns, self._waiters.any_of(Priority.BACKFILL), self.refilled_tokens(now), self._window_s))
