"""Turn any failed HTTP response into one `ApiError`: both envelope shapes, proxies' HTML pages,
torn or empty bodies. Pure functions: no network, no Textual."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Iterator, Mapping

from logview.jsonutil import InvalidJSON, dump_json, load_json
from logview.model import ApiError
from logview.sanitize import clean_line

if TYPE_CHECKING:
    from http import HTTPStatus

RETRYABLE_STATUSES = frozenset({408, 429}) | frozenset(range(500, 600))
BODY_EXCERPT_CHARS = 2000
_HTML_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_HTML_TAG = re.compile(r"<[^>]+>")


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date. None if unusable."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        # (imported here: an HTTP date is rare, and email.utils is ~2.5 ms of a relaunch's path to its
        # first paint, where the client is made)
        from email.utils import parsedate_to_datetime

        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        seconds = (when - (now or datetime.now(timezone.utc))).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


def _http_status(status: int) -> HTTPStatus | None:
    """The standard status of that number (None: not one)."""
    from http import HTTPStatus  # (an error's: not on the path to the first paint)

    try:
        return HTTPStatus(status)
    except ValueError:
        return None


def _status_name(status: int) -> str:
    known = _http_status(status)
    return f"HTTP_{status}" if known is None else known.name


def _text(value: Any) -> str | None:
    if value is None or value == "" or value == {} or value == []:
        return None
    if isinstance(value, str):
        return value
    return dump_json(value, sort_keys=True).decode()


DETAIL_VALUE_CHARS, DETAILS_CHARS = 200, 600  # (a value, and all of them: a line, not a page, on stderr)
DETAIL_LEVELS = 4  # (deeper, a value is its compact JSON: a server's details may nest 1,024 levels, past Python's stack)


def details_words(details: Any) -> str | None:
    """An envelope's `details` as `key: value` text, the empty values left out (`retry_after: 3600,
    limit: 2`; a nested key dotted, `limits.hourly: 100`, a list in brackets): the raw JSON,
    `{"retry_after":"3600"}`, stood on a line of its own under `export`'s error and the banner's (s31).
    Both print these words; a value's control characters are removed, as every error field's is."""
    if isinstance(details, dict):
        words = ", ".join(f"{name}: {said}" for name, said in _detail_pairs(details, "", 1))
    else:
        words = _value_words(details, 1) or ""
    return _cut(words, DETAILS_CHARS) or None


def _detail_pairs(details: dict, prefix: str, level: int) -> Iterator[tuple[str, str]]:
    for key, value in details.items():
        name = clean_line(f"{prefix}{key}")
        if isinstance(value, dict) and value and level < DETAIL_LEVELS:
            yield from _detail_pairs(value, f"{name}.", level + 1)
        elif (words := _value_words(value, level + 1)) is not None:
            yield name, words


def _value_words(value: Any, level: int) -> str | None:
    if value is None or value == "" or value == {} or value == []:
        return None
    if isinstance(value, list) and level <= DETAIL_LEVELS:
        items = [words for item in value if (words := _value_words(item, level + 1)) is not None]
        return f"[{', '.join(items)}]" if items else None
    text = "true" if value is True else "false" if value is False else value if isinstance(value, str) \
        else dump_json(value, sort_keys=True).decode()
    return _cut(clean_line(text).strip(), DETAIL_VALUE_CHARS) or None


def _cut(text: str, chars: int) -> str:
    return text[:chars] + "…" if len(text) > chars else text


def _excerpt(body: bytes) -> str:
    return body[:BODY_EXCERPT_CHARS].decode("utf-8", errors="replace")


def header(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive header lookup that also works on plain dicts."""
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None


def error_from_response(status: int, headers: Mapping[str, str], body: bytes) -> ApiError:
    """Build the error value for a non-2xx response, whatever its body looks like."""
    retry_after = parse_retry_after(header(headers, "retry-after"))
    header_request_id = header(headers, "x-request-id")
    common = dict(
        status=status,
        retry_after=retry_after,
        body_excerpt=_excerpt(body) or None,
        retryable=status in RETRYABLE_STATUSES,
    )
    try:
        document = load_json(body)
    except InvalidJSON:
        document = None
    error = document.get("error") if isinstance(document, dict) else None
    if isinstance(error, dict):
        meta = document.get("meta")
        meta_id = meta.get("request_id") if isinstance(meta, dict) else None
        detail_parts = [
            _text(error.get("description")),
            _text(error.get("system_message")),
            details_words(error.get("details")),
        ]
        return ApiError(
            code=_text(error.get("code")) or _status_name(status),
            message=(_text(error.get("message")) or _status_phrase(status)) + _REFUSED_REDIRECT * (300 <= status < 400),
            detail="\n".join(part for part in detail_parts if part) or None,
            request_id=_text(meta_id) or _text(error.get("trace_id")) or header_request_id,
            **common,
        )
    return ApiError(
        code=_status_name(status),
        message=_describe_foreign_body(status, headers, body) + _REFUSED_REDIRECT * (300 <= status < 400),
        request_id=header_request_id,
        **common,
    )


# (said, not followed: a redirect would carry the key to wherever it points; 'HTTP 302 FOUND: Found'
# alone gave no hint of it, found in a walk)
_REFUSED_REDIRECT = " — a redirect, which logview never follows: is --base-url the API's own address?"


def _status_phrase(status: int) -> str:
    known = _http_status(status)
    return f"HTTP status {status}" if known is None else known.phrase


def _describe_foreign_body(status: int, headers: Mapping[str, str], body: bytes) -> str:
    """A message for a body that is not the API's envelope (a proxy page, plain text, nothing)."""
    phrase = _status_phrase(status)
    content_type = (header(headers, "content-type") or "").split(";")[0].strip()
    if not body.strip():
        return f"{phrase} (empty response body)"
    title = _HTML_TITLE.search(body[:65536])
    if title:
        text = _HTML_TAG.sub("", title.group(1).decode("utf-8", errors="replace"))
        return f"{phrase} (HTML page from the server or a proxy: {' '.join(text.split())[:200]})"
    if content_type:
        return f"{phrase} (unexpected {content_type} body)"
    return f"{phrase} (response body is not the API's JSON error)"


def invalid_body_error(status: int, headers: Mapping[str, str], body: bytes, reason: str,
                       where: str = "the server") -> ApiError:
    """A 2xx whose body could not be parsed as a page: retryable, it is often a torn transfer.
    `NOT_JSON` when the body is no JSON at all (a proxy's page, nothing), `INVALID_RESPONSE` when
    it is JSON cut short or torn; the status is no error's (`ApiError.answered`). `where`: the
    host, as a timeout names it."""
    not_json = _not_json(body, (header(headers, "content-type") or "").split(";")[0].strip())
    return ApiError(
        status=status,
        code="INVALID_RESPONSE" if not_json is None else "NOT_JSON",
        message=_torn_words(body, reason, where) if not_json is None else not_json,
        request_id=header(headers, "x-request-id"),
        body_excerpt=_excerpt(body) or None,
        retryable=True,
    )


# The parser's "line 1 column 30240 (char 30239)": a place in a body the user never sees
_PARSER_PLACE = re.compile(r":? ?line \d+ column \d+ \(char \d+\)$")


def _torn_words(body: bytes, reason: str, where: str) -> str:
    """JSON cut short or torn, said as such, with the host ("could not be read: unexpected end of
    data: line 1 column 30240 (char 30239)" named neither, s27 walk #5)."""
    if reason.startswith("unexpected end of data"):
        return f"the answer from {where} was cut short ({len(body):,} bytes of JSON, unfinished)"
    return f"the answer from {where} could not be read: {_PARSER_PLACE.sub('', reason)}"


def _not_json(body: bytes, content_type: str) -> str | None:
    """What a page's body is, when it is no JSON at all (the parser's guess, "invalid literal,
    expected 'null'" for a body starting with n, said nothing; "HTTP 200 INVALID_RESPONSE" read as
    if 200 were the error); None for JSON cut short or torn (the parser's reason says it)."""
    text = body.strip()
    typed = f" ({clean_line(content_type)[:60]})" if content_type else ""
    if not text:
        return f"the server's answer was empty{typed}, not JSON"
    title = _HTML_TITLE.search(text[:65536])
    if title or text[:1] == b"<":
        named = " ".join(_HTML_TAG.sub("", title.group(1).decode("utf-8", errors="replace")).split())[:80] \
            if title else ""
        return f"the server's answer was not JSON{typed}: an HTML page{f' ({named})' if named else ''}"
    if text[:1] not in (b"{", b"[") and not _is_json(text):
        start = " ".join(text[:24].decode("utf-8", errors="replace").split())
        return f"the server's answer was not JSON{typed}: it starts with {start!r}"
    return None


def _is_json(text: bytes) -> bool:
    try:
        load_json(text)
    except InvalidJSON:
        return False
    return True
