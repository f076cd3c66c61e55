"""The one HTTP client: timeouts, the retry policy, per-request records, and secret hygiene.

Only GETs are made, so everything transient is retried: connection faults, timeouts, 408, 429,
5xx, and a 2xx whose body is not the JSON page (a torn transfer). Retry-After is honoured; a wait
longer than the policy allows is not slept through silently but ends the request with a reason.

With a `Budget` (see budget.py: one per key and host), every attempt first waits for its turn and
every response tells the budget what its rate-limit headers said. That wait is no retry attempt.

httpx (with httpcore) and tenacity are imported at the first request, not with this module: ~0.1 s
of one core that a relaunch would otherwise spend before painting its archived rows, which need
no request (`archive/sync.py`).
"""

from __future__ import annotations

import asyncio
import errno
import json
import re
import socket
import time
from collections.abc import Awaitable, Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import quote, quote_plus, urlencode, urlsplit

from logview import __version__
from logview.api import tls
from logview.api.asked_now import AskedAgain, AskedNow
from logview.api.budget import Budget, BudgetWaitTooLong
from logview.api.envelopes import error_from_response, invalid_body_error
from logview.api.types import (  # noqa: F401 - re-exported: the client's vocabulary
    LOOPBACK_HOSTS,
    BudgetState,
    Priority,
    RequestRecord,
    RetryEvent,
    RetryPolicy,
    check_base_url,
    format_wait,
    is_loopback_host,
)
from logview.model import PACED_BY_LOGVIEW, ApiError, ApiFailure
from logview.sanitize import clean
from logview.sources.base import InvalidBody

if TYPE_CHECKING:
    import httpx
    from tenacity import RetryCallState

T = TypeVar("T")

DEFAULT_TIMEOUT_S = {"connect": 10.0, "read": 30.0, "write": 10.0, "pool": 10.0}  # (`httpx.Timeout`'s)
# A body that trickles in never trips the per-read timeout; this bounds one attempt as a whole.
ATTEMPT_DEADLINE_S = 120.0
# A request sent this long without an answer is said (the status line, the banner, `export -v`):
# pages come every second or two, so 5 s is already unusual, and the read timeout (30 s) is long
# to watch a line that reads as if pages still came (s22 walk #10). Read at each call: a test sets it.
NO_ANSWER_SAID_S = 5.0


def _network_error(exc: BaseException, where: str) -> ApiError:
    import httpx

    if isinstance(exc, (httpx.TimeoutException, TimeoutError)):
        kind = {  # (the host named, as a connection's failure names it: s25 walk #9)
            httpx.ConnectTimeout: "connecting to",
            httpx.ReadTimeout: "waiting for the response from",
            httpx.WriteTimeout: "sending the request to",
            httpx.PoolTimeout: "waiting for a free connection to",
        }.get(type(exc), "receiving the response from")
        return ApiError(code="TIMEOUT", message=f"timed out {kind} {where}", retryable=True)
    reason = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.ConnectError):
        return ApiError(code="CONNECTION_FAILED", message=f"could not connect to {where}: {_why_not(exc, reason)}",
                        retryable=True)
    return ApiError(code="NETWORK_ERROR", message=f"{type(exc).__name__}: {reason}", retryable=True)


def _origin(base_url: str) -> str:
    """`api.aitronos.com:443`: where a connection goes, as a failure names it."""
    parts = urlsplit(base_url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        port = "?"
    return f"{parts.hostname or base_url}:{port}"


def _why_not(exc: BaseException, reason: str) -> str:
    """A connection's failure in words (the socket library's, `[Errno -2] Name or service not
    known` or `[SSL: WRONG_VERSION_NUMBER] … (_ssl.c:1006)`, said nothing to a user: s24 walk #8),
    found from the exceptions it was raised from, else from its text."""
    causes, seen = [], exc
    while seen is not None and len(causes) < 8:
        causes.append(seen)
        seen = seen.__cause__ or seen.__context__
    texts = " ".join(str(cause) for cause in causes)
    if any(isinstance(cause, socket.gaierror) for cause in causes) or "Name or service not known" in texts \
            or "name resolution" in texts or "nodename nor servname" in texts:
        return "the name does not resolve (DNS)"
    if any(isinstance(cause, ConnectionRefusedError) for cause in causes) or "Connection refused" in texts:
        return "connection refused (nothing listens there)"
    if "WRONG_VERSION_NUMBER" in texts or "record layer failure" in texts:
        return "the TLS handshake failed: it answers in plain HTTP (for such a server the URL is http://)"
    if "CERTIFICATE_VERIFY_FAILED" in texts:
        detail = texts.split("certificate verify failed:", 1)[-1].split("(_ssl", 1)[0].strip(" )")
        return f"its TLS certificate is not trusted ({detail})" if detail else "its TLS certificate is not trusted"
    if any(isinstance(cause, OSError) and cause.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH) for cause in causes):
        return "the network cannot reach it"
    return reason


def _is_retryable(exc: BaseException) -> bool:
    return isinstance(exc, ApiFailure) and exc.error.retryable


def _secret_forms(values: Iterable[str]) -> tuple[str, ...]:
    """Every spelling of the header values a message could carry: the value, the bare key after an
    auth scheme (`Bearer …`), and their escaped forms (exceptions quote values as `b'…\\n…'`)."""
    forms: set[str] = set()
    for value in values:
        if not value:
            continue
        scheme, _, rest = value.partition(" ")
        for text in (value, rest.strip() if scheme and rest.strip() else ""):
            if len(text) < 4:
                continue
            forms.add(text)
            forms.add(repr(text)[1:-1])
            forms.add(repr(text.encode("utf-8", "backslashreplace"))[2:-1])
            forms.add(json.dumps(text)[1:-1])  # as quoted inside a JSON error body
            forms.update(_web_forms(text))
    return tuple(sorted(forms, key=len, reverse=True))


def _web_forms(text: str) -> set[str]:
    """The key as a server may quote it back: percent-encoded in a URL or a form (either case of
    hex digits), HTML-escaped in a page."""
    import html

    forms = {html.escape(text), html.escape(text, quote=False)}
    for encoded in (quote(text, safe=""), quote(text), quote_plus(text)):
        forms.update((encoded, re.sub("%[0-9A-F]{2}", lambda match: match.group().lower(), encoded)))
    return forms


def _sent_trace(on_sent: Callable[[], None] | None) -> dict[str, object] | None:
    """httpcore's trace extension, telling `on_sent` once the request is on the wire."""
    if on_sent is None:
        return None

    async def trace(event: str, info: dict[str, object]) -> None:
        if event.endswith("send_request_body.complete"):
            on_sent()

    return {"trace": trace}


class ApiClient:
    """An `httpx.AsyncClient` bound to one API's base URL and key, with the retry policy."""

    def __init__(
        self,
        base_url: str,
        headers: dict[str, str],
        *,
        policy: RetryPolicy | None = None,
        timeout: httpx.Timeout | None = None,
        attempt_deadline_s: float = ATTEMPT_DEADLINE_S,
        transport: httpx.AsyncBaseTransport | None = None,
        on_request: Callable[[RequestRecord], None] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        budget: Budget | None = None,
        on_budget_wait: Callable[[BudgetState], None] | None = None,
    ) -> None:
        self.policy = policy or RetryPolicy()
        self.budget = budget  # None: requests go as soon as asked (the retry policy still applies)
        self._on_budget_wait = on_budget_wait
        self._attempt_deadline_s = attempt_deadline_s
        self._on_request = on_request
        self._sleep = sleep
        self._base_url, self._headers, self._timeout, self._transport = base_url, headers, timeout, transport
        self._unanswered: dict[int, float] = {}  # each request sent and not yet answered: when it was sent
        self._sends = self._held = 0  # (`_held`: requests waiting for the budget or for their retry)
        self._asked_now = AskedNow()  # (what `retry_now` cuts short)

    @property
    def sent(self) -> int:
        """How many requests this client has sent (each attempt one; none held by the budget)."""
        return self._sends

    def under_way(self) -> bool:
        """Whether a request of this client is under way: held by the budget, sent, or waiting to be retried."""
        return self._held > 0 or bool(self._unanswered)

    def unanswered_s(self, said_after: float | None = None) -> float | None:
        """How long the oldest request in flight has waited for the server's answer since it was
        sent, once that is `said_after` (NO_ANSWER_SAID_S unless given; 0: any request in flight)
        or more (None: every request sent was answered in time, or none is sent)."""
        if not self._unanswered:
            return None
        waited = time.monotonic() - min(self._unanswered.values())
        return waited if waited >= (NO_ANSWER_SAID_S if said_after is None else said_after) else None

    def retry_now(self) -> int:
        """The user asked for the failed requests now (`r` during a retry's wait): each retry waiting
        is sent at once, and a retry sent and not answered yet is sent again (`asked_now.py`). How many."""
        return self._asked_now.now()

    async def _retry_wait(self, seconds: float) -> None:
        """A retry's wait (Retry-After, the backoff): `seconds`, or until `retry_now`."""
        self._held += 1
        try:
            await self._asked_now.until_asked(self._sleep(seconds))
        finally:
            self._held -= 1

    @cached_property
    def _http(self) -> httpx.AsyncClient:
        """The connection pool, made at the first request (see the module's docstring)."""
        import httpx

        return httpx.AsyncClient(
            base_url=self._base_url,
            headers={"User-Agent": f"logview/{__version__}", "Accept": "application/json", **self._headers},
            timeout=self._timeout or httpx.Timeout(**DEFAULT_TIMEOUT_S),  # (read at the first request: a test sets it)
            transport=self._transport,
            follow_redirects=False,  # a redirect must never carry the key to another host
            verify=tls.verify_for(self._base_url),  # (built off the first paint's path: see tls.py)
        )

    async def __aenter__(self) -> ApiClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if "_http" in self.__dict__:  # (never made: no request was sent)
            await self._http.aclose()

    @cached_property
    def _secrets(self) -> tuple[str, ...]:
        """Every form of the key a message could carry (`_secret_forms`): worked out at the first
        redaction, not when the client is made, on a relaunch's path to its first paint (`html`'s
        import and the forms, ~1.5 ms)."""
        return _secret_forms(self._headers.values())

    def redact(self, text: str) -> str:
        """Remove this client's secrets from a message before it is shown or logged anywhere."""
        for secret in self._secrets:
            text = text.replace(secret, "[redacted]")
        return text

    def tail_reserve(self, interval_s: float, per_cycle: int = 1) -> AbstractContextManager[object]:
        """While a tail polls every `interval_s`, the backfill leaves it room in the budget."""
        return self.budget.hold_tail_reserve(interval_s, per_cycle) if self.budget else nullcontext()

    def _redact_error(self, error: ApiError) -> ApiError:
        """The error with every text field without control characters, then redacted: it reaches
        retry lines, banners and stderr (`export` printed a server's `ESC ]0;…` raw, s21). Cleaned
        first, so that a key the server cut with them is whole again, and redacted."""
        fields = ("code", "message", "detail", "request_id", "body_excerpt")
        update = {name: self.redact(clean(value)) for name in fields if isinstance(value := getattr(error, name), str)}
        return error.model_copy(update=update)

    async def fetch(
        self,
        path: str,
        params: dict[str, str],
        parse: Callable[[bytes], T],
        on_retry: Callable[[RetryEvent], None] | None = None,
        priority: Priority = Priority.LIVE,
        *,
        on_body: Callable[[bytes, T], Awaitable[None]] | None = None,
        on_sent: Callable[[], None] | None = None,
    ) -> T:
        """GET `path` and parse the body, retrying transient failures per the policy. `priority`
        says who goes first when the budget binds: FIRST (a new query's first page), LIVE (the default)
        or BACKFILL. `on_body` is
        awaited with a successful answer's body and its parse (the pager sends the next
        request from it, see prefetch.py); `on_sent` hears when the request has been sent."""
        from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

        policy = self.policy
        max_attempts = policy.max_retries + 1
        backoff = wait_exponential_jitter(
            multiplier=policy.initial_backoff_s, max=policy.max_backoff_s, jitter=policy.initial_backoff_s
        )

        def wait_for(state: RetryCallState) -> float:
            failure = state.outcome.exception() if state.outcome else None
            if isinstance(failure, AskedAgain):
                return 0.0  # (the user asked for it now)
            retry_after = failure.error.retry_after if isinstance(failure, ApiFailure) else None
            wait = retry_after if retry_after is not None else backoff(state)
            if isinstance(failure, ApiFailure) and failure.error.status == 429 and self.budget is not None:
                # Without a usable Retry-After (none, `-5`, `abc`) the budget holds the next attempt
                # until the window's reset anyway: the retry waits as long, and says so (it said
                # 'retrying now' for up to a minute while nothing was sent)
                wait = max(wait, self.budget.state().blocked_s)
            return wait

        def wait_too_long(state: RetryCallState) -> bool:
            return policy.max_wait_s is not None and wait_for(state) > policy.max_wait_s

        def before_sleep(state: RetryCallState) -> None:
            failure = state.outcome.exception() if state.outcome else None
            if on_retry and isinstance(failure, ApiFailure) and state.next_action:
                on_retry(RetryEvent(state.attempt_number, max_attempts, state.next_action.sleep, failure.error))

        retrying = AsyncRetrying(
            stop=stop_after_attempt(max_attempts) | wait_too_long,
            wait=wait_for,
            retry=retry_if_exception(_is_retryable),
            before_sleep=before_sleep,
            sleep=self._retry_wait,
            reraise=True,
        )
        retried: ApiError | None = None  # what the attempt under way retries
        try:
            async for attempt in retrying:
                with attempt:
                    result = await self._attempt(path, params, parse, priority, on_body, on_sent, retried=retried)
                if isinstance(failure := attempt.retry_state.outcome.exception(), ApiFailure):
                    retried = failure.error
        except ApiFailure as failure:
            raise self._final_failure(failure, retrying.statistics.get("attempt_number", 1)) from None
        return result

    def _final_failure(self, failure: ApiFailure, attempts: int) -> ApiFailure:
        error = failure.error
        if not error.retryable:
            return failure
        wait = error.retry_after
        if wait is not None and self.policy.max_wait_s is not None and wait > self.policy.max_wait_s:
            said = format_wait(wait) if wait < 86_400 else "more than a day"  # (not a float's 23 digits)
            reason = (f"the server asked to wait {said} before retrying, "
                      f"longer than the {self.policy.max_wait_s:.0f} s logview waits")
        else:
            reason = f"gave up after {attempts} attempt{'s' if attempts != 1 else ''}"
        return ApiFailure(error, gave_up=reason)

    async def _wait_for_budget(self, budget: Budget, priority: Priority) -> None:
        self._held += 1
        try:
            await budget.acquire(priority, max_wait_s=self.policy.max_wait_s, on_wait=self._on_budget_wait)
        except BudgetWaitTooLong as too_long:
            state, wait_s = too_long.state, too_long.wait_s
            # (logview's own refusal: no server refused anything, so no server's code is said)
            reason = f"{state.holds_next(wait_s)}, longer than the {self.policy.max_wait_s:.0f} s logview waits"
            error = ApiError(code=PACED_BY_LOGVIEW, message=reason, retry_after=wait_s)
            raise ApiFailure(error) from None
        finally:
            self._held -= 1

    async def _attempt(self, path: str, params: dict[str, str], parse: Callable[[bytes], T], priority: Priority,
                       on_body: Callable[[bytes, T], Awaitable[None]] | None = None,
                       on_sent: Callable[[], None] | None = None, *, retried: ApiError | None = None) -> T:
        """One attempt. A retry's (of the failure `retried`) is sent again, a new attempt, when
        `retry_now` asks before it is answered (the banner offers it: "r asks again")."""
        import httpx

        budget = self.budget
        if budget is not None:
            await self._wait_for_budget(budget, priority)
        target = f"{path}?{urlencode(params)}" if params else path
        started = time.perf_counter()
        status: int | None = None
        outcome = "ok"
        answered = False
        try:
            try:
                http = self._http
            except OSError as exc:  # (certificates that cannot be loaded: SSL_CERT_FILE / SSL_CERT_DIR)
                reason = tls.environment_problem() or str(exc)
                raise ApiFailure(ApiError(code="TLS_SETUP", message=f"could not load the certificates: {reason}")) from None
            self._sends += 1
            send = self._sends
            self._unanswered[send] = time.monotonic()  # (after the budget's wait: nothing was sent before)
            try:
                async with asyncio.timeout(self._attempt_deadline_s):
                    getting = http.get(path, params=params, extensions=_sent_trace(on_sent))
                    response = await self._asked_now.until_asked(getting) if retried is not None else await getting
                if response is None:
                    assert retried is not None  # (only a retry's attempt is cut short)
                    raise AskedAgain(retried)
            except (httpx.TransportError, TimeoutError) as exc:
                raise ApiFailure(self._redact_error(_network_error(exc, _origin(self._base_url)))) from None
            finally:
                del self._unanswered[send]  # (answered, failed or cancelled: none waits any more)
            status = response.status_code
            if budget is not None:
                answered = True
                budget.settle(response.headers, status)
            if not 200 <= status < 300:
                # A server may echo the key it was sent ("invalid key sk-…"): redact what it says.
                raise ApiFailure(self._redact_error(error_from_response(status, response.headers, response.content)))
            try:
                parsed = parse(response.content)
            except InvalidBody as exc:
                error = invalid_body_error(status, response.headers, response.content, str(exc),
                                           _origin(self._base_url))
                raise ApiFailure(self._redact_error(error)) from None
            if on_body is not None:  # (after the parse: a body that does not parse is retried, never guessed from)
                await on_body(response.content, parsed)
            return parsed
        except ApiFailure as failure:
            outcome = failure.error.code
            raise
        finally:
            if budget is not None and not answered:
                budget.settle(None)  # no answer: it may have reached the server, so it stays spent
            if self._on_request:
                self._on_request(RequestRecord("GET", target, status, time.perf_counter() - started, outcome))
