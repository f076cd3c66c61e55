"""JSON in and out: orjson for speed, the standard library for what orjson refuses.

orjson turns integers beyond 64 bits into floats (losing digits) and refuses numbers beyond a
double; an API or a file may still contain them, and an entry must survive the round trip exactly
(field order and huge numbers kept). Bodies with a number of 19+ digits therefore go to the standard
library, which keeps integers exact — a cheap check that only slows bodies that need it. A number
beyond a double (`1e400`, or `1e-400`) is read as a `LiteralNumber`, written back as it came.
"""

from __future__ import annotations

import json
import re
import secrets
from typing import Any

import orjson


class InvalidJSON(ValueError):
    """Bytes that are not JSON at all (torn, truncated, HTML, invalid UTF-8)."""


class LiteralNumber(float):
    """A number beyond a double (`1e400`) or a constant JSON lacks (`NaN`, `Infinity`): a float
    for arithmetic (infinite or NaN), written back exactly as it was read."""

    text: str

    def __new__(cls, text: str) -> LiteralNumber:
        number = super().__new__(cls, text)
        number.text = text
        return number

    def __repr__(self) -> str:
        return self.text

    __str__ = __repr__


def _float_or_literal(text: str) -> float:
    number = float(text)
    if number in (_INF, -_INF) or (number == 0 and any(c in "123456789" for c in text.lower().partition("e")[0])):
        return LiteralNumber(text)  # beyond a double, or so small it would be written back as 0.0
    return number


_INF = float("inf")
# The standard library's parser, keeping numbers a double cannot hold as they were written.
_loads = json.JSONDecoder(parse_float=_float_or_literal, parse_constant=LiteralNumber).decode


# 19+ digits right after `:`, `,` or `[` (where JSON numbers start); anchoring on those
# characters makes the scan about twice as fast as a bare digit run over timestamp-heavy bodies.
_LONG_DIGIT_RUN = re.compile(rb"[:,\[][\s-]*\d{19}")
# The regex scans ~100 MB/s, slower than orjson parses; every digit made a `0` and a search for
# 19 of them in a row rules it out first at ten times that (the regex only runs on such a run).
_DIGITS_AS_ZERO = bytes(ord("0") if ord("0") <= byte <= ord("9") else byte for byte in range(256))
_NINETEEN_DIGITS = b"0" * 19


def is_utf8(text: bytes) -> bool:
    """Whether `text` is valid (strict) UTF-8."""
    try:
        text.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def load_json(data: bytes | str) -> Any:
    raw = data.encode() if isinstance(data, str) else data
    if _NINETEEN_DIGITS in raw.translate(_DIGITS_AS_ZERO) and _LONG_DIGIT_RUN.search(raw):
        try:
            return _loads(raw.decode())
        except (ValueError, UnicodeDecodeError, RecursionError) as error:
            raise InvalidJSON(str(error)) from None
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as first_error:
        try:
            return _loads(data.decode() if isinstance(data, bytes) else data)
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise InvalidJSON(str(first_error)) from None


def dump_json(value: Any, *, sort_keys: bool = False) -> bytes:
    option = orjson.OPT_SORT_KEYS if sort_keys else 0
    try:
        return orjson.dumps(value, option=option)
    except TypeError:
        try:  # a number read as a `LiteralNumber` goes back as it was written
            return orjson.dumps(value, option=option | orjson.OPT_PASSTHROUGH_SUBCLASS, default=_literal)
        except TypeError:
            pass
        literals: list[str] = []
        mark = f"\0{secrets.token_hex(8)} %d\0"  # a string no entry holds, standing in for a literal
        value = _marked(value, literals, mark)
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys)
        try:
            data = text.encode()
        except UnicodeEncodeError:  # a lone surrogate (JSON `"\\ud800"`): written back escaped
            data = json.dumps(value, ensure_ascii=True, separators=(",", ":"), sort_keys=sort_keys).encode()
        written = json.dumps(mark).encode()  # how the standard library writes the mark
        for number, literal in enumerate(literals):
            data = data.replace(written % number, literal.encode(), 1)
        return data


def _literal(value: Any) -> Any:
    if isinstance(value, LiteralNumber):
        return orjson.Fragment(value.text.encode())
    raise TypeError


def _marked(value: Any, literals: list[str], mark: str) -> Any:
    """`value` with each `LiteralNumber` replaced by `mark % n` (n counting them in `literals`)."""
    if isinstance(value, LiteralNumber):
        literals.append(value.text)
        return mark % (len(literals) - 1)
    if isinstance(value, dict):
        return {key: _marked(item, literals, mark) for key, item in value.items()}
    if isinstance(value, list):
        return [_marked(item, literals, mark) for item in value]
    return value
