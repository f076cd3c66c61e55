"""The HTTP layer's plain values — retry policy, retry events, request records, URL checks, and
what a request budget says about itself (`Priority`, `BudgetState`).

Kept apart from `http.py` so that what only talks about requests (the viewer's banner, the CLI's
URL check, opening a file) does not import httpx and tenacity: ~80 ms of every launch.
"""

from __future__ import annotations

import math
from enum import IntEnum
from urllib.parse import urlsplit

import msgspec

from logview.model import ApiError

LOOPBACK_HOSTS = frozenset({"localhost", "::1", "[::1]"})


class RetryPolicy(msgspec.Struct, frozen=True):
    max_retries: int = 5
    initial_backoff_s: float = 0.5
    max_backoff_s: float = 8.0
    # The longest wait slept through; longer Retry-After ends the request. None: any wait (the
    # viewer, which shows a countdown the user can cancel).
    max_wait_s: float | None = 60.0


class RetryEvent(msgspec.Struct, frozen=True):
    """A failed attempt that will be retried after `wait_s` seconds."""

    attempt: int
    max_attempts: int
    wait_s: float
    error: ApiError

    def describe(self) -> str:
        what = "rate limited" if self.error.status == 429 else self.error.summary()
        return f"{what} — retrying in {self.wait_s:.0f} s, attempt {self.attempt + 1}/{self.max_attempts}"


class RequestRecord(msgspec.Struct, frozen=True):
    """One attempt, for `-v` and the debug log. Holds no header, so never a secret."""

    method: str
    target: str  # path and query
    status: int | None
    elapsed_s: float
    outcome: str  # "ok", an error code


class Priority(IntEnum):
    """Who goes first when a budget binds: the lower value. FIRST: the first page of a query the
    user has just asked for, which may spend any request the window has left (unpaced: a pace
    spreading 1 of 3 requests over Supermetrics' hour held it ~an hour, found in a walk; the old
    query's tail it replaces needs none); LIVE: tail polls, paced; BACKFILL: the pages behind
    them, which leave the tail its reserve."""

    FIRST = 0
    LIVE = 1
    BACKFILL = 2


def _duration(seconds: float) -> str:
    """`41 s`, `12 min`, `3 h`: as precise as a status line needs."""
    if seconds < 90:
        return f"{math.ceil(seconds)} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.0f} h"


class BudgetState(msgspec.Struct, frozen=True):
    """What a request budget says about itself, for the status line and `export -v`. Holds no key."""

    limit: int
    remaining: int
    window_s: float
    resets_in_s: float
    waiting: bool  # a backfill request is waiting for the budget
    known: bool  # the limit came from the server's headers, not from the published defaults
    reset_known: bool = False  # the reset time came from a header (Supermetrics sends none)
    blocked_s: float = 0.0  # a 429's Retry-After still running: nobody may send until it passes
    # a tail poll or a query's first page has waited for the budget longer than is worth telling
    # (a first page paced by Supermetrics' hourly budget waits minutes: "loading page 1" alone hid why)
    live_waits: bool = False
    # a tail poll waits for the budget: the seconds until it may go (0: none waits); longer than
    # the tail's interval, "● live" alone promised rows that came minutes later (found in a walk)
    tail_next_s: float = 0.0
    # the seconds between a tail's polls while the budget's pace holds them to that (0: it does not): said
    # steadily, where the line flickered between "every 2 s", "next poll in ~7 s" and the budget's words (s23 #12)
    tail_period_s: float = 0.0
    # the live tails would need more than half of a window: they take turns with the backfill, which
    # gets every other request (`tail_reserve.py`); `t` pausing the tail gives the backfill all
    tail_halves: bool = False
    # the server's remaining never falls (a header stuck at its limit, or one only advertised): the
    # budget paces at the limit a window, and the line says that pace, not a reset nothing waits for
    unspent: bool = False
    pace_window_s: float = 0.0  # … over how long it spreads its limit (0: `window_s`)
    # the window is the API's published one or one seen; False: a limit not the published one and no
    # reset seen (Supermetrics sends none), so its reset time is not known ("resets ~60 min" was a guess)
    window_known: bool = True
    held_s: float = 0.0  # how long requests have waited for the budget, all told

    @property
    def _reset_unknown(self) -> bool:
        return not (self.reset_known or self.window_known)

    @property
    def binds(self) -> bool:
        """Worth showing: a request waits, or nothing can be sent right now."""
        return self.waiting or self.live_waits or self.blocked_s > 0 or self.remaining == 0

    def describe(self, waiting: str = "backfill waits") -> str:
        """`API budget 3/100 · resets in 41 s · backfill waits` (`~` marks what is assumed).
        `waiting` names what a request of the lower priority is: with no backfill running, the
        credential names or a connector listing the budget holds back; empty: nothing is said to wait."""
        guess = "" if self.known else "~"
        parts = [f"API budget {guess}{self.remaining}/{self.limit}"]
        if self.blocked_s > 0:
            parts.append(f"rate limited, resumes in {_duration(self.blocked_s)}")
        elif not self.names_what_waits:
            return f"{parts[0]} · {self.pace()}"  # (no reset is waited for, and nothing else holds it back)
        elif self._reset_unknown:
            parts.append("reset time unknown")
        else:
            parts.append(f"resets in {'' if self.reset_known else '~'}{_duration(self.resets_in_s)}")
        if self.waiting and waiting:
            parts.append(waiting)
        elif self.live_waits and waiting:
            parts.append("next request waits")
        return " · ".join(parts)

    @property
    def names_what_waits(self) -> bool:
        """Whether `describe` says what waits (an unspent count says its pace alone, but for a 429's wait)."""
        return self.blocked_s > 0 or not self.unspent

    def pace(self) -> str:
        """`100/min`, `1000/h`, `10 per 5 s`: the limit a window, the pace against an unspent count."""
        # (a window learned from the resets' whole seconds is a minute give or take one: 60.8 s)
        window = self.pace_window_s or self.window_s
        per = next((unit for length, unit in ((60.0, "/min"), (3600.0, "/h"))
                    if abs(window - length) <= length / 20), f" per {_duration(window)}")
        return f"{self.limit}{per}"

    def holds_next(self, wait_s: float) -> str:
        """Why logview holds the next request `wait_s` seconds, in its own words: its pace is no
        server's refusal (`RATE_LIMITED: API budget 7/10 …` read as a 429 that never came, s30).
        The requests left are said beside the wait, so a long wait with some left is no contradiction
        ("1/3" and "3600 s"), and the wait as the viewer counts it down (`8m 34s`, not `514 s`)."""
        wait = f"~{format_wait(wait_s)} from now"
        left = f"{'' if self.known else '~'}{self.remaining}/{self.limit} left"
        if self.blocked_s > 0:
            return f"the API answered 429 and asked to wait: the next request may go {wait} (API budget {left})"
        if self.unspent:
            return f"the API's published pace ({self.pace()}; its budget {left}) paces the next request to {wait}"
        if self._reset_unknown:  # (paced over the API's published window until a reset is seen)
            budget = f"{left}, reset time unknown: the API publishes a window of {_duration(self.window_s)}"
        else:
            budget = f"{left}, resets in {'' if self.reset_known else '~'}{_duration(self.resets_in_s)}"
        holds = "holds the next request until its reset," if self.remaining == 0 else "paces the next request to"
        return f"the API budget ({budget}) {holds} {wait}"

    def brief(self) -> str:
        """`budget 3/100 · resets 41 s`: `describe` for a narrow status line."""
        return f"{self.count()} · {self.holding()}"

    def count(self) -> str:
        """`budget 3/100` (`~3/100` while the count is assumed): `brief`'s first part."""
        return f"budget {'' if self.known else '~'}{self.remaining}/{self.limit}"

    def holding(self) -> str:
        """What holds requests back, in `brief`'s words: `429, resumes 20 s`, the pace, or the reset's
        time (`resets ~41 s`, `reset unknown`)."""
        if (wait := self.reset_wait()) is None:
            return f"429, resumes {_duration(self.blocked_s)}" if self.blocked_s > 0 else self.pace()
        return f"resets {'' if self.reset_known else '~'}{wait}" if wait else "reset unknown"

    def reset_wait(self) -> str | None:
        """The wait for the reset (`41 s`) where a reset is what requests wait for; "" where its time is
        not known; None where a 429's wait or the pace against an unspent count holds them instead."""
        if self.blocked_s > 0 or self.unspent:
            return None
        return "" if self._reset_unknown else _duration(self.resets_in_s)


def format_wait(seconds: float) -> str:
    """`4 s`, `2m 05s`, `1h 00m`: short for the eye, exact enough for a countdown."""
    whole = max(0, math.ceil(seconds))
    if whole < 120:
        return f"{whole} s"
    if whole < 7200:
        return f"{whole // 60}m {whole % 60:02d}s"
    return f"{whole // 3600}h {(whole % 3600) // 60:02d}m"


def no_answer(waited_s: float) -> str:
    """`no answer for 12 s`: a request sent and not answered, as the status line and `export -v` say it."""
    return f"no answer for {format_wait(waited_s)}"


def done_in(eta_s: float | None) -> str:
    """` · done in ~2m 05s`: when a backfill the budget holds back will finish, as the status line
    and `logview export -v` say it; empty without an estimate, or under a second."""
    return f" · done in ~{format_wait(eta_s)}" if eta_s is not None and eta_s >= 1 else ""


def pages_left(total: int | None, loaded: int, page_limit: int, max_entries: int | None) -> int | None:
    """Pages a backfill still has to fetch for `total` entries (capped at `max_entries`) when
    `loaded` are in; None when the server does not count them (Supermetrics)."""
    if total is None:
        return None
    wanted = total if max_entries is None else min(total, max_entries)
    return -(-max(0, wanted - loaded) // max(1, page_limit))


def is_loopback_host(host: str) -> bool:
    host = host.strip("[]").lower()
    if host in LOOPBACK_HOSTS or host == "::1":
        return True
    parts = host.split(".")
    return len(parts) == 4 and parts[0] == "127" and all(p.isascii() and p.isdecimal() and int(p) < 256 for p in parts)


def check_base_url(url: str) -> str:
    """Refuse URLs that would send a key in clear text: plain http only to loopback hosts."""
    try:
        parts = urlsplit(url)
    except ValueError as error:  # ('http://[::1': "Invalid IPv6 URL" alone named neither the flag nor the URL)
        shown = "" if "@" in url else f": {url!r}"  # (a password in it is shown nowhere, as below)
        raise ValueError(f"not a URL{shown} ({error})") from None
    if "@" in parts.netloc:
        # (said before anything quotes the URL: the password in it is shown nowhere)
        raise ValueError("a user or password in the URL (user:…@host) is refused: both APIs take the key in a "
                         "header, and the URL is kept in the archive and shown")
    if "?" in url or "#" in url:
        # (not quoted either: a query is where a token is pasted). A query would also be cut into
        # every request's path, as logview appends its own path and query to the base URL.
        raise ValueError("a query or fragment in the URL (…?… or …#…) is refused: logview adds its own path and "
                         "query to the base URL, and the URL is kept in the archive and shown")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    try:
        port = parts.port
    except ValueError:  # past 65535, or not a number
        port = 0
    if port == 0:  # (None: no port given, the scheme's own)
        raise ValueError(f"not a port in {url!r}: ports run from 1 to 65535")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise ValueError(
            f"refusing plain http:// for {parts.hostname}: https is required "
            "(http is accepted only for loopback hosts such as 127.0.0.1 and localhost)"
        )
    return url.rstrip("/")


class BudgetWaitTooLong(Exception):
    """The budget would make a request wait longer than the caller is prepared to."""

    def __init__(self, wait_s: float, state: BudgetState) -> None:
        super().__init__(f"the API budget allows the next request in {wait_s:.0f} s")
        self.wait_s, self.state = wait_s, state
