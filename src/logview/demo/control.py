"""The demo server's ``/_demo`` control endpoints: script faults, insert entries, read the state,
flip runtime knobs. Tests and `logview demo-server` users drive the simulator through these."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from .broken import broken_modes
from .budget import budgets_from
from .constants import AITRONOS_STATUSES
from .state import DemoState, Fault, checked_rate
from .timeutil import parse_iso, us_to_dt

from .envelopes import json_response as _json

_MAX_INSERT = 100_000
_SETTINGS = ("supermetrics_before_inclusive", "live_rate", "budget", "broken")  # what /_demo/settings changes


async def _body_json(request: Request) -> Any:
    raw = await request.body()
    try:
        return orjson.loads(raw) if raw else {}
    except orjson.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON body: {exc}") from None


def _bad(message: str) -> Response:
    return _json(orjson.dumps({"error": message}), 400)


async def demo_faults(request: Request) -> Response:
    state: DemoState = request.app.state.demo
    if request.method == "DELETE":
        return _json(orjson.dumps({"cleared": state.clear_faults()}))
    if request.method == "POST":
        try:
            payload = await _body_json(request)
            items = payload if isinstance(payload, list) else [payload]
            faults = [Fault.from_dict(item) for item in items]
        except (ValueError, TypeError) as exc:
            return _bad(str(exc))
        for f in faults:
            state.add_fault(f)
        return _json(orjson.dumps({"added": len(faults), "pending": [asdict(f) for f in state.faults]}), 201)
    return _json(orjson.dumps({"pending": [asdict(f) for f in state.faults]}))


async def demo_insert(request: Request) -> Response:
    state: DemoState = request.app.state.demo
    try:
        payload = await _body_json(request)
        if not isinstance(payload, dict):
            raise ValueError("body must be a JSON object")
        api = payload.get("api")
        count = payload.get("count", 1)
        if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= _MAX_INSERT:
            raise ValueError(f"count must be an integer in 0..{_MAX_INSERT}")
        at = payload.get("at")
        at_dt = None
        if at is not None:
            at_dt = us_to_dt(parse_iso(str(at)))
        if api == "aitronos":
            status = payload.get("status")
            if status is not None and status not in AITRONOS_STATUSES:
                raise ValueError(f"status must be one of {AITRONOS_STATUSES}")
            new = state.insert_aitronos(count, at=at_dt, status=status)
        elif api == "supermetrics":
            connector = payload.get("connector", "DEMO01")
            if not state.has_supermetrics_connector(connector):
                raise ValueError(f"unknown connector {connector!r}")
            new = state.insert_supermetrics(count, at=at_dt, same_time=bool(payload.get("same_time", True)),
                                            connector=connector)
        else:
            raise ValueError("api must be 'aitronos' or 'supermetrics'")
    except ValueError as exc:
        return _bad(str(exc))
    return _json(orjson.dumps({"inserted": len(new), "ids": [e["id"] for e in new]}), 201)


async def demo_state(request: Request) -> Response:
    return _json(orjson.dumps(request.app.state.demo.snapshot()))


async def demo_settings(request: Request) -> Response:
    """Flip runtime knobs: ``supermetrics_before_inclusive`` (bool), ``live_rate`` (0 to `MAX_LIVE_RATE`),
    ``budget`` ("N/WINDOW_S" or null for both APIs, or {"aitronos": "10/5", ...} for those named),
    ``broken`` (a list of `broken.BROKEN_MODES`; [] or null heals the server)."""
    state: DemoState = request.app.state.demo
    try:
        payload = await _body_json(request)
        if not isinstance(payload, dict):
            raise ValueError("body must be a JSON object")
        unknown = set(payload) - set(_SETTINGS)
        if unknown:
            raise ValueError(f"unknown setting(s): {sorted(unknown)}; expected some of {list(_SETTINGS)}")
        # Every setting checked before any is changed: a 400 changes nothing (`{"supermetrics_before_inclusive":
        # true, "live_rate": "x"}` was refused, its first setting taken all the same: found in a walk)
        budgets = budgets_from(payload["budget"]) if "budget" in payload else {}
        broken = payload.get("broken")
        if broken is not None and (not isinstance(broken, list) or not all(isinstance(m, str) for m in broken)):
            raise ValueError("broken must be a list of mode names")
        modes = broken_modes(broken)
        if "live_rate" in payload:
            rate = payload["live_rate"]
            if not isinstance(rate, (int, float)) or isinstance(rate, bool):
                raise ValueError("live_rate must be a number")
            checked_rate(rate)  # (refused beyond what the server can keep up with)
        if "supermetrics_before_inclusive" in payload:
            state.supermetrics_before_inclusive = bool(payload["supermetrics_before_inclusive"])
        if "live_rate" in payload:
            state.live_rate = payload["live_rate"]
        if budgets:
            state.budget = budgets
        if "broken" in payload:
            state.broken.set(modes)
    except ValueError as exc:
        return _bad(str(exc))
    return _json(orjson.dumps(state.snapshot()))
