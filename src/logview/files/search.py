"""Free-text search over a JSONL file's bytes, without parsing every line.

The viewer's search matches the needle (case-insensitively) inside any *value* of an entry — not
its keys, not `null` (see `searchable_text`). Parsing a million lines to check that takes seconds,
so the file is scanned in blocks instead:

1. find the needle's occurrences, ASCII letters of either case, where its rarest byte is (numpy,
   no lower-cased copy); a block without one (and without escapes) is done;
2. a needle that valid JSON holds only inside strings (`gmail`, `status`: see `search_strings`)
   hits a line where the string around an occurrence is a value (its closing quote not followed
   by `:`). Any other needle (`200`, `true`): the quotes before an occurrence on its line say
   whether it lies inside a string and which one; an occurrence inside a key, crossing a string's
   end, or in a `null` is dropped. Only the quotes of lines with an occurrence are listed.
3. a needle that occurs `DENSE_LEAST` times a line or more (`e`, a digit: ~40 an Aitronos line)
   is told for every byte of the block at once, 64 bytes to a word (`search_dense`): looking at
   each of its occurrences took ~2 s over a 579 MiB file, the block's bytes as bits ~0.5 s.

Blocks are searched two at a time (`SEARCH_THREADS`): numpy and the reads release the interpreter.

Lines where bytes alone cannot decide — escapes (`\\"`, `\\u00e9`), an odd number of quotes (not
JSON), entries already known to be invalid, and for a needle beyond ASCII the lines holding a
character that lower-cases into its first such character (`é`, `É`: case folding; for a needle
with U+FFFD, every line beyond ASCII: invalid UTF-8 reads as it) and lines holding a character the
table shows otherwise (a bidi control: `search_shown`, found as shown) — are parsed and checked exactly.
Numbers match as written in the file (`1.50`, where the parsed value prints as `1.5`).
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from itertools import repeat

import msgspec
from msgspec.structs import replace
import numpy as np

from logview.files.jsonl import entry_from_line
from logview.files.lines import LineFile
from logview.files.search_dense import byte_mask, dense_hits, dense_ok, mask_bits, position_bits, release_scratch
from logview.files.search_shown import BEYOND_ASCII, largest_byte, shown_otherwise_at
from logview.files.search_strings import folded_occurrences, next_quotes, only_in_strings, rarity_order
from logview.sources.base import Source, searchable_text

BLOCK_BYTES = 4 << 20
SEARCH_THREADS = 2
SAMPLE_BYTES = 64 << 10  # of the first block, to find which of the needle's bytes is rarest
# Matches a line at most (on average over a block) whose quotes before them are counted one match at
# a time; more, and the quotes of their lines are listed once and looked up.
COUNT_QUOTES_MOST = 1
# Rounds of each undecided line's first match before the rest are looked at together
FIRST_MATCH_ROUNDS = 4
# Matches a line at least (on average over a block) for every byte of the block to be told at once
# (`search_dense`, for a needle it can take: ~5 ms a 4 MiB block whatever the matches) rather than
# match by match (`e`, a digit: ~40 matches an Aitronos line).
DENSE_LEAST = 2
# … for a needle of more than one byte that only strings hold (`us`, `er`): its own way, which lists
# no quotes (`search_strings`), costs less up to ~5 matches a line (measured over the Aitronos 1M file).
DENSE_LEAST_IN_STRINGS = 5
_QUOTE, _BACKSLASH, _COLON = ord('"'), ord("\\"), ord(":")
_STRUCTURAL = frozenset(b'{}[],:" \t\r\n')
_WHITESPACE = np.array([c in b" \t\r\n" for c in range(256)])
# The only characters whose lower case has ASCII in it: K (Kelvin) → k, İ → i̇. A line holding one
# may match an ASCII needle (with a k or an i) that its bytes do not contain.
_FOLDS_TO_ASCII = {"k": "\u212a".encode(), "i": "\u0130".encode()}


class Needle(msgspec.Struct, frozen=True):
    text: str  # lower-cased
    raw: bytes  # its UTF-8 bytes
    ascii: bool
    literal_ok: bool  # could occur inside a bare number/true/false token
    folds: tuple[bytes, ...]  # non-ASCII characters that lower-case into this (ASCII) needle
    in_strings: bool  # valid JSON can hold it only inside a string (see `search_strings`)
    order: tuple[int, ...] = ()  # its positions, rarest byte first (`search_strings.rarity_order`)
    # A needle beyond ASCII: the characters (UTF-8) that lower-case into its first non-ASCII one.
    # A line holding none of them (nor an escape) cannot match: its bytes decide it.
    anchors: tuple[bytes, ...] = ()
    # It holds U+FFFD, which is what a line's invalid UTF-8 reads as: any line beyond ASCII may match.
    replacement: bool = False
    # It holds a quote, which a JSON string holds only escaped: only a line with an escape (or not
    # JSON) can have it in a value, and those are checked exactly (`_search_block`). (A backslash
    # is rare enough in a file for its own occurrences to be the quicker way to those lines.)
    written_escaped: bool = False
    dense: bool = False  # printable ASCII without quote or backslash: `search_dense` may search it

    @classmethod
    def of(cls, text: str) -> Needle:
        lowered = text.lower()
        raw = lowered.encode("utf-8")
        folds = tuple(seq for char, seq in _FOLDS_TO_ASCII.items() if char in lowered) if raw.isascii() else ()
        anchors = () if raw.isascii() else lowering_into(next(c for c in lowered if not c.isascii()))
        return cls(lowered, raw, raw.isascii(), not any(c in _STRUCTURAL for c in raw), folds, only_in_strings(raw),
                   anchors=anchors, replacement="\ufffd" in lowered, written_escaped=b'"' in raw,
                   dense=dense_ok(raw))


_CASED_BELOW = 0x1F000  # every character whose lower case differs lies below this (Unicode 15)
_lowered_from: dict[str, set[str]] = {}


def lowering_into(char: str) -> tuple[bytes, ...]:
    """`char` and every character whose lower case (anywhere in a text) holds it, as UTF-8 (the
    table of them is made at the first call: ~20 ms)."""
    if not _lowered_from:
        table: dict[str, set[str]] = {}
        for code in range(0x80, _CASED_BELOW):
            upper = chr(code)
            lower = upper.lower()
            if lower != upper:
                for part in lower:
                    table.setdefault(part, set()).add(upper)
        # The one lower case that depends on context (`str.lower`): Σ at a word's end becomes ς.
        table.setdefault("\u03c2", set()).add("\u03a3")
        _lowered_from.update(table)
    return tuple(sorted(c.encode("utf-8", "surrogatepass") for c in {char} | _lowered_from.get(char, set())))


def search_lines(lines: LineFile, source: Source, starts: np.ndarray, lengths: np.ndarray,
                 needle: str, known_invalid: np.ndarray | None = None,
                 cancelled: object = None, threads: int | None = None) -> np.ndarray:
    """Which of the lines have `needle` in one of their values. The file is read in order: lines
    given in another order (a file shown newest first that was not written so) are searched in
    file order and the answers put back in theirs."""
    if len(starts) > 1 and (starts[1:] < starts[:-1]).any():
        order = np.argsort(starts, kind="stable")
        hits = np.zeros(len(starts), dtype=bool)
        hits[order] = search_lines(lines, source, starts[order], lengths[order], needle,
                                   None if known_invalid is None else known_invalid[order], cancelled, threads)
        return hits
    wanted = Needle.of(needle)
    threads = SEARCH_THREADS if threads is None else threads
    hits = np.zeros(len(starts), dtype=bool)
    if not wanted.raw:
        hits[:] = True
        return hits
    if len(starts):
        wanted = replace(wanted, order=rarity_order(wanted.raw, lines.read(int(starts[0]), SAMPLE_BYTES)))

    def search_block(span: tuple[int, int]) -> np.ndarray | None:
        if callable(cancelled) and cancelled():
            return None
        i, j = span
        base = int(starts[i])
        block = lines.read(base, int(starts[j - 1] + lengths[j - 1]) - base)
        return _search_block(block, starts[i:j] - base, lengths[i:j], wanted,
                             None if known_invalid is None else known_invalid[i:j],
                             lambda line: _exact(source, line, wanted.text))

    spans = _block_spans(starts)
    # Most of a block's work is numpy's and the read, which release the interpreter: a second
    # thread searches the next block meanwhile (pool.map hands results back in order).
    pool = ThreadPoolExecutor(threads) if threads > 1 and len(spans) > 1 else None
    try:
        for (i, j), found in zip(spans, pool.map(search_block, spans) if pool else map(search_block, spans)):
            if found is None:
                break
            hits[i:j] = found
    finally:
        if pool:
            pool.shutdown(cancel_futures=True)
        release_scratch()  # (the pool's threads end, and their scratch with them)
    return hits


def _block_spans(starts: np.ndarray) -> list[tuple[int, int]]:
    """Runs of lines [i, j) that start within BLOCK_BYTES of the run's first (at least one line)."""
    spans = []
    i = 0
    while i < len(starts):
        j = max(i + 1, int(np.searchsorted(starts, starts[i] + BLOCK_BYTES, side="left")))
        spans.append((i, j))
        i = j
    return spans


# JSON with its numbers kept as written (`1.50`, `1e3`), as the bytes show them: a line checked
# exactly (it has an escape) must match a number as a line without one does.
_AS_WRITTEN = json.JSONDecoder(parse_float=str, parse_int=str, parse_constant=str).decode


def _exact(source: Source, line: bytes, needle: str) -> bool:
    try:
        value = _AS_WRITTEN(line.decode("utf-8"))
    except (ValueError, RecursionError):  # (not JSON, or not UTF-8: searched as its entry is)
        return needle in searchable_text(entry_from_line(source, line).raw)
    return needle in searchable_text(value)


def _search_block(block: bytes, rs: np.ndarray, lengths: np.ndarray, needle: Needle,
                  invalid: np.ndarray | None, exact) -> np.ndarray:
    hits = np.zeros(len(rs), dtype=bool)
    data = np.frombuffer(block, dtype=np.uint8)
    if needle.written_escaped:  # (its bytes are every line's quotes: `"` took as long as `e`, s27 walk)
        slow = _undecidable(block, data, rs, invalid, _undecided_at(block, data, needle))
        return _exact_rest(block, rs, lengths, hits, slow | _odd_quotes(data, rs, lengths), exact)
    if needle.dense and len(needle.raw) == 1:  # (its mask first: a list of a letter's matches costs more)
        mask = byte_mask(data, needle.raw[0])
        if np.count_nonzero(mask) >= DENSE_LEAST * len(rs):
            return _dense_block(block, data, rs, lengths, needle, invalid, mask_bits(mask), hits, exact)
        matches = np.flatnonzero(mask)
    else:
        matches = folded_occurrences(data, needle.raw, needle.order)
        least = DENSE_LEAST_IN_STRINGS if needle.in_strings else DENSE_LEAST
        if needle.dense and len(matches) >= least * len(rs):
            return _dense_block(block, data, rs, lengths, needle, invalid, position_bits(matches, len(data)), hits,
                                exact)
    undecided_at = _undecided_at(block, data, needle)
    if _settled(block, needle, len(matches) > 0, undecided_at):
        return hits
    re_ = rs + lengths
    slow = _undecidable(block, data, rs, invalid, undecided_at) | _odd_quotes(data, rs, lengths)
    line = _lines_of(matches, rs)
    # a match running past its line's end lies partly between lines (`\x0b`, blank lines)
    keep = ~slow[line] & (matches + len(needle.raw) <= re_[line])
    matches, line = matches[keep], line[keep]
    if needle.in_strings:
        _hits_in_strings(block, data, re_, needle, matches, line, hits, slow)
    elif len(matches):
        _hits_anywhere(block, data, rs, lengths, re_, needle, matches, line, hits)
    return _exact_rest(block, rs, lengths, hits, slow, exact)


def _dense_block(block: bytes, data: np.ndarray, rs: np.ndarray, lengths: np.ndarray, needle: Needle,
                 invalid: np.ndarray | None, start_bits: np.ndarray, hits: np.ndarray, exact) -> np.ndarray:
    """A block where the needle occurs `DENSE_LEAST` times a line or more: every byte at once."""
    found, odd = dense_hits(data, rs, rs + lengths, start_bits, needle.raw, needle.literal_ok)
    slow = _undecidable(block, data, rs, invalid, _undecided_at(block, data, needle)) | odd
    hits[:] = found & ~slow
    return _exact_rest(block, rs, lengths, hits, slow, exact)


def _hits_anywhere(block: bytes, data: np.ndarray, rs: np.ndarray, lengths: np.ndarray, re_: np.ndarray,
                   needle: Needle, matches: np.ndarray, line: np.ndarray, hits: np.ndarray) -> None:
    """Mark lines where a match of a needle that may stand outside strings (numbers, `true`) lies
    in a value. A line one match has hit needs no look at its others: where matches are many
    (`e`, a digit: ~40 an Aitronos line), each undecided line's first is looked at, a few rounds,
    and only what is left all at once (`e` over 1M lines: ~5× less CPU than all of its matches)."""
    for _ in range(FIRST_MATCH_ROUNDS):
        if len(matches) <= COUNT_QUOTES_MOST * len(rs):
            break
        _, first = np.unique(line, return_index=True)
        hits[line[first][_in_values(block, data, rs, lengths, re_, needle, matches[first], line[first])]] = True
        left = ~hits[line]
        left[first] = False
        matches, line = matches[left], line[left]
    if len(matches):
        hits[line[_in_values(block, data, rs, lengths, re_, needle, matches, line)]] = True


def _in_values(block: bytes, data: np.ndarray, rs: np.ndarray, lengths: np.ndarray, re_: np.ndarray,
               needle: Needle, matches: np.ndarray, line: np.ndarray) -> np.ndarray:
    """Which matches lie in a value: told by the parity of the quotes before each on its line
    (whose quotes pair up: a line with an odd count or an escape is checked exactly instead).
    `re_`: each line's end (`rs + lengths`, computed once a block, not again each round)."""
    if len(matches) <= COUNT_QUOTES_MOST * len(rs):
        # (each match's quotes counted by `bytes.count` over its line up to it: for `true` in an
        # Aitronos file, ~0.4 matches a line, 5× less CPU than listing the quotes of its lines)
        before = np.fromiter(map(block.count, repeat(b'"'), rs[line].tolist(), matches.tolist()), np.int64,
                             len(matches))
        inside = (before & 1).astype(bool)
        closing_of = lambda at: next_quotes(block, data, matches[at], re_[line[at]])  # noqa: E731
    else:
        quotes = _quotes_in_lines(data, rs, lengths, np.unique(line))
        before = np.searchsorted(quotes, matches)  # quotes strictly before each match
        inside = ((before - np.searchsorted(quotes, rs)[line]) & 1).astype(bool)
        closing_of = lambda at: quotes[before[at]]  # noqa: E731
    good = np.zeros(len(matches), dtype=bool)
    # inside a string: it must end before the closing quote, and the string must be a value
    idx = np.flatnonzero(inside)
    if len(idx):
        closing = closing_of(idx)
        fits = closing >= matches[idx] + len(needle.raw)
        good[idx[fits]] = ~_is_key(data, closing[fits])
    # outside strings: a number or true/false (never null, never across punctuation)
    if needle.literal_ok:
        idx = np.flatnonzero(~inside)
        if len(idx):
            good[idx] = ~_in_null(data, matches[idx], needle.raw)
    return good


def _settled(block: bytes, needle: Needle, found: bool, undecided_at: np.ndarray) -> bool:
    """A block without the needle is done unless some of its lines need the exact check."""
    return not found and b"\\" not in block and not len(undecided_at)


def _quotes_in_lines(data: np.ndarray, rs: np.ndarray, lengths: np.ndarray, lines: np.ndarray) -> np.ndarray:
    """Offsets of the quotes in these lines (a list of every quote of the block when they are many)."""
    if len(lines) * 4 >= len(rs):
        return np.flatnonzero(data == _QUOTE)
    spans = lengths[lines].astype(np.int64)
    gathered = np.arange(int(spans.sum())) + np.repeat(rs[lines] - (np.cumsum(spans) - spans), spans)
    return gathered[data[gathered] == _QUOTE]


def _odd_quotes(data: np.ndarray, rs: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Lines with an odd number of quotes (not JSON: a torn line). Each line's span runs to the
    next line's start, over line breaks and blank lines, which hold no quotes."""
    if not len(rs):
        return np.zeros(0, dtype=bool)
    quotes = np.zeros(len(data) + 1, dtype=np.uint8)  # (+1: an empty last line starts at the end)
    np.equal(data, _QUOTE, out=quotes[:-1].view(bool))
    odd = np.bitwise_xor.reduceat(quotes, rs).astype(bool)
    odd[lengths == 0] = False  # (reduceat gives an empty span the byte at its start)
    return odd


def _undecided_at(block: bytes, data: np.ndarray, needle: Needle) -> np.ndarray:
    """Where characters are that bytes cannot tell a line by: those that may read as the needle's
    (`_fold_positions`) and those the table shows otherwise (`search_shown`)."""
    largest = largest_byte(block, data)
    folds_at, shown_at = _fold_positions(block, data, needle, largest), shown_otherwise_at(block, data, largest)
    return np.concatenate([folds_at, shown_at]) if len(shown_at) else folds_at


def _fold_positions(block: bytes, data: np.ndarray, needle: Needle, largest: int) -> np.ndarray:
    """Where the non-ASCII bytes that may read as the needle's letters are: characters that
    lower-case into an ASCII needle's (`folds`) or into the first non-ASCII character of another
    (`anchors`); for a needle with U+FFFD, every one (invalid UTF-8 reads as it)."""
    if largest < BEYOND_ASCII:  # (ASCII)
        return np.zeros(0, dtype=np.int64)
    if needle.replacement:
        return np.flatnonzero(data >= 0x80)
    # (`sequence in block` is slow where the lead byte is common, as in text with dashes: its last
    # byte is looked for first, with memchr)
    found = [_occurrences(data, sequence) for sequence in needle.folds + needle.anchors if sequence[-1:] in block]
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


def _undecidable(block: bytes, data: np.ndarray, rs: np.ndarray, invalid: np.ndarray | None,
                 undecided_at: np.ndarray) -> np.ndarray:
    """Lines bytes cannot decide: escapes, invalid entries, and those holding a character of
    `undecided_at` (case folding beyond ASCII, a character the table shows otherwise)."""
    slow = np.zeros(len(rs), dtype=bool) if invalid is None else invalid.copy()
    if b"\\" in block:
        slow[_lines_of(np.flatnonzero(data == _BACKSLASH), rs)] = True
    slow[_lines_of(undecided_at, rs)] = True
    return slow


def _hits_in_strings(block: bytes, data: np.ndarray, re_: np.ndarray, needle: Needle, matches: np.ndarray,
                     line: np.ndarray, hits: np.ndarray, slow: np.ndarray) -> None:
    """Mark lines where a match lies in a value string (see `search_strings`). A needle with a
    quote in it spans a string's end: in a line without escapes it never lies in one value."""
    if not len(matches) or b'"' in needle.raw:
        return
    closing = next_quotes(block, data, matches + len(needle.raw), re_[line])
    torn = closing < 0
    slow[line[torn]] = True
    line, closing = line[~torn], closing[~torn]
    hits[line[~_is_key(data, closing)]] = True


def _exact_rest(block: bytes, rs: np.ndarray, lengths: np.ndarray, hits: np.ndarray, slow: np.ndarray,
                exact) -> np.ndarray:
    for k in np.flatnonzero(slow & ~hits):
        start = int(rs[k])
        hits[k] = exact(block[start:start + int(lengths[k])])
    return hits


def _lines_of(positions: np.ndarray, rs: np.ndarray) -> np.ndarray:
    return np.searchsorted(rs, positions, side="right") - 1


def _occurrences(data: np.ndarray, needle: bytes) -> np.ndarray:
    """Start offsets of every (possibly overlapping) occurrence of `needle`."""
    candidates = np.flatnonzero(data == needle[0])
    limit = len(data) - len(needle)
    candidates = candidates[candidates <= limit]
    for offset in range(1, len(needle)):
        candidates = candidates[data[candidates + offset] == needle[offset]]
    return candidates


def _is_key(data: np.ndarray, closing: np.ndarray) -> np.ndarray:
    """For closing quotes: is the next non-blank byte a colon (the string is an object key)?"""
    after = np.minimum(closing + 1, len(data) - 1)
    result = (data[after] == _COLON) & (closing + 1 < len(data))
    spaced = np.flatnonzero(_WHITESPACE[data[after]] & (closing + 1 < len(data)))
    for k in spaced:  # `"key" : value` — rare in exports, fine to walk
        p = int(closing[k]) + 1
        while p < len(data) and _WHITESPACE[data[p]]:
            p += 1
        result[k] = p < len(data) and data[p] == _COLON
    return result


def _in_null(data: np.ndarray, matches: np.ndarray, needle: bytes) -> np.ndarray:
    """Matches that lie inside a `null` literal (which search never matches)."""
    result = np.zeros(len(matches), dtype=bool)
    for shift in range(4):
        if b"null"[shift:shift + len(needle)] != needle:
            continue
        start = matches - shift
        ok = (start >= 0) & (start + 4 <= len(data))
        window = np.zeros(len(matches), dtype=bool)
        window[ok] = True
        for j, byte in enumerate(b"null"):
            window[ok] &= data[start[ok] + j] == byte
        result |= window
    return result
