"""Entries nested deep: orjson writes 254 levels at most and the standard library stops at Python's
recursion limit, but a file or an API may hold an entry nested up to 1,024 deep (where reading
stops). Such an entry is written back as it came — by export, the viewer's `s` and the archive —
never a RecursionError (found in a walk: `export --file` printed a 3,000-line traceback and
wrote nothing, not even the good lines)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from logview.jsonutil import dump_json, load_json, nesting_depth

from test_export import SUPERMETRICS_KEY, logview, supermetrics_args


def deep_line(depth: int, entry_id: str = "sm_deep") -> bytes:
    return (b'{"id":"' + entry_id.encode() + b'","log_time":"2026-12-04T20:00:00Z","status":200,'
            b'"event":"data.page","deep":' + b"[" * depth + b"0" + b"]" * depth + b"}")


def envelope(entry: bytes) -> bytes:
    return b'{"source":"builder","api":"supermetrics","entry":' + entry + b"}"


GOOD = [b'{"id":"sm_%d","log_time":"2026-12-04T19:5%d:00Z","status":200,"event":"data.page"}' % (i, i)
        for i in range(3)]


@pytest.mark.parametrize("depth", [254, 255, 500, 999, 1000, 1023])
def test_a_deep_value_is_written_back_as_it_was_read(depth: int) -> None:
    line = deep_line(depth)
    assert dump_json(load_json(line)) == line
    assert nesting_depth(load_json(line)) == depth + 1


def test_a_deep_value_keeps_its_exact_numbers_escapes_and_key_order() -> None:
    inner = b'{"z":1e400,"a":12345678901234567890123,"s":"\\ud800","t":"\xc3\xb6"}'
    line = b'{"b":' + b"[" * 600 + inner + b"]" * 600 + b',"a":[]}'
    value = load_json(line)
    assert dump_json(value) == line.replace(b"\xc3\xb6", b"\\u00f6")  # a lone surrogate: all written escaped
    expected = json.dumps(json.loads(line), sort_keys=True, separators=(",", ":")).replace("Infinity", "1e400")
    assert dump_json(value, sort_keys=True) == expected.encode()


@pytest.mark.parametrize("mixed", [False, True], ids=["plain", "mixed"])
def test_export_writes_a_deep_entry_and_the_good_lines_around_it(tmp_path: Path, mixed: bool) -> None:
    lines = [GOOD[0], deep_line(1000), GOOD[1], deep_line(500, "sm_deep500"), GOOD[2]]
    if mixed:
        lines = [envelope(line) for line in lines]
    path, out = tmp_path / "deep.jsonl", tmp_path / "out.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    result = logview("export", "--file", str(path), "-o", str(out))
    assert result.returncode == 0 and result.stderr == b"", result.stderr[-2000:]
    assert sorted(out.read_bytes().splitlines()) == sorted(lines)
    to_stdout = logview("export", "--file", str(path))
    assert to_stdout.returncode == 0 and sorted(to_stdout.stdout.splitlines()) == sorted(lines)


def test_an_entry_nested_900_deep_from_the_api_is_exported_archived_and_queried(fresh_server) -> None:
    """The API's path: the export printed a RecursionError and archived nothing (the demo server's
    standard library writes ~900 levels; the page's reader takes up to 1,024)."""
    at = datetime.now(timezone.utc) - timedelta(minutes=5)
    line = deep_line(900).replace(b"2026-12-04T20:00:00Z", at.strftime("%Y-%m-%dT%H:%M:%SZ").encode())
    fresh_server.state.insert_supermetrics(2)
    fresh_server.state.insert_raw("supermetrics", [(at, load_json(line))])
    export = logview(*supermetrics_args(fresh_server), env=SUPERMETRICS_KEY)
    assert export.returncode == 0 and export.stderr == b"", export.stderr[-2000:]
    assert line in export.stdout.splitlines() and len(export.stdout.splitlines()) == 3
    identity = supermetrics_args(fresh_server)[1:]
    query = logview("sql", *identity, "--format", "jsonl",
                    "SELECT raw, json_extract(raw, '$.event') AS event FROM logs WHERE id = 'sm_deep'")
    assert query.returncode == 0, query.stderr
    assert [json.loads(row) for row in query.stdout.splitlines()] == [{"raw": line.decode(), "event": "data.page"}]


def test_an_entry_nested_deeper_than_1024_from_the_api_is_exported_as_written(fresh_server) -> None:
    """Its page was deeper than logview reads: export retried it as a torn page and gave up (exit
    3). The entry is written as it came, and archived under its id (its text, as a JSON string)."""
    at = datetime.now(timezone.utc) - timedelta(minutes=5)
    line = deep_line(1100).replace(b"2026-12-04T20:00:00Z", at.strftime("%Y-%m-%dT%H:%M:%SZ").encode())
    fresh_server.state.insert_supermetrics(2)
    fresh_server.state.insert_raw("supermetrics", [(at, line)])  # (its JSON text: Python cannot hold it)
    export = logview(*supermetrics_args(fresh_server), env=SUPERMETRICS_KEY)
    assert export.returncode == 0 and export.stderr == b"", export.stderr[-2000:]
    assert line in export.stdout.splitlines() and len(export.stdout.splitlines()) == 3
    query = logview("sql", *supermetrics_args(fresh_server)[1:], "--format", "jsonl",
                    "SELECT id, invalid FROM logs WHERE raw LIKE '%[[[[[%'")
    assert query.returncode == 0, query.stderr
    assert [json.loads(row) for row in query.stdout.splitlines()] == [
        {"id": "sm_deep", "invalid": "nested deeper than the 1,024 levels logview reads"}]
