"""A file's lines found by a thread the command line starts before the viewer's imports
(`files/prescan.py`, through `files/early.py`): the same chunks as a scan of its own, an error
where that scan would raise it, taken once (a reload scans afresh), and stopped when its reader
stops early; the command line starts it, and a big file's child, only where they belong."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from logview.files import early
from logview.files.lines import scan_lines
from logview.files.prescan import EarlyScan


def start_scan(path: Path) -> None:
    early.begin(path, "supermetrics", with_child=False)


def take_scan(path: Path):
    return early.take(path).chunks


def _write(path: Path, count: int) -> None:
    path.write_text("".join(json.dumps({"id": f"e{i}", "n": "x" * (i % 97)}) + "\n" for i in range(count)))


def _offsets(chunks) -> tuple[list[int], list[int], list[int]]:
    chunks = list(chunks)
    return (np.concatenate([c.starts for c in chunks]).tolist(), np.concatenate([c.lengths for c in chunks]).tolist(),
            [c.scanned for c in chunks])


def test_the_early_scan_yields_what_a_scan_of_its_own_yields(tmp_path: Path) -> None:
    path = tmp_path / "logs.jsonl"
    _write(path, 60_000)  # ~4 MB: the small first chunk, then several more
    start_scan(path)
    assert _offsets(take_scan(path)) == _offsets(scan_lines(path))


def test_the_early_scan_is_taken_once_and_a_later_reading_scans_afresh(tmp_path: Path) -> None:
    path = tmp_path / "logs.jsonl"
    _write(path, 10)
    start_scan(path)
    early.started(path).scan._thread.join(5)
    with path.open("a") as handle:
        handle.write(json.dumps({"id": "late"}) + "\n")
    assert len(_offsets(take_scan(path))[0]) == 10  # what the early scan found before the line came
    assert len(_offsets(take_scan(path))[0]) == 11  # a later reading: what the file holds now


def test_without_an_early_scan_the_reading_scans_on_its_own(tmp_path: Path) -> None:
    path = tmp_path / "logs.jsonl"
    _write(path, 25)
    assert _offsets(take_scan(path)) == _offsets(scan_lines(path))


def test_an_unreadable_path_raises_where_the_reader_takes_the_chunks(tmp_path: Path) -> None:
    start_scan(tmp_path)  # a directory: opening it fails in the scan's thread
    chunks = take_scan(tmp_path)
    with pytest.raises(IsADirectoryError):
        next(chunks)


def test_a_reader_that_stops_early_stops_the_scan(tmp_path: Path) -> None:
    path = tmp_path / "logs.jsonl"
    _write(path, 200_000)
    scan = EarlyScan(path)
    chunks = scan.chunks()
    next(chunks)
    chunks.close()  # as a capped reading does (--max-entries)
    scan._thread.join(5)
    assert not scan._thread.is_alive()
    assert scan._stopped.is_set()


def test_nothing_is_left_behind_once_taken(tmp_path: Path) -> None:
    path = tmp_path / "logs.jsonl"
    _write(path, 3)
    start_scan(path)
    start_scan(path)  # (a second start for the same path is the same scan)
    list(take_scan(path))
    assert early.started(path) is None


def test_logview_file_starts_the_scan_and_the_back_reader_before_the_viewer_opens(tmp_path, monkeypatch):
    """...but neither for a mixed file, and no child when --max-entries caps the reading."""
    from logview import cli
    from logview.files import split_read

    monkeypatch.setattr(split_read, "SPLIT_FROM_BYTES", 0)  # (a small file stands for a big one)
    seen = []

    def what_was_started(path: Path) -> tuple[bool, bool]:
        started = early.started(path)
        return started is not None, started is not None and started.back is not None

    monkeypatch.setattr("logview.ui.app.run_viewer", lambda *options, **_: seen.append(
        [what_was_started(o.file) for o in options]) or 0)
    plain = tmp_path / "plain.jsonl"
    plain.write_text("".join(json.dumps({"id": f"a{i}", "log_time": "2025-11-15T12:00:00Z", "status": 200}) + "\n"
                             for i in range(50)))
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text(json.dumps({"source": "prod", "api": "supermetrics", "entry": {"id": "a"}}) + "\n")
    try:
        assert cli.main(["--file", str(plain)]) == 0
        taken = early.take(plain)
        list(taken.chunks)
        taken.back.close()
        assert cli.main(["--file", str(plain), "--max-entries", "10"]) == 0
        list(take_scan(plain))
        assert cli.main(["--file", str(mixed)]) == 0
    finally:
        assert early.take(plain).back is None
    assert seen == [[(True, True)], [(True, False)], [(False, False)]]
