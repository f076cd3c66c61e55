"""Rate-limit budgets of the demo APIs: N requests per WINDOW_S seconds, one budget per API and per
key sent, in a fixed window that starts with the first request after the previous one ended (so
``X-RateLimit-Reset``, the window's end in epoch seconds, is the same for every request in it).

Without a budget the server only advertises the published limits (as it always did) and never
refuses; with one it answers 429 once a window's requests are spent. Keys stay in memory only.
A window of 2 s or more ends on a whole second, so that the Reset it announces is exact.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass

from .constants import PUBLISHED_BUDGETS

BUDGET_APIS = ("aitronos", "supermetrics")
_BUDGET = re.compile(r"\s*([0-9]+)\s*/\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*")
_MAX_BUCKETS = 4096  # distinct keys remembered per API before finished windows are dropped


@dataclass(frozen=True)
class Budget:
    """``requests`` per ``window_s`` seconds (a float, so tests can compress a minute to 0.5 s)."""

    requests: int
    window_s: float

    def __post_init__(self) -> None:
        if isinstance(self.requests, bool) or not isinstance(self.requests, int) or self.requests < 1:
            raise ValueError(f"a budget's requests must be an integer, 1 or more, not {self.requests!r}")
        if isinstance(self.window_s, bool) or not isinstance(self.window_s, (int, float)) \
                or not 0 < self.window_s < math.inf:
            raise ValueError(f"a budget's window must be a number of seconds above 0, not {self.window_s!r}")
        object.__setattr__(self, "window_s", float(self.window_s))

    @classmethod
    def parse(cls, text: str) -> Budget:
        """``"N/WINDOW_S"``, e.g. ``"100/60"`` or ``"10/0.5"``."""
        match = _BUDGET.fullmatch(text) if isinstance(text, str) else None
        try:
            if match is not None:
                return cls(int(match[1]), float(match[2]))
        except ValueError:
            pass
        raise ValueError(f"a budget is N/WINDOW_S (N requests, 1 or more, per WINDOW_S seconds above 0, "
                         f"e.g. 100/60), not {text!r}")

    def __str__(self) -> str:
        return f"{self.requests}/{self.window_s:g}"


_PUBLISHED = {api: Budget.parse(text) for api, text in PUBLISHED_BUDGETS.items()}

BudgetValue = Budget | str | None
# One value for both APIs, or a mapping that names the APIs it sets.
BudgetSpec = BudgetValue | Mapping[str, BudgetValue]


def _one(value: BudgetValue) -> Budget | None:
    if value is None or isinstance(value, Budget):
        return value
    return Budget.parse(value)


def budgets_from(spec: BudgetSpec) -> dict[str, Budget | None]:
    """The budgets a spec sets, by API: a single value sets both, a mapping only the APIs it names.
    Raises ValueError for an unknown API or a malformed budget."""
    if isinstance(spec, Mapping):
        unknown = set(spec) - set(BUDGET_APIS)
        if unknown:
            raise ValueError(f"budgets are per API ({', '.join(BUDGET_APIS)}), not {', '.join(sorted(map(repr, unknown)))}")
        return {api: _one(value) for api, value in spec.items()}
    budget = _one(spec)
    return {api: budget for api in BUDGET_APIS}


def parse_budget_option(values: list[str]) -> dict[str, Budget | None]:
    """``--budget`` values: ``N/WINDOW_S`` for both APIs or ``API=N/WINDOW_S`` for one, which wins
    over the one for both, given in either order. A second for the same API is a ValueError: the
    last was kept without a word (`--budget 1/5 --budget 2/5` enforced 2/5, found in a walk)."""
    both: dict[str, Budget | None] = {}
    own: dict[str, Budget | None] = {}
    typed: dict[str, str] = {}  # each value as typed, by the API it names ("": both)
    for value in values:
        api, sep, budget = value.partition("=")
        api = api.strip() if sep else ""
        if api in typed:
            raise ValueError(f"given twice for {api or 'both APIs'} ({typed[api]!r} and {value!r}): give one"
                             + ("" if api else ", or one per API (aitronos=N/WINDOW_S)"))
        typed[api] = value
        (own if api else both).update(budgets_from({api: budget} if api else value))
    return {**both, **own}


ALIGNED_FROM_S = 2.0  # windows this long or longer end on a whole second (shorter: tests' compressed ones)


def _window_start(now: float, window_s: float) -> float:
    """Where a window opened by a request at `now` starts: `now`, or a little before it so that
    it ends on a whole second. X-RateLimit-Reset is in whole epoch seconds: a window ending between
    two was announced as ending at the later, and a client that waited for that opened the next
    up to a second late (on 10/5, windows ~6 s apart and "resets in 6 s", found in a walk). A
    window under ALIGNED_FROM_S keeps its length: the second's rounding would take most of it."""
    if window_s < ALIGNED_FROM_S:
        return now
    return math.floor(now + window_s) - window_s


@dataclass(frozen=True)
class Verdict:
    """What one request may do and the headers that say so."""

    limit: int
    remaining: int
    reset_epoch: int  # the window's end, epoch seconds rounded up
    retry_after_s: int | None = None  # whole seconds until the window ends, when refused

    @property
    def allowed(self) -> bool:
        return self.retry_after_s is None


@dataclass(frozen=True)
class Served:
    """API responses served (every status, 429s included) and the 429s the budget answered."""

    requests: int = 0
    throttled: int = 0


class Budgets:
    """The budgets in force, each key's current window, and the served counts; thread-safe."""

    def __init__(self, spec: BudgetSpec = None) -> None:
        self._lock = threading.Lock()
        self._budgets: dict[str, Budget | None] = dict.fromkeys(BUDGET_APIS)
        self._windows: dict[str, dict[str | None, list[float]]] = {api: {} for api in BUDGET_APIS}  # [start, used]
        self._advertised: dict[str, list[int]] = {api: [0, 0] for api in BUDGET_APIS}  # [window number, used]
        self._served = {api: [0, 0] for api in BUDGET_APIS}  # [requests, throttled]
        self.set(spec)

    def set(self, spec: BudgetSpec) -> None:
        """Apply a spec (see `budgets_from`); an API whose budget changes starts fresh windows."""
        changes = budgets_from(spec)
        with self._lock:
            for api, budget in changes.items():
                self._budgets[api] = budget
                self._windows[api].clear()

    def of(self, api: str) -> Budget | None:
        with self._lock:
            return self._budgets[api]

    def served(self, api: str) -> Served:
        with self._lock:
            return Served(*self._served[api])

    def admit(self, api: str, key: str | None, *, charge: bool = True) -> Verdict:
        """Count one request by ``key`` (None: the anonymous bucket) and say whether it is within
        budget. A refused request costs nothing. ``charge=False`` only looks."""
        now = time.time()
        with self._lock:
            budget = self._budgets[api]
            if budget is None:
                return self._advertise(api, now, charge)
            windows = self._windows[api]
            window = windows.get(key)
            if window is None or now >= window[0] + budget.window_s:
                if len(windows) >= _MAX_BUCKETS:
                    self._drop_finished(windows, budget, now)
                window = windows[key] = [_window_start(now, budget.window_s), 0]
            end = window[0] + budget.window_s
            reset = math.ceil(end)
            if window[1] >= budget.requests:
                if charge:
                    self._served[api][0] += 1
                    self._served[api][1] += 1
                return Verdict(budget.requests, 0, reset, max(1, math.ceil(end - now)))
            if charge:
                window[1] += 1
                self._served[api][0] += 1
            return Verdict(budget.requests, budget.requests - int(window[1]), reset)

    def refund(self, api: str, key: str | None) -> None:
        """Give back what `admit` charged (a scripted 429 costs nothing, like the budget's own)."""
        with self._lock:
            window = self._windows[api].get(key)
            if self._budgets[api] is not None and window is not None and window[1] > 0:
                window[1] -= 1

    def _advertise(self, api: str, now: float, charge: bool) -> Verdict:
        """No budget: the published limit advertised, with all of it remaining: nothing is
        enforced, and a client that paces itself by the headers is not slowed by a count that
        never binds (tests share one server for many requests)."""
        published = _PUBLISHED[api]
        limit, window_s = published.requests, int(published.window_s)
        number = int(now // window_s)
        slot = self._advertised[api]
        if slot[0] != number:
            slot[0], slot[1] = number, 0
        if charge:
            slot[1] += 1
            self._served[api][0] += 1
        return Verdict(limit, limit, (number + 1) * window_s)

    @staticmethod
    def _drop_finished(windows: dict[str | None, list[float]], budget: Budget, now: float) -> None:
        for key in [k for k, w in windows.items() if now >= w[0] + budget.window_s]:
            del windows[key]
