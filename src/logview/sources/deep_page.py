"""A page too deep to read whole: an entry nested up to 1,024 levels is read by itself, and one
nested deeper is kept as its text, as a file's line is.

orjson reads 1,024 levels; a page's object and its `logs` list take two of them, so an entry
nested 1,023 deep, valid JSON from the server, made the whole page unreadable, and it was
retried as a torn transfer until the retries ran out (found in a walk). Here the page is cut at
its own brackets: its `logs` elements each read alone, the rest of the page without them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from logview.jsonutil import TOO_DEEP, JSONText, TooDeepJSON, load_json
from logview.model import LogEntry

# A JSON string (its escapes included) or one of the characters that shape a value's members
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{},:]', re.DOTALL)
_OPENING, _CLOSING = frozenset(b"[{"), frozenset(b"]}")
_SPACE = b" \t\r\n"


class NotCuttable(ValueError):
    """Bytes that are not one JSON object or list with members to cut."""


def members(text: bytes, start: int) -> list[tuple[bytes | None, int, int]]:
    """The members of the object or list opening at `start` (after any blank): for each, its key
    (None in a list) and its value's span, found without reading the values."""
    while start < len(text) and text[start] in _SPACE:
        start += 1
    if start >= len(text) or text[start] not in _OPENING:
        raise NotCuttable("not an object or a list")
    found: list[tuple[bytes | None, int, int]] = []
    depth, key, begins, last = 0, None, start + 1, None
    for token in _TOKENS.finditer(text, start + 1):
        char = token.group()
        if char[0] == ord('"'):
            last = token
            continue
        if depth == 0 and char == b":" and last is not None:
            key, begins = last.group()[1:-1], token.end()
        elif depth == 0 and (char == b"," or char[0] in _CLOSING):
            if text[begins:token.start()].strip(_SPACE):
                found.append((key, begins, token.start()))
            if char != b",":
                return found
            key, begins = None, token.end()
        elif char[0] in _OPENING:
            depth += 1
        elif char[0] in _CLOSING:
            depth -= 1
        last = None
    raise NotCuttable("it does not end")


def read_deep_page(body: bytes) -> Any:
    """The page read without `logs`' elements, then each element alone; one nested too deep is
    its JSON text in `logs` (`deep_entry` reads what it can of it). TooDeepJSON when that is not
    enough (the depth is elsewhere in the page)."""
    try:
        logs = next((begins, ends) for key, begins, ends in members(body, 0) if key == b"logs")
        elements = members(body, logs[0])
    except (NotCuttable, StopIteration):
        raise TooDeepJSON(TOO_DEEP) from None
    document = load_json(body[:logs[0]] + b"[]" + body[logs[1]:])
    raws: list[Any] = []
    for _, begins, ends in elements:
        element = body[begins:ends]
        try:
            raws.append(load_json(element))
        except TooDeepJSON:
            raws.append(element.strip(_SPACE).decode("utf-8", errors="replace"))
    if isinstance(document, dict):
        document["logs"] = raws
    return document


def deep_entry(text: str, entry_from_raw: Callable[[Any], LogEntry]) -> LogEntry | None:
    """The entry whose JSON text is nested too deep to read, kept as that text and marked so, its
    id, time and status taken from the members that read by themselves (its page is paged, and
    its row placed, by them); None when the text reads after all."""
    data = text.encode("utf-8", errors="surrogatepass")
    try:
        load_json(data)
        return None
    except TooDeepJSON:
        pass
    except ValueError:
        return None
    shallow = entry_from_raw(shallow_members(data))  # (its source's)
    return LogEntry(shallow.id, shallow.time, shallow.status, JSONText(text), shallow.source, invalid=TOO_DEEP)


def shallow_members(element: bytes) -> dict[str, Any]:
    """The members of an object that read by themselves (the deep one left out)."""
    shallow: dict[str, Any] = {}
    try:
        found = members(element, 0)
    except NotCuttable:
        return shallow
    for key, begins, ends in found:
        if key is None:
            continue
        try:
            shallow[load_json(b'"' + key + b'"')] = load_json(element[begins:ends])
        except ValueError:  # (InvalidJSON, TooDeepJSON among them)
            continue
    return shallow
