"""The byte search (`files.search`) for a needle that hits most lines (`e`, a digit, `o`): every
byte of a block told at once, 64 to a machine word, instead of each of the needle's ~40
occurrences a line looked at one by one.

An occurrence counts where it lies in a value: inside a string that is not a key, or (for a
needle that may stand in a number, `true` or `false`) outside strings but not in `null`. Over a
block's bytes as bits (one 64-bit word per 64 bytes, each word's first byte its highest bit):

- inside strings: the running parity of the quotes before each byte (a prefix XOR, 6 shifts a
  word and one running XOR over the words), reset at each line's start;
- keys: a string whose closing quote is followed by a colon (blanks between allowed). Both the
  blanks before a colon and a key's bytes before its closing quote are runs of set bits that end
  where they must be told: adding a bit just past a run's end carries through it and clears it
  (a carry runs toward a word's higher bits, which are the earlier bytes here).

A line hits where a good occurrence starts between its start and its end. This holds for a line
whose quotes pair up and which has no escape (the caller checks the rest exactly) and for a needle
with no quote, backslash or control character: such a needle lies inside one string or one bare
word, never across a quote, so where it starts says where it lies.
"""

from __future__ import annotations

import threading

import numpy as np

QUOTE, COLON = ord('"'), ord(":")
_NULL = b"null"
_ALL = np.uint64(0xFFFF_FFFF_FFFF_FFFF)
_local = threading.local()


def dense_ok(raw: bytes) -> bool:
    """Can this (lower-cased, UTF-8) needle be searched this way?"""
    return bool(raw) and raw.isascii() and all(32 <= byte < 127 for byte in raw) and b'"' not in raw \
        and b"\\" not in raw


def byte_mask(data: np.ndarray, byte: int) -> np.ndarray:
    """Where `data` holds the (lower-case ASCII) byte, a letter in either case. The mask lives in
    this thread's scratch space: pack it (`mask_bits`) before the next call here."""
    mask, folded = _scratch(len(data))
    if 97 <= byte <= 122:
        np.equal(np.bitwise_or(data, 0x20, out=folded), byte, out=mask)
    else:
        np.equal(data, byte, out=mask)
    return mask


def mask_bits(mask: np.ndarray) -> np.ndarray:
    return _pack(mask, len(mask) // 64 + 1)


def position_bits(positions: np.ndarray, size: int) -> np.ndarray:
    mask, _ = _scratch(size)
    mask[:] = False
    mask[positions] = True
    return mask_bits(mask)


def dense_hits(data: np.ndarray, rs: np.ndarray, re_: np.ndarray, start_bits: np.ndarray, raw: bytes,
               literal_ok: bool) -> tuple[np.ndarray, np.ndarray]:
    """Which lines [rs, re_) of the block `data` have an occurrence in a value, and which have an
    odd number of quotes (not JSON: to be checked exactly). `start_bits`: where the needle occurs
    (`mask_bits`, `position_bits`)."""
    rs, re_ = rs.astype(np.int64, copy=False), re_.astype(np.int64, copy=False)  # (a store's may be uint32)
    words = len(start_bits)
    quote_bits = _bits_where(data, np.equal, QUOTE)
    inside = _prefix_xor(quote_bits)
    starts_inside = _bits_at(inside, rs - 1) & (rs > 0)
    odd = (_bits_at(inside, re_ - 1) ^ starts_inside) & (re_ > rs)
    # each line starts outside strings, whatever the lines before it or between them (torn lines,
    # checked exactly, and lines not searched) left: a flip before each line that starts inside
    flips = np.flatnonzero(starts_inside[1:] ^ starts_inside[:-1]) + 1
    if len(flips):
        inside ^= _prefix_xor(_set_bits(np.zeros(words, np.uint64), rs[flips] - 1))
    colon_bits = _bits_where(data, np.equal, COLON)
    # (no control byte but blanks stands in a valid line; a line's end ends what a colon says)
    blank_or_colon = _clear_bits(_bits_where(data, np.less_equal, 32), re_) | colon_bits
    before_colon = blank_or_colon & ~_add(blank_or_colon, colon_bits)  # colons and the blanks before them
    key_closing = quote_bits & ~inside & _next_byte(before_colon)
    in_keys = inside & ~_add(inside, _next_byte(key_closing))
    good = start_bits & inside & ~in_keys
    if literal_ok:
        outside = start_bits & ~inside & ~quote_bits
        if raw in _NULL:
            outside &= ~_nulls(data)
        good |= outside
    return _any_between(good, rs, re_), odd


def _scratch(size: int) -> tuple[np.ndarray, np.ndarray]:
    """This thread's reused masks (a fresh 4 MiB array a block costs its pages' faults, ~1 ms)."""
    held = getattr(_local, "arrays", None)
    if held is None or len(held[0]) < size:
        held = _local.arrays = (np.empty(size, dtype=bool), np.empty(size, dtype=np.uint8))
    return held[0][:size], held[1][:size]


def release_scratch() -> None:
    """Let this thread's scratch go (a long-lived thread, as the viewer's, would hold ~8 MiB)."""
    _local.__dict__.pop("arrays", None)


def _bits_where(data: np.ndarray, compare, byte: int) -> np.ndarray:
    mask, _ = _scratch(len(data))
    return mask_bits(compare(data, byte, out=mask))


def _any_between(bits: np.ndarray, rs: np.ndarray, re_: np.ndarray) -> np.ndarray:
    """For each span [rs, re_) of bytes: is any of its bits set? (Its first and last words masked,
    the words between counted.)"""
    ends = np.maximum(re_ - 1, rs)
    first, last = rs >> 6, ends >> 6
    head = bits[first] & (_ALL >> (rs & 63).astype(np.uint64))
    tail = bits[last] & (_ALL << (63 - (ends & 63)).astype(np.uint64))
    nonzero = np.cumsum(bits != 0)
    found = np.where(first == last, (head & tail) != 0,
                     (head != 0) | (tail != 0) | (nonzero[np.maximum(last - 1, 0)] > nonzero[first]))
    return found & (re_ > rs)


def _pack(mask: np.ndarray, words: int) -> np.ndarray:
    """A bool mask as `words` 64-bit words, byte k of the mask at bit 63 - k % 64 of word k // 64."""
    packed = np.zeros(words * 8, dtype=np.uint8)
    bits = np.packbits(mask)
    packed[:len(bits)] = bits
    return packed.view(">u8").astype(np.uint64)


def _bits_at(bits: np.ndarray, positions: np.ndarray) -> np.ndarray:
    return ((bits[positions >> 6] >> (63 - (positions & 63)).astype(np.uint64)) & np.uint64(1)).astype(bool)


def _set_bits(bits: np.ndarray, positions: np.ndarray) -> np.ndarray:
    np.bitwise_or.at(bits, positions >> 6, np.uint64(1) << (63 - (positions & 63)).astype(np.uint64))
    return bits


def _clear_bits(bits: np.ndarray, positions: np.ndarray) -> np.ndarray:
    np.bitwise_and.at(bits, positions >> 6, ~(np.uint64(1) << (63 - (positions & 63)).astype(np.uint64)))
    return bits


def _prefix_xor(bits: np.ndarray) -> np.ndarray:
    """Each bit XOR every bit before it (the earlier bytes): 1 inside a quoted span, its opening
    quote included, its closing quote not."""
    out = bits.copy()
    for shift in (1, 2, 4, 8, 16, 32):
        out ^= out >> np.uint64(shift)
    carried = np.bitwise_xor.accumulate(out & np.uint64(1))  # (bit 0: the parity of the word)
    out[1:] ^= np.uint64(0) - carried[:-1]  # (0 - 1: every bit set)
    return out


def _next_byte(bits: np.ndarray, offset: int = 1) -> np.ndarray:
    """Each byte's bit replaced by the bit `offset` (< 64) bytes after it."""
    out = bits << np.uint64(offset)
    out[:-1] |= bits[1:] >> np.uint64(64 - offset)
    return out


def _previous_byte(bits: np.ndarray, offset: int) -> np.ndarray:
    """Each byte's bit replaced by the bit `offset` (< 64) bytes before it."""
    out = bits >> np.uint64(offset)
    out[1:] |= bits[:-1] << np.uint64(64 - offset)
    return out


def _add(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a + b as one number whose first word is the highest (a carry runs to the earlier bytes)."""
    total = a + b
    into = np.flatnonzero(total[1:] < a[1:])  # words whose next word overflowed
    while len(into):
        total[into] += np.uint64(1)
        into = into[total[into] == 0] - 1  # (it was every bit set: the carry runs on)
        into = into[into >= 0]
    return total


def _nulls(data: np.ndarray) -> np.ndarray:
    """The bytes of each `null` in the block (which search never matches)."""
    at = _bits_where(data, np.equal, _NULL[0])
    for offset, byte in enumerate(_NULL[1:], 1):
        at &= _next_byte(_bits_where(data, np.equal, byte), offset)
    spans = at.copy()
    for offset in range(1, len(_NULL)):
        spans |= _previous_byte(at, offset)
    return spans
