"""What a request's budget looks like on the wire: the key it is counted under, each API's
rate-limit headers, and the 429 each API answers once the budget is spent."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from . import envelopes
from .budget import Budget, Verdict
from .envelopes import json_response


def api_key(api: str, request: Request) -> str | None:
    """The key a request sends, valid or not (each key has a budget of its own); None: anonymous."""
    if api == "aitronos":
        return request.headers.get("x-api-key")
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def rate_limit_headers(response: Response, api: str, request_id: str, verdict: Verdict,
                       exhausted: bool = False) -> Response:
    """Limit and Remaining on every API response, Reset only on Aitronos (Supermetrics documents
    none), Retry-After on a refusal; X-Request-Id on every Supermetrics response."""
    h = response.headers
    h["X-RateLimit-Limit"] = str(verdict.limit)
    h["X-RateLimit-Remaining"] = "0" if exhausted else str(verdict.remaining)
    if api == "aitronos":
        h["X-RateLimit-Reset"] = str(verdict.reset_epoch)
    else:
        h["X-Request-Id"] = request_id
    if verdict.retry_after_s is not None:
        h["Retry-After"] = str(verdict.retry_after_s)
    return response


def over_budget(api: str, request_id: str, verdict: Verdict, budget: Budget | None) -> Response:
    """429 in the API's own envelope, saying how long to wait (Retry-After comes with the headers)."""
    wait = verdict.retry_after_s
    if api == "aitronos":
        details = {"retry_after": wait, "limit": verdict.limit,
                   "window_seconds": budget.window_s if budget else None}
        return json_response(envelopes.aitronos_error(429, details=details), 429)
    per = f"{budget.requests} requests per {budget.window_s:g} s" if budget else "the rate limit"
    description = f"{per} exceeded; retry after {wait} second{'s' if wait != 1 else ''}."
    return json_response(envelopes.supermetrics_error(429, request_id, description=description[:1].upper()
                                                      + description[1:]), 429)
