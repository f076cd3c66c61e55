"""Servers that break the contract: modes of the demo server that a real server with bugs might
have, so that logview can be tried (and tested) against them.

- ``cursor_ignored``: Supermetrics answers every page as if `before` were not given; Aitronos
  answers every page as if `offset` were 0.
- ``unordered``: every page's entries come in a random order.
- ``lying_totals``: Aitronos says `total` is a page more than it holds, `has_more` is always
  true and `returned` one more than the page holds.
- ``repeated_ids``: every page holds its newest entry twice, side by side: one entry more than the
  `limit` asked for a full page (Aitronos' `returned` counting it).
- ``short_pages``: a page asked with a cursor (Supermetrics `before`, an Aitronos `offset` past 0)
  holds only the first half of what it should, mid-stream: Aitronos' `total` and `has_more` still
  say more, Supermetrics' short page reads as the end of the data.
- ``random_values``: every page is a fresh set of random entries that follow the schema to the
  letter — nulls wherever allowed, times back to 1890, any status from 100 to 599, durations up
  to 2³¹ ms —, in any order, whatever the cursor or offset (Aitronos: random `total`, `has_more`
  always true).

Modes combine. Turned on with `logview demo-server --broken MODE` or
``POST /_demo/settings {"broken": ["cursor_ignored"]}`` (``[]`` heals the server).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import orjson

from .constants import AITRONOS_STATUSES
from .timeutil import now_us

BROKEN_MODES = ("cursor_ignored", "unordered", "lying_totals", "random_values", "repeated_ids", "short_pages")
FAR_PAST = datetime(1890, 1, 1, tzinfo=UTC)
LONGEST_MS = 2**31  # the longest duration the schema-edge server sends
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EVENTS = ("auth.token.refresh", "data.fetch", "data.page", "sync.start", "sync.complete", "x.unknown")
_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")
_TOOLS = ("send_email", "search_messages", "post_message", "query_database", "create_issue")


def broken_modes(modes: Iterable[str] | None) -> frozenset[str]:
    """The modes named, checked; None or nothing: an honest server."""
    chosen = frozenset(modes or ())
    unknown = sorted(chosen - set(BROKEN_MODES))
    if unknown:
        raise ValueError(f"unknown broken mode(s) {unknown}; expected some of {list(BROKEN_MODES)}")
    return chosen


class Breakage:
    """The broken modes in force, and the random numbers they draw (seeded: the same requests
    get the same answers)."""

    def __init__(self, seed: int = 7, modes: Iterable[str] | None = None) -> None:
        self.modes = broken_modes(modes)
        self.rng = random.Random(f"broken:{seed}")

    def set(self, modes: Iterable[str] | None) -> None:
        self.modes = broken_modes(modes)


# -- random entries within the schema ------------------------------------------------------------

def random_time(rng: random.Random, now: datetime | None = None) -> datetime:
    """Any millisecond from 1890 to now."""
    end = now or datetime.now(UTC)
    span_ms = int((end - FAR_PAST) / timedelta(milliseconds=1))
    return FAR_PAST + timedelta(milliseconds=rng.randint(0, span_ms))


def iso(moment: datetime, rng: random.Random | None = None) -> str:
    """`moment` as the APIs write it: milliseconds and `Z`; now and then whole seconds."""
    if rng is not None and rng.random() < 0.2:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _maybe(rng: random.Random, value: Any, nulls: float = 0.25) -> Any:
    return None if rng.random() < nulls else value


def _uuid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def random_supermetrics_entry(rng: random.Random, moment: datetime | None = None) -> dict[str, Any]:
    """One entry of the Supermetrics schema with random values (every nullable field sometimes null)."""
    moment = moment or random_time(rng)
    return {
        "id": f"r{rng.getrandbits(64):016x}",
        "log_time": iso(moment, rng),
        "status": _maybe(rng, rng.randint(100, 599)),
        "event": _maybe(rng, rng.choice(_EVENTS)),
        "request": _maybe(rng, f"{rng.choice(_METHODS)} /v{rng.randint(1, 3)}/{rng.getrandbits(32):x}"),
        "duration_ms": _maybe(rng, rng.choice((0, LONGEST_MS, rng.randint(0, LONGEST_MS), rng.randint(0, 5000)))),
        "request_id": _maybe(rng, _uuid(rng)),
    }


def random_aitronos_entry(rng: random.Random, moment: datetime | None = None) -> dict[str, Any]:
    """One Aitronos entry: the documented `id` and `created_at`, the usual undocumented fields
    with random values or null."""
    moment = moment or random_time(rng)
    status = _maybe(rng, rng.choice(AITRONOS_STATUSES), 0.1)
    failed = status not in ("success", None)
    return {
        "id": f"log_{rng.getrandbits(96):024x}",
        "created_at": iso(moment, rng),
        "status": status,
        "credential_id": _maybe(rng, f"tcred_{rng.getrandbits(64):016x}"),
        "tool": _maybe(rng, rng.choice(_TOOLS)),
        "duration_ms": _maybe(rng, rng.choice((0, LONGEST_MS, rng.randint(0, LONGEST_MS), rng.randint(0, 5000)))),
        "error": {"code": "E" + str(rng.randint(0, 999)), "message": f"failed after {rng.randint(0, 99)}s"}
        if failed and rng.random() < 0.8 else None,
    }


# -- serving ---------------------------------------------------------------------------------------

class DemoState(Protocol):
    """What serving needs of the state (`state.DemoState`, which holds a `Breakage`)."""

    broken: Breakage

    def query_supermetrics(self, connector: str, *, before: int | None = None, limit: int = 100) -> bytes: ...

    def query_aitronos(self, **query: Any) -> bytes: ...


def serve_supermetrics(state: DemoState, connector: str, *, before: int | None, limit: int) -> bytes:
    """The page body for the logs endpoint, as broken as the state's modes make it."""
    modes, rng = state.broken.modes, state.broken.rng
    if not modes:
        return state.query_supermetrics(connector, before=before, limit=limit)
    if "random_values" in modes:
        now = _EPOCH + timedelta(microseconds=now_us())
        logs = [random_supermetrics_entry(rng, random_time(rng, now)) for _ in range(limit)]
        return orjson.dumps({"logs": logs})
    asked = before
    before = None if "cursor_ignored" in modes else before
    body = state.query_supermetrics(connector, before=before, limit=limit)
    return _reshaped(body, modes, rng, cursor_given=asked is not None)


def serve_aitronos(state: DemoState, *, limit: int, offset: int, **query: Any) -> bytes:
    """The page body for the logs endpoint, as broken as the state's modes make it."""
    modes, rng = state.broken.modes, state.broken.rng
    if not modes:
        return state.query_aitronos(limit=limit, offset=offset, **query)
    if "random_values" in modes:
        now = _EPOCH + timedelta(microseconds=now_us())
        logs = [random_aitronos_entry(rng, random_time(rng, now)) for _ in range(limit)]
        return orjson.dumps({"logs": logs, "total": rng.randint(0, 5 * limit), "returned": limit, "has_more": True})
    asked = offset
    offset = 0 if "cursor_ignored" in modes else offset
    body = state.query_aitronos(limit=limit, offset=offset, **query)
    return _reshaped(body, modes, rng, limit, cursor_given=asked > 0)


def _reshaped(body: bytes, modes: frozenset[str], rng: random.Random, limit: int = 0, *,
              cursor_given: bool = False) -> bytes:
    document = json.loads(body)  # (not orjson: entries served as given keep integers beyond 64 bits)
    logs = document["logs"]
    if "short_pages" in modes and cursor_given and len(logs) > 1:
        document["logs"] = logs = logs[: len(logs) // 2]
        if "returned" in document:
            document["returned"] = len(logs)
    if "repeated_ids" in modes and logs:
        logs.insert(1, logs[0])
        if "returned" in document:
            document["returned"] = len(logs)
    if "unordered" in modes:
        rng.shuffle(document["logs"])
    if "lying_totals" in modes and "total" in document:
        document["total"] += limit
        document["has_more"] = True
        document["returned"] = len(document["logs"]) + 1
    return json.dumps(document).encode()


__all__ = ["BROKEN_MODES", "Breakage", "broken_modes", "random_aitronos_entry", "random_supermetrics_entry",
           "random_time", "serve_aitronos", "serve_supermetrics"]
