"""What must hold for *any* bytes opened with `logview --file`: one oracle, two drivers.

`check_file_bytes` is run by hypothesis in `test_file_invariants.py` (in CI) and by the atheris
harness in `fuzz/fuzz_jsonl.py` (coverage-guided, run by hand). For the bytes of a file it checks:

- the line index finds exactly the non-blank lines (CR before LF dropped, a torn last line kept);
- for both sources, parsing each line never raises, and the background column reader gives the
  same time, validity, status and names as parsing the line into an entry;
- every table cell of every entry is one line of text with no control character;
- the byte-level search finds exactly the lines whose entry matches, on the lines where its
  documented exceptions (numbers matched as written, duplicate keys) cannot apply.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from logview.files.columns import ColumnReader
from logview.files.lines import scan_lines
from logview.sanitize import is_clean
from logview.files.jsonl import entry_from_line, source_for_kind
from logview.ui.cells import row_cells
from test_filecolumns import Decoder, assert_same, expected_columns
from test_filesearch import expected, search

KINDS = ("aitronos", "supermetrics")
_BLANK_BYTES = b" \t\n\r\x0b\x0c"


def reference_lines(data: bytes) -> list[bytes]:
    """The lines the viewer must show: split on LF, one CR before it dropped, blank ones skipped;
    a byte order mark opening the file belongs to no line."""
    lines = data.removeprefix(b"\xef\xbb\xbf").split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    cut = [line[:-1] if line.endswith(b"\r") else line for line in lines]
    return [line for line in cut if line.strip(_BLANK_BYTES)]


def indexed_lines(path: Path, chunk_bytes: int, first_bytes: int) -> list[bytes]:
    data = path.read_bytes()
    found = []
    for chunk in scan_lines(path, chunk_bytes=chunk_bytes, first_bytes=first_bytes):
        assert len(chunk.starts) == len(chunk.lengths)
        found += [data[s:s + n] for s, n in zip(chunk.starts.tolist(), chunk.lengths.tolist())]
    return found


class _Inexact(Exception):
    pass


def _exactly_searchable(line: bytes) -> bool:
    """False where the byte search is documented to differ from the entry search: a number whose
    text is not how its value prints (`1.50`, `1e3`, `-0`), or a key given twice in one object."""
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        if len({key for key, _ in items}) != len(items):
            raise _Inexact
        return dict(items)

    def number(text: str, kind: type) -> Any:
        value = kind(text)
        if str(value) != text:
            raise _Inexact
        return value

    try:
        json.loads(line, object_pairs_hook=pairs, parse_float=lambda t: number(t, float),
                   parse_int=lambda t: number(t, int), parse_constant=lambda t: float(t))
    except _Inexact:
        return False
    except (ValueError, RecursionError):
        return True  # not JSON: shown as an invalid entry, searched exactly
    return True


def check_file_bytes(data: bytes, needle: str, *, chunk_bytes: int = 1 << 16, first_bytes: int = 1 << 10,
                     block_bytes: int = 64) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "log.jsonl"
        path.write_bytes(data)
        lines = indexed_lines(path, chunk_bytes, first_bytes)
        assert lines == reference_lines(data)
        for kind in KINDS:
            source = source_for_kind(kind)
            entries = [entry_from_line(source, line) for line in lines]
            assert_same(Decoder().columns(ColumnReader(source).read(lines)), expected_columns(kind, lines))
            for entry in entries:
                for column, text in row_cells(entry).items():
                    assert is_clean(text) and "\n" not in text, (column, text)
            exact = [i for i, line in enumerate(lines) if _exactly_searchable(line)]
            kept = [lines[i] for i in exact]
            if kept and kept[0].startswith(b"\xef\xbb\xbf"):  # (written first again, it would open the file: no line's)
                kept = kept[1:]
            if kept and needle.strip("\n"):
                needle = needle.replace("\n", "")
                assert search(path, kind, kept, needle, block_bytes=block_bytes) == expected(kind, kept, needle)
