"""The HTTP layer's plain values — retry policy, retry events, request records, URL checks.

Kept apart from `http.py` so that what only talks about requests (the viewer's banner, the CLI's
URL check, opening a file) does not import httpx and tenacity: ~80 ms of every launch.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from logview.model import ApiError

LOOPBACK_HOSTS = frozenset({"localhost", "::1", "[::1]"})


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 5
    initial_backoff_s: float = 0.5
    max_backoff_s: float = 8.0
    # The longest wait slept through; longer Retry-After ends the request. None: any wait (the
    # viewer, which shows a countdown the user can cancel).
    max_wait_s: float | None = 60.0


@dataclass(frozen=True)
class RetryEvent:
    """A failed attempt that will be retried after `wait_s` seconds."""

    attempt: int
    max_attempts: int
    wait_s: float
    error: ApiError

    def describe(self) -> str:
        what = "rate limited" if self.error.status == 429 else self.error.summary()
        return f"{what} — retrying in {self.wait_s:.0f} s, attempt {self.attempt + 1}/{self.max_attempts}"


@dataclass(frozen=True)
class RequestRecord:
    """One attempt, for `-v` and the debug log. Holds no header, so never a secret."""

    method: str
    target: str  # path and query
    status: int | None
    elapsed_s: float
    outcome: str  # "ok", an error code


def is_loopback_host(host: str) -> bool:
    host = host.strip("[]").lower()
    if host in LOOPBACK_HOSTS or host == "::1":
        return True
    parts = host.split(".")
    return len(parts) == 4 and parts[0] == "127" and all(p.isdigit() and int(p) < 256 for p in parts)


def check_base_url(url: str) -> str:
    """Refuse URLs that would send a key in clear text: plain http only to loopback hosts."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise ValueError(
            f"refusing plain http:// for {parts.hostname}: https is required "
            "(http is accepted only for loopback hosts such as 127.0.0.1 and localhost)"
        )
    return url.rstrip("/")
