"""Network faults over real sockets: what the client reports and whether it recovers.

The demo server's fault knobs supply HTTP-level faults (429 variants, 5xx bursts, HTML from a
proxy, a torn 200, a body that trickles or hangs); the operating system supplies the rest (a closed
port, a name that does not resolve, TLS spoken to a plain-HTTP port). Retries wait milliseconds
(`FAST_RETRIES`); Retry-After values are honoured as given, so they are kept small or capped.
"""

from __future__ import annotations

import asyncio

import os
import socket
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import httpx
import pytest

from logview.demo import DEMO_SUPERMETRICS_KEY, DemoServer, DemoState
from logview.demo.state import Fault
from logview.api.client import ApiClient, RetryPolicy
from logview.model import ApiFailure, Filters
from logview.api.paging import BackfillDone, EntriesLoaded, Pager
from logview.sources import SupermetricsSource
from support import FAST_RETRIES, supermetrics

QUICK = httpx.Timeout(connect=2.0, read=1.0, write=2.0, pool=2.0)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the block ends: nothing listens there


async def first_page(client: ApiClient, source: SupermetricsSource, events: list | None = None):
    return await client.fetch(source.logs_path(), {"limit": "10"}, source.parse_page,
                              on_retry=events.append if events is not None else None)


def client_for(url: str, *, policy: RetryPolicy = FAST_RETRIES, timeout: httpx.Timeout = QUICK,
               deadline: float = 5.0) -> tuple[SupermetricsSource, ApiClient]:
    source = SupermetricsSource(1, "DEMO01", base_url=url)
    return source, ApiClient(source.base_url, source.auth_headers(DEMO_SUPERMETRICS_KEY), policy=policy,
                             timeout=timeout, attempt_deadline_s=deadline)


@pytest.mark.parametrize("url, code, words", [  # (where it went and why in words, not errno's: s24 walk #8)
    ("closed port", "CONNECTION_FAILED", "could not connect to 127.0.0.1:{port}: connection refused"),  # the same id on every xdist worker
    ("https://logview-test.invalid", "CONNECTION_FAILED",
     "could not connect to logview-test.invalid:443: the name does not resolve (DNS)"),  # no such name
])
async def test_unreachable_apis_fail_after_retries_with_a_clear_message(url: str, code: str, words: str) -> None:
    if url == "closed port":
        port = closed_port()
        url, words = f"http://127.0.0.1:{port}", words.format(port=port)
    source, client = client_for(url, policy=RetryPolicy(max_retries=2, initial_backoff_s=0.01, max_backoff_s=0.02))
    events: list = []
    async with client:
        with pytest.raises(ApiFailure) as failure:
            await first_page(client, source, events)
    assert failure.value.error.code == code and words in failure.value.error.message
    assert len(events) == 2 and all(e.error.retryable for e in events)
    assert DEMO_SUPERMETRICS_KEY not in str(failure.value)


@pytest.fixture
def unanswered_port():
    """A port whose accept queue is full: the kernel drops further SYNs, so connecting hangs until
    the connect timeout — a real connect timeout, over loopback."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        try:
            filler.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        fillers.append(filler)
    yield port
    for sock in [*fillers, listener]:
        sock.close()


async def test_a_connect_timeout_is_retried_then_reported(unanswered_port: int) -> None:
    source, client = client_for(f"http://127.0.0.1:{unanswered_port}",
                                policy=RetryPolicy(max_retries=1, initial_backoff_s=0.01, max_backoff_s=0.02),
                                timeout=httpx.Timeout(connect=0.3, read=1.0, write=1.0, pool=1.0))
    events: list = []
    async with client:
        with pytest.raises(ApiFailure) as failure:
            await first_page(client, source, events)
    error = failure.value.error
    assert error.code == "TIMEOUT" and "connecting" in error.message, error
    assert [e.error.code for e in events] == ["TIMEOUT"]


async def test_tls_spoken_to_a_plain_http_port_is_a_clear_failure(server) -> None:
    source, client = client_for(server.url.replace("http://", "https://"),
                                policy=RetryPolicy(max_retries=1, initial_backoff_s=0.01, max_backoff_s=0.02))
    async with client:
        with pytest.raises(ApiFailure) as failure:
            await first_page(client, source)
    error = failure.value.error
    assert error.status is None and error.retryable
    assert "SSL" in error.message or "TLS" in error.message or "ssl" in error.message.lower()


@pytest.mark.parametrize("retry_after, waited", [
    ("1", 1.0),
    (None, None),  # no header: the policy's own backoff
])
async def test_429_waits_as_told_then_succeeds(fresh_server, retry_after: str | None, waited: float | None) -> None:
    fresh_server.state.insert_supermetrics(5)
    fresh_server.state.add_fault(Fault("status", status=429, retry_after=retry_after, api="supermetrics"))
    source, client = supermetrics(fresh_server)
    events: list = []
    async with client:
        page = await first_page(client, source, events)
    assert page.entries and [e.error.status for e in events] == [429]
    if waited is not None:
        assert events[0].wait_s == pytest.approx(waited)
    else:
        assert events[0].wait_s <= FAST_RETRIES.max_backoff_s + FAST_RETRIES.initial_backoff_s


async def test_429_with_an_http_date_is_honoured(fresh_server) -> None:
    when = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=2), usegmt=True)
    fresh_server.state.add_fault(Fault("status", status=429, retry_after=when, api="supermetrics"))
    source, client = supermetrics(fresh_server)
    events: list = []
    async with client:
        await first_page(client, source, events)
    assert 0.0 <= events[0].wait_s <= 2.5  # the date, rounded to whole seconds by the format


@pytest.mark.parametrize(("retry_after", "said"), [
    ("3600", "60m 00s"),  # (as the viewer counts it down; it said "3600 s": s29 walk 2 #3)
    ("7300", "2h 01m"),
    ("9" * 23, "more than a day"),  # (it said 'wait 99999999999999991611392 s', a float's digits: s17 K2)
])
async def test_a_429_asking_for_an_hour_is_not_slept_through(fresh_server, retry_after, said) -> None:
    fresh_server.state.add_fault(Fault("status", status=429, retry_after=retry_after, api="supermetrics"))
    source = SupermetricsSource(1, "DEMO01", base_url=fresh_server.url)
    client = ApiClient(source.base_url, source.auth_headers(DEMO_SUPERMETRICS_KEY),
                       policy=RetryPolicy(max_retries=5, initial_backoff_s=0.01, max_backoff_s=0.05, max_wait_s=60))
    async with client:
        with pytest.raises(ApiFailure) as failure:
            await first_page(client, source)
    assert failure.value.error.status == 429
    assert failure.value.gave_up == f"the server asked to wait {said} before retrying, longer than the 60 s logview waits"


async def test_a_trickling_body_and_a_hung_body_are_cut_by_the_deadline_then_retried(fresh_server) -> None:
    fresh_server.state.insert_supermetrics(5)
    fresh_server.state.add_fault(Fault("trickle", delay=5.0, api="supermetrics"))
    fresh_server.state.add_fault(Fault("hang", delay=30.0, api="supermetrics"))
    source, client = client_for(fresh_server.url, deadline=0.5)
    events: list = []
    async with client:
        page = await first_page(client, source, events)
    assert page.entries
    assert [e.error.code for e in events] == ["TIMEOUT", "TIMEOUT"]


async def test_a_burst_of_5xx_and_proxy_pages_still_gives_the_exact_set(fresh_server) -> None:
    for minutes in range(1, 6):  # five tie groups of 60 entries, a page boundary inside each
        fresh_server.state.insert_supermetrics(60, at=datetime.now(timezone.utc) - timedelta(minutes=minutes))
    # five failures in a row: the sixth attempt (the last the policy allows) succeeds
    for fault in (Fault("status", status=503, count=2), Fault("html", status=502), Fault("truncated"),
                  Fault("invalid_json_200")):
        fresh_server.state.add_fault(fault)
    source, client = supermetrics(fresh_server, page_limit=100)
    ids: list[str] = []
    async with client:
        async for event in Pager(source, client, Filters()).backfill():
            if isinstance(event, EntriesLoaded):
                ids.extend(e.id for e in event.entries)
            elif isinstance(event, BackfillDone):
                break
    served = [e["id"] for e in fresh_server.state.supermetrics_logs]
    assert len(served) == 300 and sorted(ids) == sorted(served) and len(ids) == len(set(ids))


def open_sockets() -> int:
    count = 0
    for name in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{name}").startswith("socket:"):
                count += 1
        except OSError:
            pass
    return count


async def test_no_connection_is_left_open_after_failures_and_close(fresh_server) -> None:
    before = open_sockets()
    fresh_server.state.insert_supermetrics(5)
    for _ in range(3):
        fresh_server.state.add_fault(Fault("status", status=500, count=2, api="supermetrics"))
        source, client = supermetrics(fresh_server)
        async with client:
            await first_page(client, source)
    # The server's end of each connection closes when its thread sees the client's FIN, a moment
    # later; a socket the client leaked would keep both ends open for good.
    for _ in range(100):
        if open_sockets() <= before:
            break
        await asyncio.sleep(0.05)
    assert open_sockets() <= before



async def test_https_to_a_plain_http_server_says_so_and_names_where() -> None:
    """s24 walk #8: `--base-url https://127.0.0.1:PORT` on a plain server read "[SSL: WRONG_VERSION_NUMBER]
    wrong version number (_ssl.c:1006)"."""
    with DemoServer(DemoState(aitronos_entries=0, supermetrics_entries=10, live_rate=0.0)) as server:
        url = server.url.replace("http://", "https://")
        source, client = client_for(url, policy=RetryPolicy(max_retries=1, initial_backoff_s=0.01, max_backoff_s=0.02))
        async with client:
            with pytest.raises(ApiFailure) as failure:
                await first_page(client, source)
    message = failure.value.error.message
    assert message.startswith(f"could not connect to {url.removeprefix('https://')}: the TLS handshake failed"), message
    assert "plain HTTP" in message and "http://" in message and "_ssl.c" not in message
