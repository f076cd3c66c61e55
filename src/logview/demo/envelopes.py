"""The two APIs' error bodies, byte-for-byte in their documented shapes, plus an nginx-style
HTML error page (what a proxy in front of either API sends)."""

from __future__ import annotations

import re
import secrets
import time
from http import HTTPStatus
from typing import Any

import orjson
from starlette.responses import Response

JSON = "application/json"


def json_response(body: bytes, status: int = 200) -> Response:
    return Response(body, status_code=status, media_type=JSON)

# status -> (code, type, message, system_message)
_AITRONOS: dict[int, tuple[str, str, str, str]] = {
    400: ("VALIDATION_ERROR", "validation_error", "The request was invalid.", "Request validation failed"),
    401: ("AUTHENTICATION_REQUIRED", "authentication_error",
          "Authentication required. Please provide a valid API key.", "Missing or invalid authorization header"),
    403: ("INSUFFICIENT_PERMISSIONS", "authorization_error",
          "You do not have permission to access this resource.", "Insufficient permissions for this operation"),
    404: ("RESOURCE_NOT_FOUND", "not_found_error", "The requested resource was not found.",
          "No resource matches the request path"),
    405: ("METHOD_NOT_ALLOWED", "validation_error", "This method is not allowed for the resource.",
          "HTTP method not supported on this route"),
    408: ("REQUEST_TIMEOUT", "server_error", "The request timed out.", "Request processing exceeded the time limit"),
    422: ("VALIDATION_ERROR", "validation_error", "Invalid request parameters.", "Request validation failed"),
    429: ("RATE_LIMIT_EXCEEDED", "rate_limit_error", "Rate limit exceeded. Please retry later.",
          "Too many requests for this API key"),
    500: ("INTERNAL_SERVER_ERROR", "server_error", "An unexpected error occurred. Please try again later.",
          "Unhandled exception while processing the request"),
    502: ("BAD_GATEWAY", "server_error", "The service received an invalid upstream response.",
          "Upstream service returned an invalid response"),
    503: ("SERVICE_UNAVAILABLE", "server_error", "The service is temporarily unavailable. Please try again later.",
          "Service temporarily unavailable"),
    504: ("GATEWAY_TIMEOUT", "server_error", "The service did not respond in time.", "Upstream service timed out"),
}

# status -> (code, message)
_SUPERMETRICS: dict[int, tuple[str, str]] = {
    400: ("BAD_REQUEST", "The request was invalid."),
    401: ("UNAUTHORIZED", "Authentication is required."),
    403: ("FORBIDDEN", "You do not have access to this resource."),
    404: ("NOT_FOUND", "The requested resource was not found."),
    405: ("METHOD_NOT_ALLOWED", "The request method is not allowed."),
    408: ("REQUEST_TIMEOUT", "The request timed out."),
    409: ("CONFLICT_ERROR", "The request conflicts with the current state of the resource."),
    422: ("UNPROCESSABLE_ENTITY", "The request could not be processed."),
    429: ("TOO_MANY_REQUESTS", "Rate limit exceeded. Retry later."),
    500: ("INTERNAL_SERVER_ERROR", "An unexpected error occurred."),
    502: ("BAD_GATEWAY", "The upstream service returned an invalid response."),
    503: ("SERVICE_UNAVAILABLE", "The service is temporarily unavailable."),
    504: ("GATEWAY_TIMEOUT", "The upstream service did not respond in time."),
}


def phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _snake(status: int) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", phrase(status).upper()).strip("_") or "ERROR"


def trace_id() -> str:
    """Aitronos-style trace id, e.g. ``req_3f9a1c0b7d2e``."""
    return "req_" + secrets.token_hex(6)


def request_id() -> str:
    """Supermetrics-style 32-character request id (URL-safe alphabet, like the docs' example)."""
    return secrets.token_urlsafe(24)


def aitronos_error(
    status: int, *, code: str | None = None, message: str | None = None,
    system_message: str | None = None, details: dict[str, Any] | None = None,
) -> bytes:
    """Aitronos envelope: ``{"success": false, "error": {...}}`` with every documented field."""
    d_code, d_type, d_msg, d_sys = _AITRONOS.get(
        status,
        (_snake(status), "server_error" if status >= 500 else "client_error", phrase(status) + ".", phrase(status)),
    )
    return orjson.dumps({
        "success": False,
        "error": {
            "code": code or d_code,
            "message": message or d_msg,
            "system_message": system_message or d_sys,
            "type": d_type,
            "status": status,
            "trace_id": trace_id(),
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "details": details or {},
        },
    })


def supermetrics_error(status: int, req_id: str, *, code: str | None = None, message: str | None = None,
                       description: str | None = None) -> bytes:
    """Supermetrics envelope: ``{"meta": {"request_id"}, "error": {"code", "message", "description"?}}``."""
    d_code, d_msg = _SUPERMETRICS.get(status, (_snake(status), phrase(status) + "."))
    error: dict[str, Any] = {"code": code or d_code, "message": message or d_msg}
    if description:
        error["description"] = description
    return orjson.dumps({"meta": {"request_id": req_id}, "error": error})


def html_error_page(status: int) -> bytes:
    """What nginx sends when the upstream is down: no JSON anywhere."""
    title = f"{status} {phrase(status)}"
    return (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
        f"<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    ).encode()
