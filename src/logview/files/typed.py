"""The fields the filter columns need, decoded by typed msgspec Structs: the fast path of reading
a big file's columns (`columns.py`), about twice as fast as `orjson.loads` into dicts because only
these fields become Python objects (the rest of each line is validated and skipped).

Each Struct (`sources/shapes.py`, where the API layer can use them too) types each schema field
exactly as `Source.plainly_valid` demands (an `int` is never a bool or a float; a status is within
100..599 ...), so a line decodes *only* when it is valid JSON, an object, and plainly valid:
then its entry is the plain one `entry_from_raw` would build, and its columns follow from these
fields alone. Any line that fails to decode, for any reason, is read the exact way instead
(`ColumnReader`, per line). Held equal to per-line parsing by `tests/file_invariants.py`, the
hypothesis suites and the fuzz corpus.

Where msgspec is laxer than `load_json`, the line never reaches it (`decode_lines`): msgspec does
not check the UTF-8 of a value it skips, so a line with bytes beyond ASCII decodes only if all of
it is valid UTF-8, and escaped surrogates (which the exact path reads through the standard library)
always take the exact path. Duplicate keys: msgspec, like orjson and the standard library, keeps
the last value (a first value of the wrong type fails the line, which is then read exactly).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, Literal

import msgspec

from logview.jsonutil import is_utf8
from logview.sources.base import Source, may_hold_surrogates
from logview.sources.shapes import DOCUMENTED, SHAPES

_DECODE_ERRORS = (msgspec.DecodeError, RecursionError)
# A shape's fields whose few values a file repeats line after line (the columns code them: status,
# event ...): once met, they are decoded as literals (`TypedDecoder.learn`), which msgspec gives as the
# objects it was given, already hashed, instead of a new string (or integer) a line, made, looked up
# and freed.
LEARNED_VALUES_MOST = 256  # a field with more values met keeps its own type (they need not repeat)
# Blocks the learned shape may fail (each one decoded twice, in part) before it is no longer tried:
# a file whose values keep coming, or that holds values no literal takes (a tool that is a number).
LEARNED_MISSES_MOST = 32


class TypedDecoder:
    """Decodes `source`'s lines into its Struct (None: a source without a shape here)."""

    def __init__(self, source: Source) -> None:
        shape = SHAPES.get(source.kind)
        self.shape = shape
        decoder = None if shape is None else msgspec.json.Decoder(shape)
        self.decode = None if decoder is None else decoder.decode
        self._decode_lines = None if decoder is None else decoder.decode_lines
        # the Struct of lines that hold their documented keys alone, tried first for a block
        # until a block decodes only into `shape` (its file has other keys)
        self.documented = DOCUMENTED.get(source.kind)
        self._decode_documented = None if self.documented is None else msgspec.json.Decoder(
            self.documented).decode_lines
        self.last_documented = False  # whether the last block decoded is of `documented` lines
        # the shape that decoded the last block, with the values met as literals (`learn`), tried first
        self._learned: Callable[[Any], Any] | None = None
        self._learned_documented = False
        self._learned_sizes: tuple[int, ...] = ()  # how many values each field had when learned
        self._learned_misses = 0
        self.last_learned = False  # whether the last block was decoded by it

    def learn(self, values: dict[str, Collection[Any]]) -> None:
        """The values met so far of some fields (the reader's codes, any type): the next blocks
        are first decoded by the shape of the last with those of them its type takes as literals.
        Exact: such a line decodes into the same values as into the shape itself, and a line
        holding another value fails the block, which the shape then decodes."""
        sizes = tuple(map(len, values.values()))
        shape = self.documented if self.last_documented else self.shape
        learned_already = self._learned is not None and (sizes, self.last_documented) == (
            self._learned_sizes, self._learned_documented)  # (no new value, the same shape)
        if self.last_learned or shape is None or self._learned_misses >= LEARNED_MISSES_MOST or learned_already:
            return
        try:
            self._learned = msgspec.json.Decoder(_learned_shape(shape, values)).decode_lines
        # (a value no literal of msgspec's holds, as an integer beyond 64 bits: learning only saves time)
        except (TypeError, ValueError, NotImplementedError):
            self._learned, self._learned_misses = None, LEARNED_MISSES_MOST
            return
        self._learned_documented, self._learned_sizes = self.last_documented, sizes

    def decode_block(self, block: bytes | memoryview, count: int, checked: bool = False) -> list[Any] | None:
        """The fields of the `count` lines that make up `block` (joined by line breaks, blank
        lines allowed), decoded in one call; None when one of them must be read per line.
        `checked`: the caller found no line of it that msgspec would read unlike `load_json`
        (`plain_lines.suspect_lines`); else `block` is bytes, looked at here.

        msgspec reads `block` as a stream of values separated by white space, not by lines. The
        caller vouches that every line starts with `{` and ends with `}`: then no value can run
        on into the next line (the `{` that starts it is never valid after a `}` inside a value),
        so `count` values mean one per line."""
        if self._decode_lines is None:
            return None
        # msgspec leaves the bytes of skipped values unchecked (and strict UTF-8 refuses
        # surrogates written as bytes)
        if not checked and not block.isascii() and not is_utf8(block):
            return None
        if not checked and b"\\" in block and (b"\\ud" in block or b"\\uD" in block):  # escaped surrogates
            return None
        self.last_learned = self.last_documented = False
        if self._learned is not None:
            found = _decoded(self._learned, block)
            if found is not None:
                self.last_learned, self.last_documented = True, self._learned_documented
                return found if len(found) == count else None
            self._learned_misses += 1
            if self._learned_misses >= LEARNED_MISSES_MOST:
                self._learned = None
        if self._decode_documented is not None:
            found = _decoded(self._decode_documented, block)
            if found is not None:
                self.last_documented = True
                return found if len(found) == count else None
        found = _decoded(self._decode_lines, block)
        if found is None:
            return None
        self._decode_documented = None
        return found if len(found) == count else None


def _learned_shape(shape: type[msgspec.Struct], values: dict[str, Collection[Any]]) -> type[msgspec.Struct]:
    """`shape` with each field of `values` it has taking only the `values` (up to LEARNED_VALUES_MOST)
    its own type takes (`msgspec.convert`: an integer status within its bounds, never a bool ...),
    or null."""
    types = {field.name: field.type for field in msgspec.structs.fields(shape)
             if field.encode_name == field.name}  # (a field made anew would lose its key's other name)
    learned = []
    for name, met in values.items():
        if name not in types or len(met) > LEARNED_VALUES_MOST:
            continue
        taken = tuple(value for value in met if value is not None and _takes(types[name], value))
        if taken and _takes(types[name], None):
            learned.append((name, Literal[taken] | None, None))  # type: ignore[valid-type]
    return msgspec.defstruct(f"Learned{shape.__name__}", learned, bases=(shape,), gc=False,
                             forbid_unknown_fields=shape.__struct_config__.forbid_unknown_fields,
                             kw_only=not shape.__match_args__)  # (each field where the shape has it)


def _takes(kind: Any, value: Any) -> bool:
    """Whether a field of type `kind` takes `value`, and a literal can hold it (not a lone
    surrogate, which only the exact reading of a line makes: msgspec writes a literal as UTF-8)."""
    try:
        msgspec.convert(value, kind)
        if type(value) is str and not value.isascii():
            value.encode()
    except (msgspec.ValidationError, UnicodeEncodeError):
        return False
    return True


def _decoded(decode: Callable[[Any], Any], data: bytes | memoryview) -> Any:
    """What `decode` makes of `data`; None if it fails."""
    try:
        return decode(data)
    except _DECODE_ERRORS:
        return None


def decode_each(decode: Callable[[bytes], Any], lines: list[bytes]) -> tuple[list[Any], list[int]]:
    """Line by line: each line's fields (None where the line must be read the exact way), and where those are."""
    joined = b"\n".join(lines)
    if not joined.isascii() or may_hold_surrogates(joined):
        found = [_decoded(decode, line) if _decodable(line) else None for line in lines]
        return found, [i for i, fields in enumerate(found) if fields is None]
    found = []
    failed: list[int] = []
    remaining = iter(lines)
    while len(found) < len(lines):
        try:
            found.extend(map(decode, remaining))  # what it decoded before a failure stays
        except _DECODE_ERRORS:
            failed.append(len(found))
            found.append(None)  # the failing line (consumed by `map`)
    return found, failed


def _decodable(line: bytes) -> bool:
    return not may_hold_surrogates(line) and (line.isascii() or is_utf8(line))
