"""A file's lines that are not JSON objects in a CSV (s21 walk #11): they have none of the CSV's
columns, and each was written as an empty `,,,,,,` row without a word. The CSV now holds a row
per entry that has fields; what it left out is counted on stderr, and JSONL keeps every line."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

from test_export import CLEAN_ENV
import cli_runner

GOOD = [{"id": f"h{i}", "log_time": f"2025-11-15T11:0{i}:00Z", "status": 200, "event": "data.page",
         "request": "GET /", "duration_ms": i, "request_id": "r"} for i in range(1, 4)]
NOT_OBJECTS = [b"this is not json {", b"[1, 2]", b'{"id": "h9", "log_time": "2025-11-15T11:09:00Z", "sta']


def mixed_file(tmp_path):
    """Three entries, and between and after them three lines that are not JSON objects."""
    path = tmp_path / "invalid-lines.jsonl"
    lines = [json.dumps(GOOD[0]).encode(), NOT_OBJECTS[0], json.dumps(GOOD[1]).encode(), NOT_OBJECTS[1],
             json.dumps(GOOD[2]).encode(), NOT_OBJECTS[2]]
    path.write_bytes(b"\n".join(lines))  # (the last line torn: no line break)
    return path


def export(*args: str) -> subprocess.CompletedProcess:
    return cli_runner.run([sys.executable, "-m", "logview", "export", *args], capture_output=True, timeout=60,
                          env={**CLEAN_ENV, "LOGVIEW_CONFIG": "/nonexistent/config.toml"})


def test_a_csv_of_a_file_leaves_out_the_lines_without_fields_and_says_how_many(tmp_path):
    result = export("--file", str(mixed_file(tmp_path)), "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout.decode(), newline="")))
    assert [row[0] for row in rows] == ["id", "h1", "h2", "h3"]  # (in the file's order)
    assert all(any(cell for cell in row) for row in rows)  # no row of empty cells
    assert result.stderr.decode() == ("logview: 3 lines left out of the CSV, with none of its columns "
                                      "(not JSON objects, or nested too deep to read); --format jsonl keeps them\n")


def test_the_same_to_an_output_file(tmp_path):
    target = tmp_path / "out.csv"
    result = export("--file", str(mixed_file(tmp_path)), "-o", str(target))
    assert result.returncode == 0, result.stderr
    assert len(list(csv.reader(io.StringIO(target.read_text(), newline="")))) == 4
    assert b"3 lines left out of the CSV" in result.stderr


def test_jsonl_keeps_every_line_and_says_nothing(tmp_path):
    """Each line as it stands (s29: before, a line that is not JSON was written as a JSON string)."""
    path = mixed_file(tmp_path)
    result = export("--file", str(path))
    assert result.returncode == 0 and result.stderr == b""
    assert result.stdout == path.read_bytes() + b"\n"  # (the torn last line ended, as `s` ends it)
    assert result.stdout.splitlines()[1] == NOT_OBJECTS[0]


def test_a_csv_of_entries_only_says_nothing(tmp_path):
    path = tmp_path / "good.jsonl"
    path.write_text("".join(json.dumps(entry) + "\n" for entry in GOOD))
    result = export("--file", str(path), "--format", "csv")
    assert result.returncode == 0 and result.stderr == b""
    assert len(result.stdout.splitlines()) == 4
