"""The retry policy and byte-level faults. httpx.MockTransport is used here only for faults a real
server cannot easily produce on demand; behaviour against real HTTP lives in the demo-server tests."""

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import httpx
import pytest

from logview.api.client import ApiClient, RetryPolicy, check_base_url, is_loopback_host
from logview.model import ApiFailure
from logview.sources import SupermetricsSource

SOURCE = SupermetricsSource(1, "T3S70", base_url="https://api.example.test")
GOOD_PAGE = b'{"logs": [{"id": "a", "log_time": "2025-01-01T00:00:00Z", "status": 200}]}'
KEY = "sk-very-secret-key"


def scripted(*responses):
    """A transport answering with the given responses (or raising the given exceptions) in order."""
    queue = list(responses)
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        item = queue.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    return httpx.MockTransport(handler), seen


class Sleeps(list):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


async def fetch(transport, policy=None, sleeps=None, events=None):
    client = ApiClient(SOURCE.base_url, SOURCE.auth_headers(KEY), transport=transport,
                       policy=policy or RetryPolicy(), sleep=sleeps if sleeps is not None else Sleeps())
    async with client:
        return await client.fetch(SOURCE.logs_path(), {"limit": "10"}, SOURCE.parse_page,
                                  on_retry=events.append if events is not None else None)


async def test_a_200_that_is_not_json_is_retried_and_reported():
    transport, seen = scripted(httpx.Response(200, content=b'{"logs": [{"id"'), httpx.Response(200, content=GOOD_PAGE))
    events, sleeps = [], Sleeps()
    page = await fetch(transport, sleeps=sleeps, events=events)
    assert [e.id for e in page.entries] == ["a"]
    assert len(seen) == 2
    assert [(e.attempt, e.max_attempts, e.error.code) for e in events] == [(1, 6, "INVALID_RESPONSE")]
    assert 0.5 <= sleeps[0] <= 1.0


async def test_backoff_doubles_with_jitter_and_is_capped():
    transport, seen = scripted(*[httpx.Response(500, content=b"oops")] * 5, httpx.Response(200, content=GOOD_PAGE))
    sleeps = Sleeps()
    await fetch(transport, sleeps=sleeps)
    assert len(sleeps) == 5
    for attempt, slept in enumerate(sleeps):
        base = min(0.5 * 2**attempt, 8.0)
        assert base <= slept <= min(base + 0.5, 8.0)


async def test_gives_up_after_max_retries_with_the_last_error():
    transport, seen = scripted(*[httpx.Response(503, json={"meta": {"request_id": "r1"},
                                                           "error": {"code": "SERVICE_UNAVAILABLE", "message": "down"}})] * 6)
    with pytest.raises(ApiFailure) as caught:
        await fetch(transport)
    assert len(seen) == 6
    assert caught.value.error.code == "SERVICE_UNAVAILABLE"
    assert "gave up after 6 attempts" in str(caught.value)
    assert str(caught.value).startswith("HTTP 503 SERVICE_UNAVAILABLE: down (request r1)")


async def test_retry_after_seconds_and_http_date_are_honoured():
    when = datetime.now(timezone.utc) + timedelta(seconds=30)
    transport, _ = scripted(
        httpx.Response(429, headers={"Retry-After": "7"}, content=b"{}"),
        httpx.Response(503, headers={"Retry-After": format_datetime(when, usegmt=True)}, content=b"{}"),
        httpx.Response(200, content=GOOD_PAGE),
    )
    sleeps, events = Sleeps(), []
    await fetch(transport, sleeps=sleeps, events=events)
    assert sleeps[0] == 7
    assert 27 <= sleeps[1] <= 30
    assert events[0].describe() == "rate limited — retrying in 7 s, attempt 2/6"


async def test_a_wait_longer_than_the_limit_is_not_slept_through():
    transport, seen = scripted(httpx.Response(429, headers={"Retry-After": "3600"},
                                              json={"meta": {"request_id": "q"}, "error": {"code": "TOO_MANY_REQUESTS", "message": "slow down"}}))
    sleeps = Sleeps()
    with pytest.raises(ApiFailure) as caught:
        await fetch(transport, sleeps=sleeps)
    assert sleeps == [] and len(seen) == 1
    assert "wait 60m 00s" in str(caught.value) and "60 s" in str(caught.value)


async def test_without_a_limit_long_waits_are_slept_for_the_viewer_countdown():
    transport, _ = scripted(httpx.Response(429, headers={"Retry-After": "3600"}, content=b"{}"),
                            httpx.Response(200, content=GOOD_PAGE))
    sleeps = Sleeps()
    await fetch(transport, policy=RetryPolicy(max_wait_s=None), sleeps=sleeps)
    assert sleeps == [3600]


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
async def test_client_errors_are_not_retried(status):
    transport, seen = scripted(httpx.Response(status, content=b"{}"))
    with pytest.raises(ApiFailure) as caught:
        await fetch(transport)
    assert len(seen) == 1 and caught.value.error.status == status and caught.value.gave_up is None


async def test_connection_faults_and_timeouts_are_retried():
    transport, seen = scripted(httpx.ConnectError("[Errno 111] Connection refused"),
                               httpx.ReadTimeout("read timed out"),
                               httpx.RemoteProtocolError("peer closed connection without sending complete message body"),
                               httpx.Response(200, content=GOOD_PAGE))
    events = []
    await fetch(transport, events=events)
    assert [e.error.code for e in events] == ["CONNECTION_FAILED", "TIMEOUT", "NETWORK_ERROR"]
    assert all(e.error.status is None for e in events)


@pytest.mark.parametrize("body", [b"", b'{"error": {"code": "FOUND", "message": "Found."}}'], ids=["bare", "envelope"])
async def test_redirects_are_not_followed_so_the_key_never_travels(body):
    transport, seen = scripted(httpx.Response(302, headers={"Location": "https://evil.example/steal"}, content=body))
    with pytest.raises(ApiFailure) as caught:
        await fetch(transport)
    assert len(seen) == 1 and seen[0].url.host == "api.example.test"
    assert caught.value.error.status == 302
    assert "a redirect, which logview never follows: is --base-url the API's own address?" in caught.value.describe()
    assert "evil.example" not in caught.value.describe()


async def test_the_key_is_sent_only_in_its_header_and_redacted_from_messages():
    transport, seen = scripted(httpx.Response(200, content=GOOD_PAGE))
    await fetch(transport)
    assert seen[0].headers["authorization"] == f"Bearer {KEY}"
    assert KEY not in str(seen[0].url)
    client = ApiClient("https://x.test", {"X-API-Key": KEY})
    assert KEY not in client.redact(f"failed with {KEY} in it")
    await client.aclose()


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000", "http://localhost", "http://[::1]:9", "http://127.9.9.9",
                                 "https://api.aitronos.com", "https://10.0.0.1"])
def test_allowed_base_urls(url):
    assert check_base_url(url + "/") == url


@pytest.mark.parametrize("url", ["http://api.aitronos.com", "http://10.0.0.1", "http://127.0.0.1.evil.com",
                                 "ftp://localhost", "localhost:8000", "http://"])
def test_refused_base_urls_say_https_is_required(url):
    with pytest.raises(ValueError):
        check_base_url(url)
    if url.startswith("http://") and len(url) > 7:
        with pytest.raises(ValueError, match="https is required"):
            check_base_url(url)


def test_loopback_detection():
    assert is_loopback_host("127.0.0.1") and is_loopback_host("LOCALHOST") and is_loopback_host("::1")
    assert not is_loopback_host("128.0.0.1") and not is_loopback_host("localhost.evil.com")
    assert not is_loopback_host("127.0.0.²") and not is_loopback_host("127.0.0.١")  # digits, no numbers
