"""What one response says about the request budget: X-RateLimit-Limit / -Remaining / -Reset and
Retry-After, read case-insensitively from any Mapping of headers (no httpx here), garbage ignored."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import datetime, timezone

import msgspec

from logview.api.envelopes import header, parse_retry_after

MAX_RESET_S = 2 * 86400.0  # a reset or a Retry-After further away than this is garbage

_LEADING_INT = re.compile(r"\s*(\d+)\s*(?:[;,]|$)")  # `100`, or the first of `100, 100;w=60`
_POLICY_WINDOW = re.compile(r";\s*w\s*=\s*(\d+)")  # `100;w=60`, the IETF RateLimit-Policy form


class RateHeaders(msgspec.Struct, frozen=True):
    """What one response said about the budget; None for a header absent or unreadable."""

    limit: int | None = None
    remaining: int | None = None
    reset_epoch: float | None = None
    reset_in_s: float | None = None
    retry_after_s: float | None = None
    window_s: float | None = None


def _count(value: str | None) -> int | None:
    match = _LEADING_INT.match(value) if value else None
    return int(match[1]) if match else None


def read_rate_headers(headers: Mapping[str, str], *, now_epoch: float) -> RateHeaders:
    """X-RateLimit-Limit / -Remaining / -Reset and Retry-After, case-insensitively; garbage ignored.
    A Reset below 10^9 is read as seconds from now (some servers send that), above as epoch seconds;
    one in the past or days away is ignored."""
    limit_text = header(headers, "x-ratelimit-limit")
    limit = _count(limit_text)
    policy = _POLICY_WINDOW.search(limit_text) if limit_text else None
    reset_epoch = reset_in = None
    try:
        raw_reset = float(header(headers, "x-ratelimit-reset") or "nan")
    except ValueError:
        raw_reset = math.nan
    if math.isfinite(raw_reset) and raw_reset >= 0:
        reset_epoch = raw_reset if raw_reset >= 1e9 else now_epoch + raw_reset
        reset_in = reset_epoch - now_epoch
        if not 0 < reset_in <= MAX_RESET_S:
            reset_epoch = reset_in = None
    raw_retry_after = header(headers, "retry-after")
    retry_after = None if raw_retry_after is None or raw_retry_after.strip().startswith("-") else \
        parse_retry_after(raw_retry_after, now=datetime.fromtimestamp(now_epoch, timezone.utc))
    return RateHeaders(
        limit=limit if limit else None,
        remaining=_count(header(headers, "x-ratelimit-remaining")),
        reset_epoch=reset_epoch,
        reset_in_s=reset_in,
        retry_after_s=retry_after if retry_after is not None and retry_after <= MAX_RESET_S else None,
        window_s=float(policy[1]) if policy and int(policy[1]) > 0 else None,
    )


def uncounted_answers(before: int, said: int, reported: int | None, limit: int, *, new_window: bool,
                      refused: bool) -> int:
    """How many answers in a row, with this one saying `said` remain, show a count our requests do
    not spend (`before`: as many up to the last; `reported`: what the last said): one saying the
    whole limit remains (a counting server says limit - 1 at once), or the same as the last, in the
    same window, above 0 (a header stuck at 99 of 100: the last answer's request was not counted).
    A new window's first answer says nothing either way (its reset raises the count); one that fell
    ends the run. At 0, or refused, the count cannot fall: neither a sign."""
    if said >= limit:
        return before + 1
    if new_window or refused or said == 0:
        return before
    return before + 1 if said == reported else 0
