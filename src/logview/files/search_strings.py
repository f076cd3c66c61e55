"""The fast path of the byte search (`files.search`) for needles that can only occur inside strings.

In valid JSON outside its strings there are only punctuation, blanks, numbers and the words
`true`, `false`, `null`. A needle that could not be part of such text (`gmail`, `status`,
`success` — any word that is not a piece of those three) therefore matches a line that has no
escapes only inside a string, and the string is a value unless its closing quote is followed by
`:`. That needs no count of the quotes before each match, and so no pass that lists every quote
of the file (~60 a line in Aitronos exports), and no lower-cased copy of it: the needle's bytes
are compared case-folded (`byte | 0x20` for letters) at the few places its rarest byte occurs.

A match without a closing quote on its line (a torn line) is left to the exact check.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

QUOTE = ord('"')
_CASE_BIT = 0x20
# Bytes that can stand outside strings in JSON, and the letter runs they can form there.
_OUTSIDE_BYTES = frozenset(b"{}[],: \t\r\n0123456789.+-eEtrufalsn")
_OUTSIDE_WORDS = (b"true", b"false", b"null")
_FIRST_WINDOW = 32  # bytes after a match looked at for its closing quote, growing ×8 while not found
_WINDOW_LIMIT = 4096


def only_in_strings(raw: bytes) -> bool:
    """Could the (lower-cased) needle occur in valid JSON only inside a string?"""
    if not all(byte in _OUTSIDE_BYTES for byte in raw):
        return True
    runs = bytes(byte if 97 <= byte <= 122 else 32 for byte in raw).split()
    return not all(any(run in word for word in _OUTSIDE_WORDS) for run in runs)


def _is_letter(byte: int) -> bool:
    return 97 <= byte <= 122


def rarity_order(raw: bytes, sample: bytes) -> tuple[int, ...]:
    """The needle's positions, its rarest byte (case-folded, counted in `sample`) first."""
    counts = np.bincount(np.frombuffer(sample.lower(), dtype=np.uint8), minlength=256)
    return tuple(sorted(range(len(raw)), key=lambda k: (int(counts[raw[k]]), k)))


def folded_occurrences(data: np.ndarray, raw: bytes, order: tuple[int, ...]) -> np.ndarray:
    """Start offsets of every (possibly overlapping) occurrence of the lower-case ASCII-folded
    needle `raw` in `data`: ASCII letters match either case, every other byte itself."""
    size = len(raw)
    if len(data) < size or not size:
        return np.zeros(0, dtype=np.int64)
    pivot = order[0]
    values = data[pivot:len(data) - size + pivot + 1]
    byte = raw[pivot]
    equal = np.empty(len(values), dtype=bool)
    if _is_letter(byte):  # (in place: each temporary array of a 4 MiB block costs a pass)
        folded = np.bitwise_or(values, _CASE_BIT)
        candidates = np.flatnonzero(np.equal(folded, byte, out=equal))
    else:
        candidates = np.flatnonzero(np.equal(values, byte, out=equal))
    for offset in order[1:]:
        if not len(candidates):
            break
        candidates = candidates[_equal_folded(data[candidates + offset], raw[offset])]
    return candidates


def _equal_folded(values: np.ndarray, byte: int) -> np.ndarray:
    return (values | _CASE_BIT) == byte if _is_letter(byte) else values == byte


def next_quotes(block: bytes, data: np.ndarray, froms: np.ndarray, limits: np.ndarray) -> np.ndarray:
    """For each position, the first quote at or after it and before its limit (-1: none)."""
    found = np.full(len(froms), -1, dtype=np.int64)
    todo = np.arange(len(froms))
    width = _FIRST_WINDOW
    while len(todo) and width <= _WINDOW_LIMIT and len(data) >= width:
        starts = froms[todo]
        fits = starts + width <= len(data)
        near_end, todo, starts = todo[~fits], todo[fits], starts[fits]
        for k in near_end.tolist():
            found[k] = block.find(b'"', int(froms[k]), int(limits[k]))
        windows = sliding_window_view(data, width)[starts] == QUOTE
        seen = windows.any(axis=1)
        found[todo[seen]] = starts[seen] + windows[seen].argmax(axis=1)
        todo = todo[~seen & (starts + width < limits[todo])]
        width *= 8
    for k in todo.tolist():  # long strings, small blocks
        found[k] = block.find(b'"', int(froms[k]), int(limits[k]))
    found[found >= limits] = -1
    return found
