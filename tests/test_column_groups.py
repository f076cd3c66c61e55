"""Error groups of a big file's Aitronos lines, found by key (`files/groups.py`): values that are
equal in Python but print unlike (`1`, `1.0`, `true`; `0.0`, `-0.0`) must not share a group, and
every shape an error takes reads as parsing its line alone does."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from test_column_coding import read_file_columns
from test_filecolumns import assert_same, expected_columns

HEAD = '{"id":"%d","created_at":"2025-11-15T10:00:0%dZ","status":"%s"'
# values alike to `==` and `hash` that print unlike, and values that are no key at all
ALIKE = ["1", "true", "1.0", "0", "false", "0.0", "-0.0", "\"1\"", "\"True\"", "null", "[]", "{}", "[1]", '{"a":1}',
         '""', "12345678901234567890123", "1e300"]


def _read_as_each_line(tmp_path: Path, rests: list[str], status: str = "error") -> dict[str, list]:
    lines = [(HEAD % (i, i % 10, status) + rest + "}").encode() for i, rest in enumerate(rests)]
    path = tmp_path / "groups.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    want = expected_columns("aitronos", lines)
    got = read_file_columns(path, "aitronos")
    assert_same(got, want)
    return want


def test_messages_equal_in_python_but_printed_unlike_keep_their_groups(tmp_path: Path) -> None:
    want = _read_as_each_line(tmp_path, [f',"error_message":{value}' for value in ALIKE])
    assert len(set(want["error"])) >= 5  # (the test would pass vacuously if all were one group)


@pytest.mark.parametrize("key", ["code", "message"])
def test_error_codes_and_messages_equal_in_python_but_printed_unlike(tmp_path: Path, key: str) -> None:
    other = "message" if key == "code" else "code"
    rests = [f',"error":{{"{key}":{value},"{other}":"X"}}' for value in ALIKE]
    rests += [f',"error":{{"{key}":{value}}}' for value in ALIKE]
    _read_as_each_line(tmp_path, rests)


def test_errors_of_every_json_shape(tmp_path: Path) -> None:
    """An object (a key given twice, the last wins), text, a number, a bool, a list, null; with
    and without an error_message, under each status."""
    errors = ['{"code":"A","message":"m 1","details":{"x":[1,2]}}', '{"code":1,"code":"B"}', '{"message":null}',
              '"plain"', '""', "429", "0", "-0.0", "true", "false", '["x"]', "[]", "null", '{"code":1e400}']
    rests = [f',"error":{error}' + extra for error in errors for extra in ("", ',"error_message":"late"')]
    for status in ("success", "error", "timeout"):
        _read_as_each_line(tmp_path, rests, status)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["success", "error", "blocked"]), st.sampled_from(ALIKE),
                          st.sampled_from(["code", "message", "error_message", "error"])), min_size=1, max_size=12))
def test_any_mix_of_alike_values_reads_as_each_line(tmp_path_factory: pytest.TempPathFactory,
                                                     items: list[tuple[str, str, str]]) -> None:
    tmp_path = tmp_path_factory.mktemp("mix")
    lines = []
    for i, (status, value, where) in enumerate(items):
        rest = (f',"error":{value}' if where == "error" else f',"error_message":{value}' if where == "error_message"
                else f',"error":{{"{where}":{value}}}')
        lines.append((HEAD % (i, i % 10, status) + rest + "}").encode())
    path = tmp_path / "mix.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    assert_same(read_file_columns(path, "aitronos"), expected_columns("aitronos", lines))
