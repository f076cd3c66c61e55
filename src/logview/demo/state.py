"""The demo server's mutable world: both datasets, live arrivals, pending faults, request log.

Tests poke it from their own thread while the server thread reads it, so every public method
takes one lock; each is short (bisect + slice), so holding the lock inside the event loop is fine.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime
from typing import Any

import orjson

from .answered import AnsweredLog
from .broken import Breakage
from .budget import BUDGET_APIS, Budget, Budgets, BudgetSpec, Served
from .constants import DEMO_CONNECTOR, DEMO_EMPTY_CONNECTOR, FAULTS, MAX_LIVE_RATE
from .data import (
    Entry,
    aitronos_dataset,
    aitronos_entry,
    supermetrics_burst,
    supermetrics_dataset,
    supermetrics_entry,
)
from .store import SortedLog
from .timeutil import US_PER_DAY, dt_to_us, now_us, us_to_dt

FAULT_KINDS = tuple(FAULTS)
FAULT_APIS = (None, "aitronos", "supermetrics")
_REQUEST_LOG_SIZE = 10_000
_VIEW_CACHE_SIZE = 64
_MAX_LIVE_BATCH = 50_000  # never materialise more than this in one go (e.g. after a long pause)


def checked_rate(value: float) -> float:
    """A live rate the server can keep up with (`MAX_LIVE_RATE`), else ValueError."""
    rate = float(value)
    if not 0 <= rate <= MAX_LIVE_RATE:  # (a NaN too: no comparison with it holds)
        raise ValueError(f"live_rate must be from 0 to {MAX_LIVE_RATE} new entries a second, not {value!r}")
    return rate


def _matches(entry: Entry, status: str | None, credential_id: str | None) -> bool:
    return (status is None or entry.get("status") == status) and (
        credential_id is None or entry.get("credential_id") == credential_id)


@dataclass
class Fault:
    """A scripted misbehaviour for the next ``count`` matching API requests."""

    kind: str
    status: int = 500
    count: int = 1
    retry_after: str | None = None
    delay: float = 0.0
    api: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {FAULT_KINDS}")
        if self.api not in FAULT_APIS:
            raise ValueError(f"fault api must be 'aitronos', 'supermetrics' or null (either), not {self.api!r}")
        if not isinstance(self.status, int) or not 100 <= self.status <= 599:
            raise ValueError(f"fault status must be an HTTP status code, not {self.status!r}")
        if not isinstance(self.count, int) or self.count < 1:
            raise ValueError("fault count must be an integer >= 1")
        if not isinstance(self.delay, (int, float)) or not self.delay >= 0:  # ("1" was a TypeError's words)
            raise ValueError(f"fault delay must be a number of seconds, 0 or more, not {self.delay!r}")
        if self.retry_after is not None and not isinstance(self.retry_after, str):
            self.retry_after = str(self.retry_after)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Fault":
        """Build from JSON (the /_demo/faults endpoint); unknown keys are an error, not ignored."""
        if not isinstance(data, dict):
            raise ValueError("a fault must be a JSON object")
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown or "kind" not in data:  # (`{}` said "Fault.__init__() missing 1 required positional argument")
            raise ValueError(f"unknown fault field(s): {sorted(unknown)}" if unknown else
                             f"a fault needs a kind, one of {', '.join(FAULT_KINDS)}")
        return cls(**data)


class DemoState:
    """Both demo datasets plus the knobs tests turn. Generation is deterministic for
    (seed, now); only *how many* live arrivals exist depends on the wall clock."""

    def __init__(
        self,
        aitronos_entries: int = 5000,
        supermetrics_entries: int = 20000,
        seed: int = 7,
        live_rate: float = 1.0,
        span_days: float = 14.0,
        now: datetime | None = None,
        budget: BudgetSpec = None,
    ) -> None:
        """``budget``: enforced rate limits, "N/WINDOW_S" or a `Budget` for both APIs, or a mapping
        such as ``{"aitronos": "10/5"}`` (see `budget.budgets_from`); None only advertises them."""
        self._lock = threading.RLock()
        self.seed = seed
        self.supermetrics_before_inclusive = False
        self.broken = Breakage(seed)  # modes that break the contract (see `broken.py`), none at first
        # A key allowed to read logs but not the connector/credential listings (answers 403).
        self.directory_forbidden = False
        t0 = dt_to_us(now) if now is not None else now_us()
        self._t0 = t0 - t0 % 1000
        self._mono0 = time.monotonic()
        span = max(1, int(span_days * US_PER_DAY))

        rows = aitronos_dataset(random.Random(f"aitronos:{seed}"), aitronos_entries, self._t0, span)
        self._ait = SortedLog.build(rows)
        self._ait_views: dict[tuple[str | None, str | None], SortedLog] = {}
        rows = supermetrics_dataset(random.Random(f"supermetrics:{seed}"), supermetrics_entries, self._t0, span)
        self._sm: dict[str, SortedLog] = {
            DEMO_CONNECTOR: SortedLog.build(rows),
            DEMO_EMPTY_CONNECTOR: SortedLog(),
        }
        self._sm_by_id: dict[str, dict[str, bytes]] = {
            c: dict(zip(log.ids, log.blobs)) for c, log in self._sm.items()
        }

        # Separate streams so live arrivals stay deterministic whatever tests insert.
        self._rng_insert_a = random.Random(f"insert-aitronos:{seed}")
        self._rng_insert_s = random.Random(f"insert-supermetrics:{seed}")
        self._rng_live_a = random.Random(f"live-aitronos:{seed}")
        self._rng_live_s = random.Random(f"live-supermetrics:{seed}")
        self._live_rate = checked_rate(live_rate)
        self._live_mono = self._mono0
        self._live_origin = self._t0
        self._live_done = 0

        self._faults: list[Fault] = []
        self.answered = AnsweredLog(_REQUEST_LOG_SIZE)  # (request_log's, with when and the budget's count)
        self.budgets = Budgets(budget)  # the app admits each API request here

    # ---- clock and live arrivals ------------------------------------------------------------

    def now_us(self) -> int:
        """Virtual clock: the ``now`` given at construction plus real elapsed time."""
        return self._t0 + int((time.monotonic() - self._mono0) * 1_000_000)

    def now(self) -> datetime:
        return us_to_dt(self.now_us())

    @property
    def live_rate(self) -> float:
        return self._live_rate

    @live_rate.setter
    def live_rate(self, value: float) -> None:
        """Changing the rate restarts the arrival schedule from the current moment."""
        rate = checked_rate(value)
        with self._lock:
            self._materialise_live()
            self._live_rate = rate
            self._live_mono = time.monotonic()
            self._live_origin = self.now_us()
            self._live_done = 0

    def _materialise_live(self) -> None:
        """Create every arrival that should exist by now (lazily, so no background thread).
        Arrival i of each dataset lands at origin + i/rate; ~10% of Supermetrics arrivals are
        bursts sharing one log_time. Caller holds the lock."""
        rate = self._live_rate
        if rate <= 0:
            return
        due = int((time.monotonic() - self._live_mono) * rate)
        if due - self._live_done > _MAX_LIVE_BATCH:
            self._live_done = due - _MAX_LIVE_BATCH
        step = 1_000_000 / rate
        ra, rs = self._rng_live_a, self._rng_live_s
        while self._live_done < due:
            self._live_done += 1
            t = self._live_origin + int(self._live_done * step)
            t -= t % 1000
            self._add_aitronos(t, aitronos_entry(ra, t))
            size = 1 if rs.random() >= 0.1 else rs.randint(2, 12)
            for bt, e in supermetrics_burst(rs, t, size, True):
                self._add_supermetrics(DEMO_CONNECTOR, bt, e)

    # ---- mutation ----------------------------------------------------------------------------

    def _add_aitronos(self, t: int, entry: Entry) -> None:
        blob = SortedLog.serialise(entry)
        self._ait.insert(t, entry, blob)
        for (status, cred), view in self._ait_views.items():
            if _matches(entry, status, cred):
                view.insert(t, entry, blob)

    def _add_supermetrics(self, connector: str, t: int, entry: Entry) -> None:
        blob = SortedLog.serialise(entry)
        self._sm[connector].insert(t, entry, blob)
        self._sm_by_id[connector][entry["id"]] = blob

    def insert_aitronos(self, n: int, at: datetime | None = None, status: str | None = None) -> list[Entry]:
        """Add ``n`` entries created at ``at`` (default: now), optionally all with one status."""
        with self._lock:
            self._materialise_live()
            t = dt_to_us(at) if at is not None else self.now_us()
            t -= t % 1000
            new = [aitronos_entry(self._rng_insert_a, t, status) for _ in range(n)]
            for e in new:
                self._add_aitronos(t, e)
            return new

    def insert_supermetrics(
        self, n: int, at: datetime | None = None, same_time: bool = True, connector: str = DEMO_CONNECTOR
    ) -> list[Entry]:
        """Add ``n`` entries at ``at`` (default: now). ``same_time`` makes them one tie group;
        otherwise they get distinct seconds counting back from ``at``."""
        with self._lock:
            if connector not in self._sm:
                raise KeyError(f"unknown connector {connector!r}")
            self._materialise_live()
            t = dt_to_us(at) if at is not None else self.now_us()
            t -= t % 1_000_000
            if same_time:
                rows = supermetrics_burst(self._rng_insert_s, t, n, True) if n > 1 else (
                    [(t, supermetrics_entry(self._rng_insert_s, t))] if n == 1 else [])
            else:
                rows = [(t - k * 1_000_000, supermetrics_entry(self._rng_insert_s, t - k * 1_000_000))
                        for k in range(n)]
            for bt, e in rows:
                self._add_supermetrics(connector, bt, e)
            return [e for _, e in rows]

    def insert_raw(self, api: str, rows: Iterable[tuple[datetime, Any]],
                   connector: str = DEMO_CONNECTOR) -> None:
        """Serve entries exactly as given — any shape, hostile ones included — each filed at the
        given server-side time, whatever its own time field says (a real API pages by the time it
        stored, and may hand out a page whose entries are out of order, timeless or duplicated).
        Serialised by the standard library where orjson refuses (integers beyond 64 bits); an
        entry given as bytes is its JSON text, served as it is (nested deeper than Python holds)."""
        with self._lock:
            self._materialise_live()
            for at, entry in rows:
                if isinstance(entry, bytes):
                    blob, entry = entry, {}  # (no fields for the server's filters to read)
                else:
                    try:
                        blob = orjson.dumps(entry)
                    except TypeError:
                        blob = json.dumps(entry).encode()
                t = dt_to_us(at)
                if api == "aitronos":
                    self._ait.insert(t, entry, blob)
                    self._ait_views.clear()
                else:
                    self._sm[connector].insert(t, entry, blob)
                    self._sm_by_id[connector][str(entry.get("id"))] = blob

    # ---- read-only snapshots for assertions ------------------------------------------------

    @property
    def aitronos_logs(self) -> list[Entry]:
        """All Aitronos entries, newest first (the dicts are shared: do not mutate)."""
        with self._lock:
            self._materialise_live()
            return self._ait.newest_first()

    @property
    def supermetrics_logs(self) -> list[Entry]:
        """All entries of DEMO01, newest first (the dicts are shared: do not mutate)."""
        return self.supermetrics_logs_of(DEMO_CONNECTOR)

    def supermetrics_logs_of(self, connector: str) -> list[Entry]:
        with self._lock:
            self._materialise_live()
            return self._sm[connector].newest_first()

    @property
    def supermetrics_connector_ids(self) -> tuple[str, ...]:
        return tuple(self._sm)

    # ---- queries (used by the app) -----------------------------------------------------------

    def _view(self, status: str | None, credential_id: str | None) -> SortedLog:
        """Filtered log for (status, credential), built once and then kept current on insert."""
        if status is None and credential_id is None:
            return self._ait
        key = (status, credential_id)
        view = self._ait_views.get(key)
        if view is None:
            if len(self._ait_views) >= _VIEW_CACHE_SIZE:
                self._ait_views.clear()
            src = self._ait
            view = SortedLog()
            for i, e in enumerate(src.entries):
                if _matches(e, status, credential_id):
                    view.times.append(src.times[i])
                    view.ids.append(src.ids[i])
                    view.blobs.append(src.blobs[i])
                    view.entries.append(e)
            self._ait_views[key] = view
        return view

    def query_aitronos(
        self, *, status: str | None = None, credential_id: str | None = None,
        start: int | None = None, end: int | None = None, limit: int = 50, offset: int = 0,
    ) -> bytes:
        """Page body for the logs endpoint (times in epoch µs, both bounds inclusive)."""
        with self._lock:
            self._materialise_live()
            view = self._view(status, credential_id)
            lo, hi = view.bounds(start, end)
            page = view.page(lo, hi, offset, limit)
        total = hi - lo
        return b"".join((
            b'{"logs":[', b",".join(page), b'],"total":', str(total).encode(),
            b',"returned":', str(len(page)).encode(),
            b',"has_more":', b"true" if offset + len(page) < total else b"false", b"}",
        ))

    def has_supermetrics_connector(self, connector: str) -> bool:
        return connector in self._sm

    def query_supermetrics(self, connector: str, *, before: int | None = None, limit: int = 100) -> bytes:
        """Page body: newest ``limit`` entries of ``connector`` with log_time before ``before``
        (exclusive unless ``supermetrics_before_inclusive``)."""
        with self._lock:
            self._materialise_live()
            log = self._sm[connector]
            lo, hi = log.bounds(None, before, end_inclusive=self.supermetrics_before_inclusive)
            page = log.page(lo, hi, 0, limit)
        return b'{"logs":[' + b",".join(page) + b"]}"

    def supermetrics_entry_bytes(self, connector: str, log_id: str) -> bytes | None:
        with self._lock:
            self._materialise_live()
            return self._sm_by_id[connector].get(log_id)

    # ---- faults ------------------------------------------------------------------------------

    def add_fault(self, fault: Fault) -> None:
        """Queue a fault (a copy: its count is consumed here, not on the caller's object)."""
        with self._lock:
            self._faults.append(replace(fault))

    def clear_faults(self) -> int:
        with self._lock:
            n = len(self._faults)
            self._faults.clear()
            return n

    @property
    def faults(self) -> list[Fault]:
        """Pending faults with their remaining counts."""
        with self._lock:
            return [replace(f) for f in self._faults]

    def take_fault(self, api: str) -> Fault | None:
        """Consume one use of the first pending fault matching ``api`` (FIFO)."""
        with self._lock:
            for i, f in enumerate(self._faults):
                if f.api is None or f.api == api:
                    f.count -= 1
                    if f.count <= 0:
                        del self._faults[i]
                    return replace(f, count=1)
            return None

    # ---- request log and rate-limit bookkeeping ---------------------------------------------

    def record_request(self, method: str, path: str, status: int, remaining: int | None = None) -> None:
        self.answered.record(method, path, status, remaining)

    @property
    def request_log(self) -> list[tuple[str, str, int]]:
        """(method, path_with_query, status) of the last 10k API requests served."""
        return [(a.method, a.path, a.status) for a in self.answered.answers()]

    def clear_request_log(self) -> None:
        self.answered.clear()

    @property
    def budget(self) -> dict[str, Budget | None]:
        """The enforced budget of each API (None: not enforced, only advertised)."""
        return {api: self.budgets.of(api) for api in BUDGET_APIS}

    @budget.setter
    def budget(self, spec: BudgetSpec) -> None:
        """A value for both APIs, or a mapping for the APIs it names; changed ones start afresh."""
        self.budgets.set(spec)

    def served(self, api: str) -> Served:
        """API responses served so far and how many of them were the budget's 429s."""
        return self.budgets.served(api)

    def snapshot(self) -> dict[str, Any]:
        """Counts and pending faults, for GET /_demo/state."""
        with self._lock:
            self._materialise_live()
            return {
                "aitronos": {"count": len(self._ait), **self._budget_snapshot("aitronos")},
                "supermetrics": {"connectors": {c: len(log) for c, log in self._sm.items()},
                                 **self._budget_snapshot("supermetrics")},
                "faults": [asdict(f) for f in self._faults],
                "supermetrics_before_inclusive": self.supermetrics_before_inclusive,
                "broken": sorted(self.broken.modes),
                "live_rate": self._live_rate,
                "requests_served": len(self.answered),
                "now": self.now().isoformat().replace("+00:00", "Z"),
            }

    def _budget_snapshot(self, api: str) -> dict[str, Any]:
        budget, served = self.budgets.of(api), self.budgets.served(api)
        return {"budget": None if budget is None else str(budget), "served": served.requests,
                "throttled": served.throttled}
