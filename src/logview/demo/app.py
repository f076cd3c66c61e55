"""Starlette routes reproducing both APIs (plus ``/_demo`` control endpoints) over a DemoState.

Handlers are synchronous and cheap (the state does bisect + byte joins), so they run inline on
the event loop; only injected faults await. Request-level plumbing (faults, rate-limit and
request-id headers) lives in :func:`_api_endpoint` so each handler only does validation + query.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field, replace
from typing import Any, AsyncIterator, Awaitable, Callable

import orjson
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import envelopes
from .envelopes import JSON
from .envelopes import json_response as _json
from .constants import (
    AITRONOS_STATUSES,
    DEMO_AITRONOS_KEY,
    DEMO_ORG,
    DEMO_SUPERMETRICS_KEY,
    DEMO_TEAM,
)
from .data import CONNECTOR_NAMES, CREDENTIALS, SUPERMETRICS_CONNECTORS
from .control import demo_faults, demo_insert, demo_settings, demo_state
from .broken import serve_aitronos, serve_supermetrics
from .budget import Verdict
from .limits import api_key, over_budget, rate_limit_headers
from .state import DemoState, Fault
from .timeutil import parse_iso

_INT = re.compile(r"[+-]?[0-9]{1,18}")  # used with fullmatch: no whitespace, no "1_000", no "1.5"
_UINT = re.compile(r"[0-9]{1,18}")
_CONNECTOR_ID = re.compile(r"[A-Za-z0-9_-]{1,100}")
_MAX_INSERT = 100_000


@dataclass
class _Ctx:
    """Per-request facts the wrapper needs after the handler ran."""

    api: str
    request_id: str = field(default_factory=envelopes.request_id)


class _Reject(Exception):
    """Raised by validation helpers; carries the finished error response."""

    def __init__(self, response: Response) -> None:
        self.response = response


def _ait_reject(status: int, **kw: Any) -> _Reject:
    return _Reject(_json(envelopes.aitronos_error(status, **kw), status))


def _sm_reject(ctx: _Ctx, status: int, **kw: Any) -> _Reject:
    return _Reject(_json(envelopes.supermetrics_error(status, ctx.request_id, **kw), status))


def _single(request: Request, name: str, fail: Callable[[str], _Reject]) -> str | None:
    """The one value of query parameter ``name`` (None if absent); repeating it is an error
    because both APIs document a single value per request."""
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise fail(f"{name} must be given at most once")
    return values[0] if values else None


def _int_param(raw: str | None, default: int, lo: int, hi: int | None) -> int | None:
    """Parse a strict decimal integer in [lo, hi]; None means invalid."""
    if raw is None:
        return default
    if not _INT.fullmatch(raw):
        return None
    value = int(raw)
    if value < lo or (hi is not None and value > hi):
        return None
    return value


# ---- Aitronos -------------------------------------------------------------------------------


def _ait_validation(field_name: str, message: str, **details: Any) -> _Reject:
    return _ait_reject(422, message=message, system_message=f"Validation failed for '{field_name}'",
                       details={"field": field_name, **details})


def _ait_auth(request: Request) -> str:
    """401 without a valid key, 422 without organization_id, 403 for another organization."""
    if request.headers.get("x-api-key") != DEMO_AITRONOS_KEY:
        raise _ait_reject(401)
    org = _single(request, "organization_id", lambda m: _ait_validation("organization_id", m))
    if not org:
        raise _ait_validation("organization_id", "Field 'organization_id' is required.", reason="missing")
    if org != DEMO_ORG:
        raise _ait_reject(403, details={"organization_id": org})
    return org


def aitronos_logs(state: DemoState, request: Request, ctx: _Ctx) -> Response:
    _ait_auth(request)

    def get(name: str) -> str | None:
        return _single(request, name, lambda m: _ait_validation(name, m))

    status = get("status")
    if status is not None and status not in AITRONOS_STATUSES:
        raise _ait_validation("status", f"Invalid status '{status}'.", allowed=list(AITRONOS_STATUSES), value=status)
    bounds: dict[str, int | None] = {}
    for name in ("start_date", "end_date"):
        raw = get(name)
        try:
            bounds[name] = None if raw is None else parse_iso(raw, end_of_day=name == "end_date")
        except ValueError:
            raise _ait_validation(name, f"Invalid date for '{name}': expected ISO 8601.",
                                  value=raw, expected="ISO 8601 date-time, e.g. 2025-11-15T10:30:00Z") from None
    raw_limit, raw_offset = get("limit"), get("offset")
    limit = _int_param(raw_limit, 50, 1, 100)
    if limit is None:
        raise _ait_validation("limit", "limit must be an integer between 1 and 100.", minimum=1, maximum=100,
                              value=raw_limit)
    offset = _int_param(raw_offset, 0, 0, None)
    if offset is None:
        raise _ait_validation("offset", "offset must be an integer >= 0.", minimum=0, value=raw_offset)
    body = serve_aitronos(state, status=status, credential_id=get("credential_id"), start=bounds["start_date"],
                          end=bounds["end_date"], limit=limit, offset=offset)
    return _json(body)


def _directory_allowed(state: DemoState, reject: Callable[[], _Reject]) -> None:
    if state.directory_forbidden:
        raise reject()


def aitronos_connectors(state: DemoState, request: Request, ctx: _Ctx) -> Response:
    _ait_auth(request)
    _directory_allowed(state, lambda: _ait_reject(403, message="This key may not list connectors."))
    connectors = [
        {"tool_key": key, "name": name, "connected": True,
         "connection_count": sum(c.tool_key == key for c in CREDENTIALS)}
        for key, name in CONNECTOR_NAMES.items()
    ]
    return _json(orjson.dumps({"connectors": connectors}))


def aitronos_connections(state: DemoState, request: Request, ctx: _Ctx) -> Response:
    _ait_auth(request)
    _directory_allowed(state, lambda: _ait_reject(403, message="This key may not list connections."))
    tool_key = request.path_params["tool_key"]
    if tool_key not in CONNECTOR_NAMES:
        raise _ait_reject(404, message=f"Connector '{tool_key}' not found.", details={"tool_key": tool_key})
    connections = [
        {"id": c.id, "tool_key": c.tool_key, "display_name": c.display_name, "account_email": c.account_email,
         "status": "active", "created_at": c.created_at}
        for c in CREDENTIALS if c.tool_key == tool_key
    ]
    return _json(orjson.dumps({"connections": connections}))


# ---- Supermetrics ---------------------------------------------------------------------------


def _sm_auth(state: DemoState, request: Request, ctx: _Ctx, connector: bool) -> str | None:
    """401 without a valid bearer key; 400/403 for the team; 400/404 for the connector."""
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    if not auth:
        raise _sm_reject(ctx, 401)
    if scheme.lower() != "bearer" or token.strip() != DEMO_SUPERMETRICS_KEY:
        raise _sm_reject(ctx, 401, description="The API key or token is invalid or has expired.")
    raw_team = request.path_params["team_id"]
    team = _int_param(raw_team, 0, 1, None) if _UINT.fullmatch(raw_team) else None
    if team is None:
        raise _sm_reject(ctx, 400, description=f"team_id must be an integer >= 1, got '{raw_team}'.")
    if team != DEMO_TEAM:
        raise _sm_reject(ctx, 403, description=f"You are not a member of team {team}.")
    if not connector:
        return None
    cid = request.path_params["connector_identifier"]
    if not _CONNECTOR_ID.fullmatch(cid):
        raise _sm_reject(ctx, 400, description="connector_identifier must be 1-100 characters of [A-Za-z0-9_-].")
    if not state.has_supermetrics_connector(cid):
        raise _sm_reject(ctx, 404, message="Connector not found.",
                         description=f"No connector '{cid}' exists in team {team}.")
    return cid


def supermetrics_logs(state: DemoState, request: Request, ctx: _Ctx) -> Response:
    connector = _sm_auth(state, request, ctx, True)
    assert connector is not None

    def get(name: str) -> str | None:
        return _single(request, name, lambda m: _sm_reject(ctx, 400, description=m))

    raw_limit, raw_before = get("limit"), get("before")
    limit = _int_param(raw_limit, 100, 1, 1000)
    if limit is None:
        raise _sm_reject(ctx, 400, description=f"limit must be an integer between 1 and 1000, got '{raw_limit}'.")
    before = None
    if raw_before is not None:
        try:
            before = parse_iso(raw_before)
        except ValueError:
            raise _sm_reject(ctx, 400,
                             description=f"before must be an ISO 8601 date-time, got '{raw_before}'.") from None
    return _json(serve_supermetrics(state, connector, before=before, limit=limit))


def supermetrics_log(state: DemoState, request: Request, ctx: _Ctx) -> Response:
    connector = _sm_auth(state, request, ctx, True)
    assert connector is not None
    log_id = request.path_params["log_id"]
    blob = state.supermetrics_entry_bytes(connector, log_id)
    if blob is None:
        raise _sm_reject(ctx, 404, message="Log entry not found.",
                         description=f"No log entry '{log_id}' for connector '{connector}'.")
    return _json(blob)


def supermetrics_connectors(state: DemoState, request: Request, ctx: _Ctx) -> Response:
    _sm_auth(state, request, ctx, False)
    _directory_allowed(state, lambda: _sm_reject(ctx, 403, description="This key may not list connectors."))
    return _json(orjson.dumps({"count": len(SUPERMETRICS_CONNECTORS), "connectors": list(SUPERMETRICS_CONNECTORS)}))


# ---- request plumbing: faults and headers ---------------------------------------------------

_Handler = Callable[[DemoState, Request, _Ctx], Response]


async def _sleep(request: Request, seconds: float) -> None:
    """Sleep that ends early when the server is stopping (so stop() never waits on a hang)."""
    if seconds <= 0:
        return
    stopping: asyncio.Event = request.app.state.stopping
    try:
        await asyncio.wait_for(stopping.wait(), timeout=seconds)
    except asyncio.TimeoutError:
        pass


async def _trickle(request: Request, body: bytes, seconds: float) -> AsyncIterator[bytes]:
    """Yield ``body`` in ~20 small chunks spread over ``seconds``."""
    chunks = max(1, min(20, len(body)))
    size = max(1, -(-len(body) // chunks))
    parts = [body[i:i + size] for i in range(0, len(body), size)] or [b""]
    pause = seconds / max(1, len(parts) - 1)
    for i, part in enumerate(parts):
        if i:
            await _sleep(request, pause)
        yield part


def _apply_fault(state: DemoState, request: Request, ctx: _Ctx, fault: Fault,
                 handler: _Handler) -> Response:
    kind = fault.kind
    if kind == "status":
        if ctx.api == "aitronos":
            details = {"retry_after": fault.retry_after} if fault.retry_after and fault.status == 429 else None
            return _json(envelopes.aitronos_error(fault.status, details=details), fault.status)
        desc = f"Retry after {fault.retry_after} seconds." if fault.retry_after and fault.status == 429 else None
        return _json(envelopes.supermetrics_error(fault.status, ctx.request_id, description=desc), fault.status)
    if kind == "html":
        return Response(envelopes.html_error_page(fault.status), status_code=fault.status, media_type="text/html")
    if kind == "invalid_json_200":
        return _json(b"not json at all")
    normal = _run(state, request, ctx, handler)
    if kind == "truncated":
        return Response(normal.body[: len(normal.body) // 2], status_code=normal.status_code, media_type=JSON)
    if kind == "trickle":
        return StreamingResponse(_trickle(request, bytes(normal.body), fault.delay), status_code=normal.status_code,
                                 headers={"content-length": str(len(normal.body))}, media_type=JSON)
    return normal  # latency / hang: the waiting already happened


def _run(state: DemoState, request: Request, ctx: _Ctx, handler: _Handler) -> Response:
    try:
        return handler(state, request, ctx)
    except _Reject as reject:
        return reject.response


def _decorate(response: Response, ctx: _Ctx, verdict: Verdict, exhausted: bool = False) -> Response:
    return rate_limit_headers(response, ctx.api, ctx.request_id, verdict, exhausted)


def _api_endpoint(api: str, handler: _Handler) -> Callable[[Request], Awaitable[Response]]:
    """Wrap a handler: spend the key's budget (a 429 once it is spent), then consume a pending
    fault (before auth, so tests can inject anything), then add the API's standard headers."""

    async def endpoint(request: Request) -> Response:
        state: DemoState = request.app.state.demo
        ctx = _Ctx(api)
        key = api_key(api, request)
        verdict = state.budgets.admit(api, key)
        if not verdict.allowed:
            return _decorate(over_budget(api, ctx.request_id, verdict, state.budgets.of(api)), ctx, verdict)
        fault = state.take_fault(api)
        if fault is None:
            return _decorate(_run(state, request, ctx, handler), ctx, verdict)
        if fault.kind in ("latency", "hang"):
            await _sleep(request, fault.delay)
        response = _apply_fault(state, request, ctx, fault, handler)
        scripted_429 = fault.kind == "status" and fault.status == 429
        if scripted_429:
            state.budgets.refund(api, key)
        response = _decorate(response, ctx, verdict, exhausted=scripted_429)
        if fault.retry_after is not None:
            response.headers["Retry-After"] = fault.retry_after
        return response

    return endpoint


async def _http_error(request: Request, exc: Exception) -> Response:
    """Routing-level 404/405 in the envelope of whichever API the path belongs to."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    path = request.url.path
    state: DemoState = request.app.state.demo
    api = "supermetrics" if path.startswith("/v1/teams") else "aitronos" if path.startswith(
        "/v1/personal-connectors") else None
    if api is not None:  # not an API route: the headers say where the key's budget stands, at no cost
        ctx = _Ctx(api)
        body = (envelopes.supermetrics_error(status, ctx.request_id) if api == "supermetrics"
                else envelopes.aitronos_error(status))
        verdict = state.budgets.admit(api, api_key(api, request), charge=False)
        response = _decorate(_json(body, status), ctx, replace(verdict, retry_after_s=None))
    else:
        response = _json(orjson.dumps({"detail": envelopes.phrase(status)}), status)
    if isinstance(exc, HTTPException) and exc.headers:
        response.headers.update(exc.headers)  # e.g. Allow on 405
    return response


# ---- request log middleware and app factory -------------------------------------------------


class _RequestLog:
    """Pure ASGI middleware recording (method, path?query, status, the budget's remaining) of API
    requests (not /_demo)."""

    def __init__(self, app: ASGIApp, state: DemoState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_demo"):
            await self.app(scope, receive, send)
            return
        qs = scope.get("query_string", b"")
        target = scope["path"] + ("?" + qs.decode("latin-1") if qs else "")

        async def send_and_record(message: Message) -> None:
            if message["type"] == "http.response.start":
                remaining = dict(message.get("headers", ())).get(b"x-ratelimit-remaining")
                self.state.record_request(scope["method"], target, message["status"],
                                          None if remaining is None else int(remaining))
            await send(message)

        await self.app(scope, receive, send_and_record)


def create_app(state: DemoState) -> Starlette:
    """Build the ASGI app. ``app.state.stopping`` is an asyncio.Event the server sets on
    shutdown to cut injected sleeps short."""

    def api(path: str, api_name: str, handler: _Handler) -> Route:
        return Route(path, _api_endpoint(api_name, handler), methods=["GET"])

    sm = "/v1/teams/{team_id}/connector_builder/connectors"
    routes = [
        api("/v1/personal-connectors/logs", "aitronos", aitronos_logs),
        api("/v1/personal-connectors", "aitronos", aitronos_connectors),
        api("/v1/personal-connectors/connections/{tool_key}", "aitronos", aitronos_connections),
        api(sm, "supermetrics", supermetrics_connectors),
        api(sm + "/{connector_identifier}/logs", "supermetrics", supermetrics_logs),
        api(sm + "/{connector_identifier}/logs/{log_id}", "supermetrics", supermetrics_log),
        Route("/_demo/faults", demo_faults, methods=["GET", "POST", "DELETE"]),
        Route("/_demo/insert", demo_insert, methods=["POST"]),
        Route("/_demo/state", demo_state, methods=["GET"]),
        Route("/_demo/settings", demo_settings, methods=["POST", "PUT"]),
    ]
    app = Starlette(routes=routes, exception_handlers={404: _http_error, 405: _http_error})
    app.state.demo = state
    app.state.stopping = asyncio.Event()
    app.add_middleware(_RequestLog, state=state)
    return app

