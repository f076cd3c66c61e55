"""filelines: line offsets found in chunks must be exactly the file's non-blank lines."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logview.files.lines import LineChunk, LineFile, scan_lines

PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def reference(data: bytes) -> list[tuple[int, bytes]]:
    """(offset, line) for every line that is not blank (`bytes.strip`), split at LF only, one
    CR before the LF (or at the end of a torn last line) dropped."""
    result = []
    offset = 3 if data.startswith(b"\xef\xbb\xbf") else 0  # (a byte order mark opening the file: no line's)
    pieces = data[offset:].split(b"\n")
    if pieces and pieces[-1] == b"":
        pieces.pop()  # the file ends with a newline: no torn last line
    for piece in pieces:
        line = piece[:-1] if piece.endswith(b"\r") else piece
        if line.strip():
            result.append((offset, line))
        offset += len(piece) + 1
    return result


def scan(path: Path, chunk_bytes: int, first_bytes: int, with_data: bool = True) -> list[LineChunk]:
    return list(scan_lines(path, chunk_bytes=chunk_bytes, first_bytes=first_bytes, with_data=with_data))


def found(chunks: list[LineChunk], data: bytes) -> list[tuple[int, bytes]]:
    result = []
    for chunk in chunks:
        assert chunk.starts.dtype == np.int64 and chunk.lengths.dtype == np.int32
        assert len(chunk.starts) == len(chunk.lengths)  # (zip below would hide a stray start)
        for start, length in zip(chunk.starts.tolist(), chunk.lengths.tolist()):
            result.append((start, data[start:start + length]))
    return result


def check(path: Path, data: bytes, chunk_bytes: int, first_bytes: int) -> list[LineChunk]:
    path.write_bytes(data)
    expected = reference(data)
    chunks = scan(path, chunk_bytes, first_bytes)
    assert found(chunks, data) == expected
    # with_data: each chunk's own bytes give the same lines
    assert [line for chunk in chunks for line in chunk.lines()] == [line for _, line in expected]
    # progress is reported in file order and ends at the file's size
    scanned = [chunk.scanned for chunk in chunks]
    assert scanned == sorted(scanned)
    assert all(chunk.size == len(data) for chunk in chunks)
    if data:
        assert scanned[-1] == len(data)
    # without data: the same offsets
    plain = scan(path, chunk_bytes, first_bytes, with_data=False)
    assert all(chunk.data is None for chunk in plain)
    assert found(plain, data) == expected
    return chunks


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "log.jsonl"


# -- examples ---------------------------------------------------------------------------------

def test_empty_file_has_no_lines(path: Path) -> None:
    path.write_bytes(b"")
    assert found(scan(path, 64, 16), b"") == []


@pytest.mark.parametrize("data", [b"\n", b"\n\n\n", b"\r\n\r\n", b"   \n\t\n", b"  ", b"\r", b"\x0b\x0c\n"])
def test_only_blank_lines(path: Path, data: bytes) -> None:
    assert check(path, data, 64, 16) and reference(data) == []


def test_crlf_lines_lose_the_cr(path: Path) -> None:
    data = b'{"a":1}\r\n{"b":2}\r\n\r\n{"c":3}\r\n'
    check(path, data, 64, 16)
    assert [line for _, line in reference(data)] == [b'{"a":1}', b'{"b":2}', b'{"c":3}']


@pytest.mark.parametrize("chunk_bytes, first_bytes", [(64, 16), (1 << 16, 1 << 10), (7, 3)])
def test_a_byte_order_mark_opening_the_file_belongs_to_no_line(path: Path, chunk_bytes: int, first_bytes: int) -> None:
    """As Windows tools write UTF-8: the mark made the first line invalid JSON (found in a walk)."""
    data = b'\xef\xbb\xbf{"a":1}\n{"b":2}\n\xef\xbb\xbf{"c":3}\n'  # (one later in the file is the line's)
    check(path, data, chunk_bytes, first_bytes)
    assert [line for _, line in reference(data)] == [b'{"a":1}', b'{"b":2}', b'\xef\xbb\xbf{"c":3}']
    assert scan(path, chunk_bytes, first_bytes)[0].starts[0] == 3


@pytest.mark.parametrize("data", [b"\xef\xbb\xbf", b"\xef\xbb\xbf\n", b"\xef\xbb\xbf\r\n", b"\xef\xbb\xbf  \n\n"])
@pytest.mark.parametrize("chunk_bytes, first_bytes", [(64, 16), (1 << 16, 1 << 10), (7, 3)])
def test_a_byte_order_mark_with_nothing_after_it_is_no_line(path: Path, data: bytes, chunk_bytes: int,
                                                            first_bytes: int) -> None:
    """A file of the mark alone (a Windows tool's empty export) raised IndexError in the read, the
    first line's start past the bytes read (found by the hypothesis suite in CI)."""
    assert check(path, data, chunk_bytes, first_bytes) and reference(data) == []


def test_a_cr_inside_a_line_stays(path: Path) -> None:
    data = b'{"a":\r1}\n\r{"b":2}\n'
    check(path, data, 64, 16)
    assert [line for _, line in reference(data)] == [b'{"a":\r1}', b'\r{"b":2}']


@pytest.mark.parametrize("width", [1, 15, 16, 17, 40, 200])
@pytest.mark.parametrize("blank", [b" ", b"\t", b"\r", b" \t\x0b\x0c"])
def test_whitespace_only_lines_are_skipped_whatever_their_length(path: Path, width: int, blank: bytes) -> None:
    filler = (blank * width)[:width]
    data = b'{"a":1}\n' + filler + b"\n" + b'{"b":2}\n' + filler + b"\r\n" + filler
    chunks = check(path, data, 64, 16)
    assert [line for chunk in chunks for line in chunk.lines()] == [b'{"a":1}', b'{"b":2}']


def test_lines_with_surrounding_whitespace_are_kept_whole(path: Path) -> None:
    data = b'  {"a":1}  \n\t{"b":2}\n' + b" " * 30 + b"x" + b" " * 30 + b"\n"
    chunks = check(path, data, 64, 16)
    assert [line for chunk in chunks for line in chunk.lines()] == [
        b'  {"a":1}  ', b'\t{"b":2}', b" " * 30 + b"x" + b" " * 30]


@pytest.mark.parametrize("tail", [b'{"torn":', b'{"torn":1}\r', b"x"])
def test_a_torn_last_line_counts(path: Path, tail: bytes) -> None:
    data = b'{"a":1}\n' + tail
    chunks = check(path, data, 64, 16)
    assert chunks[-1].lines()[-1] == tail.rstrip(b"\r")


def test_a_line_longer_than_the_chunk(path: Path) -> None:
    long = b'{"k":"' + b"x" * 500 + b'"}'
    data = b'{"a":1}\n' + long + b"\n" + b'{"b":2}\n' + long  # also torn, also long
    check(path, data, 64, 16)
    check(path, data, 7, 3)
    check(path, data, 1, 1)


def test_a_single_huge_line_without_newline(path: Path) -> None:
    data = b"y" * 1000
    chunks = check(path, data, 64, 16)
    assert found(chunks, data) == [(0, data)]


@pytest.mark.parametrize("chunk_bytes,first_bytes", [(1, 1), (2, 1), (3, 2), (8, 8), (64, 16), (64, 1000), (1 << 20, 1 << 10)])
def test_chunk_sizes(path: Path, chunk_bytes: int, first_bytes: int) -> None:
    data = b"".join(b'{"id":"%d","pad":"%s"}\n' % (i, b"p" * (i * 7 % 50)) for i in range(60))
    data += b"\n\n  \r\n" + b'{"last":true}'
    check(path, data, chunk_bytes, first_bytes)


def test_the_first_chunk_is_small(path: Path) -> None:
    data = b"".join(b'{"i":%d}\n' % i for i in range(100))  # 8-9 bytes a line
    path.write_bytes(data)
    chunks = scan(path, 1 << 20, 40)
    assert chunks[0].scanned <= 40 and len(chunks[0].starts) >= 3
    assert len(chunks) == 2  # then the rest in one go


# -- property ---------------------------------------------------------------------------------

LINE_SHAPES = st.one_of(
    st.just(b""),
    st.sampled_from([b" ", b"  ", b"\t", b"\r", b" \r", b"\x0b", b"\x0c \t"]),
    st.integers(1, 80).map(lambda n: b" " * n),  # short and long whitespace-only lines
    st.integers(0, 40).map(lambda n: b'{"id":"' + b"v" * n + b'"}'),
    st.integers(60, 300).map(lambda n: b'{"long":"' + b"L" * n + b'"}'),
    st.binary(min_size=1, max_size=30).map(lambda b: b.replace(b"\n", b"")),  # anything but LF
    st.sampled_from([b"  x  ", b"x\r", b"\r\r", b"a\rb", b" {}\t"]),
)


@st.composite
def files(draw) -> bytes:
    lines = draw(st.lists(LINE_SHAPES, max_size=25))
    breaks = [draw(st.sampled_from([b"\n", b"\r\n"])) for _ in lines]
    body = b"".join(line + brk for line, brk in zip(lines, breaks))
    if body and draw(st.booleans()):
        body = body[:-1] if body.endswith(b"\n") else body  # drop the last newline: a torn line
        if draw(st.booleans()):
            body = body.rstrip(b"\r")
    return body


@PROPERTY
@given(data=files(), chunk_bytes=st.integers(1, 200), first_bytes=st.integers(1, 200))
def test_scan_matches_the_reference(path: Path, data: bytes, chunk_bytes: int, first_bytes: int) -> None:
    check(path, data, chunk_bytes, first_bytes)


# -- LineFile ---------------------------------------------------------------------------------

def _indexed(path: Path, count: int = 300) -> tuple[bytes, np.ndarray, np.ndarray, list[bytes]]:
    data = b"".join(b'{"id":"%d","x":"%s"}\r\n' % (i, b"z" * (i % 13)) + (b"\n" if i % 5 == 0 else b"")
                    for i in range(count))
    path.write_bytes(data)
    chunks = scan(path, 256, 64, with_data=False)
    starts = np.concatenate([c.starts for c in chunks])
    lengths = np.concatenate([c.lengths for c in chunks])
    return data, starts, lengths, [line for _, line in reference(data)]


def test_read_lines_contiguous_scattered_and_empty(path: Path) -> None:
    data, starts, lengths, lines = _indexed(path)
    assert len(lines) == 300
    handle = LineFile(path)
    try:
        assert handle.read_lines(starts, lengths) == lines
        assert handle.read_lines(starts[10:40], lengths[10:40]) == lines[10:40]
        picks = np.array([299, 0, 150, 7, 7, 298])  # scattered, out of order, repeated
        assert handle.read_lines(starts[picks], lengths[picks]) == [lines[i] for i in picks]
        picks = np.array([0, 299])  # far apart: read one by one
        assert handle.read_lines(starts[picks], lengths[picks]) == [lines[0], lines[299]]
        assert handle.read_lines(starts[:0], lengths[:0]) == []
        assert handle.read(int(starts[3]), int(lengths[3])) == lines[3]
    finally:
        handle.close()
    handle.close()  # closing twice is harmless
    with pytest.raises(ValueError):
        handle.read(0, 1)


def test_read_lines_far_apart_in_a_big_file(path: Path) -> None:
    data, starts, lengths, lines = _indexed(path, 3000)
    handle = LineFile(path)
    try:
        picks = np.array([2999, 1, 1500])
        assert handle.read_lines(starts[picks], lengths[picks]) == [lines[i] for i in picks]
        zero = np.array([5, 6])
        assert handle.read_lines(starts[zero], np.zeros(2, dtype=np.int32)) == [b"", b""]
    finally:
        handle.close()
