"""An API's error envelope, said by the command line as one sentence: code, message, then the
envelope's `details` as `key: value` words (s31: `export` printed them as raw JSON on a line of
their own, `{"retry_after":"3600"}`, and `sql --sync` left them out)."""

from __future__ import annotations

import re

import httpx
import pytest

from logview.api.client import ApiClient
from logview.api.types import RetryPolicy
from logview.api.envelopes import error_from_response
from logview.demo import DEMO_ORG, Fault
from logview.jsonutil import dump_json
from logview.model import ApiFailure
from logview.sources.aitronos import AitronosSource
from test_export import AITRONOS_KEY, aitronos_args, logview

TOO_MANY = ("HTTP 429 RATE_LIMIT_EXCEEDED: Rate limit exceeded. Please retry later. Too many requests for this "
            "API key; retry_after: 3600 (request req_")


def envelope(details) -> bytes:
    return dump_json({"success": False, "error": {"code": "VALIDATION_ERROR", "message": "Invalid request parameters.",
                                                  "system_message": "Validation failed for 'status'",
                                                  "details": details, "trace_id": "req_1"}})


@pytest.mark.parametrize(("details", "said"), [
    ({"retry_after": "3600"}, "retry_after: 3600"),
    ({"retry_after": 57, "limit": 2, "window_seconds": None, "note": ""}, "retry_after: 57, limit: 2"),
    ({"field": "status", "allowed": ["success", "error"], "value": "bogus"},
     "field: status, allowed: [success, error], value: bogus"),
    ({"limits": {"hourly": 100, "daily": None}, "strict": True}, "limits.hourly: 100, strict: true"),
    ({"why\x1b]0;TITLE\x07": "a\x9bb\nc"}, "why]0;TITLE: ab c"),
    (["first", 2], "[first, 2]"),
    ("plain words", "plain words"),
], ids=["retry", "empties-left-out", "list", "nested", "controls", "a-list", "a-string"])
def test_details_are_key_value_words(details, said):
    error = error_from_response(422, {}, envelope(details))
    assert error.detail == f"Validation failed for 'status'\n{said}"
    assert error.sentence() == ("HTTP 422 VALIDATION_ERROR: Invalid request parameters. Validation failed for "
                                f"'status'; {said} (request req_1)")


@pytest.mark.parametrize("details", [{}, None, {"retry_after": None}])
def test_empty_details_add_nothing(details):
    error = error_from_response(422, {}, envelope(details))
    assert error.detail == "Validation failed for 'status'"


@pytest.mark.parametrize(("opening", "closing"), [('{"a":', "}"), ("[", "]")], ids=["objects", "lists"])
def test_details_nested_as_deep_as_json_is_read_are_said_in_a_line(opening, closing):
    """A value nested 1,020 levels (logview reads 1,024) went past Python's stack when said a level a call."""
    deep = (opening * 1020 + "1" + closing * 1020).encode()
    body = b'{"error": {"code": "X", "message": "Deep.", "details": ' + deep + b"}}"
    detail = error_from_response(400, {}, body).detail
    assert detail is not None and len(detail) <= 610 and "\n" not in detail
    assert detail.startswith("a.a.a.a: {\"a\":{" if opening.startswith("{") else "[[[[[[[[")


def test_a_message_without_a_full_stop_is_followed_by_a_colon():
    body = dump_json({"error": {"code": "X", "message": "Nope", "details": {"id": 7}}})
    assert error_from_response(400, {}, body).sentence() == "HTTP 400 X: Nope: id: 7"


def one_line(stderr: bytes) -> str:
    lines = stderr.decode().splitlines()
    assert all("{" not in line for line in lines), lines  # (no JSON, `{"retry_after":"3600"}`)
    assert not any(line.startswith(" ") for line in lines), lines  # (no line of its own under it)
    return lines[0]


def test_export_says_a_429_and_its_details_in_one_sentence(fresh_server):
    fresh_server.state.insert_aitronos(10)
    fresh_server.state.add_fault(Fault(kind="status", status=429, retry_after="3600"))
    result = logview(*aitronos_args(fresh_server), env=AITRONOS_KEY)
    assert result.returncode == 3
    first = one_line(result.stderr)
    assert first.startswith(f"logview: {TOO_MANY}")
    assert re.search(r"\(request req_\w+\); the server asked to wait 60m 00s before retrying, longer than the 60 s "
                     r"logview waits$", first)


def test_export_says_a_refused_organization_and_which_in_one_sentence(fresh_server):
    result = logview("export", "--source", "aitronos", "--org", "org_other", "--base-url", fresh_server.url,
                     env=AITRONOS_KEY)
    assert result.returncode == 3
    assert re.fullmatch(r"logview: HTTP 403 INSUFFICIENT_PERMISSIONS: You do not have permission to access this "
                        r"resource\. Insufficient permissions for this operation; organization_id: org_other "
                        r"\(request req_\w+\)", one_line(result.stderr))


def test_sql_sync_says_a_429_with_its_details(fresh_server):
    fresh_server.state.insert_aitronos(10)
    fresh_server.state.add_fault(Fault(kind="status", status=429, retry_after="3600"))
    result = logview("sql", "--source", "aitronos", "--org", DEMO_ORG, "--base-url", fresh_server.url, "--sync",
                     "select count(*) from logs", env=AITRONOS_KEY)
    assert result.returncode == 3 and result.stdout == b""
    first = one_line(result.stderr)
    assert first.startswith(f"logview sql: {TOO_MANY}") and first.endswith("; the statement was not run (without "
                                                                           "--sync it reads the archive as it is)")


async def test_a_key_the_server_quotes_in_its_details_is_redacted():
    key = 'sk-LEAK"CANARY\\1234567890'

    def echoing(request: httpx.Request) -> httpx.Response:
        sent = request.headers["x-api-key"]
        return httpx.Response(401, json={"error": {"code": "BAD", "message": "Refused.", "details": {"got": sent}}})

    source = AitronosSource(DEMO_ORG, base_url="https://api.example.com")
    async with ApiClient(source.base_url, source.auth_headers(key), policy=RetryPolicy(max_retries=0),
                         transport=httpx.MockTransport(echoing)) as client:
        with pytest.raises(ApiFailure) as info:
            await client.fetch(source.logs_path(), {}, lambda body: body)
    assert info.value.describe() == "HTTP 401 BAD: Refused. got: [redacted]"
