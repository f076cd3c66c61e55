"""Both error envelopes, proxies' pages and torn bodies all become one ApiError."""

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import json

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from logview.api.envelopes import error_from_response, invalid_body_error, parse_retry_after

AITRONOS_401 = {
    "success": False,
    "error": {
        "code": "AUTHENTICATION_REQUIRED",
        "message": "Authentication required. Please provide a valid API key.",
        "system_message": "Missing or invalid authorization header",
        "type": "authentication_error",
        "status": 401,
        "trace_id": "req_abc123xyz",
        "timestamp": "2025-11-11T10:30:00Z",
        "details": {},
    },
}
SUPERMETRICS_429 = {
    "meta": {"request_id": "BXaEFVtjc7TXaJxgZhmFgSUD9edqq_CN"},
    "error": {"code": "TOO_MANY_REQUESTS", "message": "Rate limit exceeded. Retry later.",
              "description": "100 requests per hour"},
}


def test_aitronos_envelope():
    error = error_from_response(401, {}, orjson.dumps(AITRONOS_401))
    assert (error.status, error.code, error.request_id) == (401, "AUTHENTICATION_REQUIRED", "req_abc123xyz")
    assert error.message.startswith("Authentication required")
    assert error.detail == "Missing or invalid authorization header"
    assert not error.retryable
    assert error.summary() == (
        "HTTP 401 AUTHENTICATION_REQUIRED: Authentication required. Please provide a valid API key. "
        "(request req_abc123xyz)"
    )


def test_aitronos_validation_details_are_kept():
    body = {"success": False, "error": {"code": "VALIDATION_ERROR", "message": "Invalid status",
                                        "details": {"field": "status"}, "trace_id": "req_1"}}
    error = error_from_response(422, {}, orjson.dumps(body))
    assert error.code == "VALIDATION_ERROR" and "field: status" in error.detail


def test_supermetrics_envelope_with_retry_after_and_header_names_in_any_case():
    error = error_from_response(429, {"retry-after": "3600", "X-REQUEST-ID": "other"}, orjson.dumps(SUPERMETRICS_429))
    assert error.code == "TOO_MANY_REQUESTS"
    assert error.request_id == "BXaEFVtjc7TXaJxgZhmFgSUD9edqq_CN"  # the envelope's own id wins
    assert error.detail == "100 requests per hour"
    assert error.retry_after == 3600
    assert error.retryable


def test_html_page_from_a_proxy():
    body = b"<html><head><title>503 Service Temporarily Unavailable</title></head><body>nginx</body></html>"
    error = error_from_response(503, {"Content-Type": "text/html", "X-Request-Id": "rid-9"}, body)
    assert error.code == "SERVICE_UNAVAILABLE"
    assert "503 Service Temporarily Unavailable" in error.message
    assert error.request_id == "rid-9"
    assert error.body_excerpt.startswith("<html>")
    assert error.retryable


@pytest.mark.parametrize("body", [b"", b'{"error": {"code": "X", "mess', b"plain text", b"[1, 2]", b'{"error": "x"}'])
def test_torn_or_foreign_bodies_still_give_an_error(body):
    error = error_from_response(502, {}, body)
    assert error.status == 502 and error.code == "BAD_GATEWAY" and error.message
    assert error.retryable


def test_unknown_status_code():
    assert error_from_response(599, {}, b"").code == "HTTP_599"


@pytest.mark.parametrize(("value", "seconds"), [("1", 1), ("3600", 3600), (" 2.5 ", 2.5), ("-3", 0), ("", None),
                                                 ("soon", None), (None, None)])
def test_retry_after_seconds(value, seconds):
    assert parse_retry_after(value) == seconds


def test_retry_after_http_date():
    now = datetime(2025, 11, 15, 10, 0, tzinfo=timezone.utc)
    header = format_datetime(now + timedelta(seconds=90), usegmt=True)
    assert parse_retry_after(header, now=now) == 90
    assert parse_retry_after(format_datetime(now - timedelta(hours=1), usegmt=True), now=now) == 0


json_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=30)
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=15)


@given(
    status=st.integers(400, 599),
    error=st.dictionaries(st.sampled_from(["code", "message", "description", "system_message", "details",
                                           "trace_id", "type", "status"]), json_values),
    meta=json_values,
    headers=st.dictionaries(st.sampled_from(["Retry-After", "X-Request-Id", "Content-Type"]), st.text(max_size=40)),
)
def test_any_envelope_shaped_body_gives_a_complete_error(status, error, meta, headers):
    parsed = error_from_response(status, headers, json.dumps({"meta": meta, "error": error}).encode())
    assert parsed.status == status
    assert isinstance(parsed.code, str) and parsed.code
    assert isinstance(parsed.message, str) and parsed.message
    assert parsed.retry_after is None or parsed.retry_after >= 0
    assert parsed.summary().startswith(f"HTTP {status} ")


@given(status=st.integers(400, 599), body=st.binary(max_size=300))
def test_arbitrary_bytes_never_break_error_parsing(status, body):
    parsed = error_from_response(status, {}, body)
    assert parsed.status == status and parsed.code and parsed.message


@pytest.mark.parametrize(("body", "content_type", "said"), [
    (b"", None, "the server's answer was empty, not JSON"),
    (b"<!doctype html><html><title>Gateway\n Timeout</title></html>", "text/html; charset=utf-8",
     "the server's answer was not JSON (text/html): an HTML page (Gateway Timeout)"),
    (b"nope, not today", "application/json", "the server's answer was not JSON (application/json): it starts with "
                                             "'nope, not today'"),
    (b'{"logs": [{"id"', "application/json", "the answer from the server could not be read: cut"),  # (the parser's)
])
def test_a_page_that_is_no_json_says_what_it_is(body, content_type, said):
    """s17 K1: a 200 whose body is not JSON was described by the parser's guess ("invalid literal,
    expected 'null'" for a body starting with n; "Input is a zero-length, empty document"), and
    headed "HTTP 200 INVALID_RESPONSE", as if 200 were the error."""
    error = invalid_body_error(200, {"content-type": content_type} if content_type else {}, body, "cut")
    assert error.message == said and error.summary() == said
    assert error.code == ("INVALID_RESPONSE" if body.startswith(b"{") else "NOT_JSON")


@pytest.mark.parametrize(("body", "said"), [
    (b'{"logs": [{"id": "a1", "created_at": "2025-11-15', "the answer from api.example.com:443 was cut short (48 bytes "
                                                         "of JSON, unfinished)"),
    (b'{"logs": [{"id" 3}]}', "the answer from api.example.com:443 could not be read: unexpected character, expected "
                              "':' after key"),
])
def test_a_page_cut_short_or_torn_names_the_host_not_the_parsers_place(body, said):
    """s27 walk #5: "the server's answer could not be read: unexpected end of data: line 1 column 30240
    (char 30239)" named neither the host nor that the answer was cut short."""
    from logview.sources.base import InvalidBody, load_json

    with pytest.raises(InvalidBody) as parsed:
        load_json(body)
    error = invalid_body_error(200, {"content-type": "application/json"}, body, str(parsed.value), "api.example.com:443")
    assert error.message == said and error.code == "INVALID_RESPONSE"
