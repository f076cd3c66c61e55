"""child: a big file's columns read in a child process are the columns the viewer's own reader
gives, and a child that stops early (or reads the file as another kind) leaves nothing out."""

from __future__ import annotations

import random
from pathlib import Path

import orjson
import pytest

import logview.files.child as child_module
from logview.files.child import ChildColumns, claim, read_columns
from logview.files.columns import ColumnChunk, ColumnReader
from logview.files.jsonl import source_for_kind
from logview.files.lines import scan_lines
from test_filecolumns import Decoder


def write_file(path: Path, n: int) -> None:
    """Supermetrics lines with the odd misfit (wrong types, torn JSON, non-ASCII, escapes)."""
    rng = random.Random(3)
    lines = []
    for i in range(n):
        raw = {"id": f"e{i}", "log_time": f"2025-01-01T00:{i // 3600 % 60:02d}:{i % 60:02d}Z",
               "status": rng.choice([200, 404, 500, None]), "event": rng.choice(["a", "b", "ü", None]),
               "duration_ms": rng.choice([12, None])}
        line = orjson.dumps(raw)
        if i % 997 == 5:
            line = b'{"id":"x","log_time":"2025-01-01T00:00:00Z","status":"weird","event":"\\u0061"}'
        elif i % 1499 == 7:
            line = line[:20]
        lines.append(line)
    path.write_bytes(b"\n".join(lines) + b"\n")


def decoded(chunks: list[ColumnChunk]) -> dict[str, list]:
    return Decoder().columns(ColumnChunk.join(chunks))


def in_process(path: Path, count: int) -> dict[str, list]:
    reader = ColumnReader(source_for_kind("supermetrics"))
    chunks = [reader.read_chunk(chunk) for chunk in scan_lines(path, chunk_bytes=1 << 16, with_data=True)]
    return {name: values[:count] for name, values in decoded(chunks).items()}


@pytest.fixture
def big(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(child_module, "CHILD_MIN_BYTES", 1)
    monkeypatch.setattr(child_module, "READ_CHUNK", 1 << 16)  # (many frames)
    path = tmp_path / "big.jsonl"
    write_file(path, 6000)
    return path


def test_the_child_reads_what_the_viewer_reads(big: Path) -> None:
    child = claim(big, "supermetrics")
    assert child is not None
    got = decoded(list(read_columns(big, source_for_kind("supermetrics"), 6000, child)))
    assert got == in_process(big, 6000)
    assert child.process.poll() is not None  # done and reaped


def test_a_cap_cuts_the_childs_columns(big: Path) -> None:
    got = decoded(list(read_columns(big, source_for_kind("supermetrics"), 2500, claim(big, "supermetrics"))))
    assert got == in_process(big, 2500)


@pytest.mark.parametrize("frames", [0, 1, 3])
def test_a_child_that_stops_early_is_taken_over(big: Path, frames: int, monkeypatch: pytest.MonkeyPatch) -> None:
    original = ChildColumns._next
    taken = []

    def stopping(self: ChildColumns) -> object:
        if len(taken) > frames:  # (the first frame is the kind)
            self.process.kill()
            return None
        taken.append(1)
        return original(self)

    monkeypatch.setattr(ChildColumns, "_next", stopping)
    got = decoded(list(read_columns(big, source_for_kind("supermetrics"), 6000, claim(big, "supermetrics"))))
    assert got == in_process(big, 6000)


def test_a_child_that_reads_another_kind_is_not_used(big: Path) -> None:
    child = ChildColumns(big, "aitronos")
    got = decoded(list(read_columns(big, source_for_kind("supermetrics"), 6000, child)))
    assert got == in_process(big, 6000)


def test_small_files_need_no_child(tmp_path: Path) -> None:
    path = tmp_path / "small.jsonl"
    write_file(path, 10)
    assert claim(path, "supermetrics") is None
