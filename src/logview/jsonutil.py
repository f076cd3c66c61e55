"""JSON in and out: orjson for speed, the standard library for what orjson refuses.

orjson turns integers beyond 64 bits into floats (losing digits) and refuses numbers beyond a
double; an API or a file may still contain them, and an entry must survive the round trip exactly
(field order and huge numbers kept). Bodies with a number of 19+ digits therefore go to the standard
library, which keeps integers exact — a cheap check that only slows bodies that need it.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson


class InvalidJSON(ValueError):
    """Bytes that are not JSON at all (torn, truncated, HTML, invalid UTF-8)."""


# 19+ digits right after `:`, `,` or `[` (where JSON numbers start); anchoring on those
# characters makes the scan about twice as fast as a bare digit run over timestamp-heavy bodies.
_LONG_DIGIT_RUN = re.compile(rb"[:,\[][\s-]*\d{19}")
# The regex scans ~100 MB/s, slower than orjson parses; every digit made a `0` and a search for
# 19 of them in a row rules it out first at ten times that (the regex only runs on such a run).
_DIGITS_AS_ZERO = bytes(ord("0") if ord("0") <= byte <= ord("9") else byte for byte in range(256))
_NINETEEN_DIGITS = b"0" * 19


def load_json(data: bytes | str) -> Any:
    raw = data.encode() if isinstance(data, str) else data
    if _NINETEEN_DIGITS in raw.translate(_DIGITS_AS_ZERO) and _LONG_DIGIT_RUN.search(raw):
        try:
            return json.loads(raw)
        except (ValueError, UnicodeDecodeError, RecursionError) as error:
            raise InvalidJSON(str(error)) from None
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as first_error:
        try:
            return json.loads(data)
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise InvalidJSON(str(first_error)) from None


def dump_json(value: Any, *, sort_keys: bool = False) -> bytes:
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS if sort_keys else 0)
    except TypeError:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys)
        try:
            return text.encode()
        except UnicodeEncodeError:  # a lone surrogate (JSON `"\ud800"`): written back escaped
            return json.dumps(value, ensure_ascii=True, separators=(",", ":"), sort_keys=sort_keys).encode()
