"""JSON in and out: orjson for speed, the standard library for what orjson refuses.

orjson rejects integers beyond 64 bits; an API or a file may still contain them, and an entry must
survive the round trip exactly (field order and huge numbers kept).
"""

from __future__ import annotations

import json
from typing import Any

import orjson


class InvalidJSON(ValueError):
    """Bytes that are not JSON at all (torn, truncated, HTML, invalid UTF-8)."""


def load_json(data: bytes | str) -> Any:
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
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys).encode()
