"""`--file` on a file that holds entries but is not JSON Lines: a JSON array, pretty-printed JSON,
UTF-16 or UTF-32 text (found by a tester). Each said "cannot tell which API wrote this file (no
`created_at` or `log_time` field …); pass --source", and the --source it suggested opened a screen
of rows all "invalid entry: not JSON". Now the refusal says what the file is and the command that
makes JSONL of it, with or without --source, in the viewer and in `export` alike."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from test_export import logview

ENTRIES = [{"id": f"e{n}", "log_time": f"2025-11-15T09:0{n}:00Z", "status": 500 if n % 2 else 200,
            "event": "data.page", "request": {"method": "GET", "url": "/x"}, "duration_ms": 100 + n}
           for n in range(4)]
JSONL = "".join(json.dumps(entry) + "\n" for entry in ENTRIES)
COMMANDS = pytest.mark.parametrize("command", [(), ("export",)], ids=["viewer", "export"])
SOURCES = pytest.mark.parametrize("source", [None, "supermetrics"])


def refusal(command: tuple, path: Path, source: str | None) -> str:
    """What the command says of `path` (it must refuse it: a viewer that opened would wait for a
    terminal, and the timeout fails the test)."""
    result = logview(*command, "--file", str(path), *(("--source", source) if source else ()), timeout=20)
    assert (result.returncode, result.stdout) == (2, b""), result.stderr
    said = result.stderr.decode()
    assert "--source" not in said and "cannot tell" not in said
    return said


@COMMANDS
@SOURCES
@pytest.mark.parametrize(("name", "indent", "spread"), [("array.json", None, "on one line"),
                                                        ("array_pretty.json", 2, "over several lines")])
def test_a_json_array_is_said_with_the_jq_that_makes_jsonl(tmp_path: Path, command, source, name, indent,
                                                           spread) -> None:
    path = tmp_path / name
    path.write_text(json.dumps(ENTRIES, indent=indent))
    target = path.with_suffix(".jsonl")
    assert refusal(command, path, source) == (f"logview: {path} is a JSON array ({spread}), not JSON Lines (one "
                                              f"entry a line): `jq -c '.[]' {path} > {target}` makes one\n")


@COMMANDS
@pytest.mark.parametrize("content", ["[]\n", "[ ]", "[\n]\n"])
def test_an_empty_json_array_is_said_to_hold_no_entries(tmp_path: Path, command, content: str) -> None:
    """Its `jq -c '.[]'` made an empty file, which was then refused as empty (found in a walk)."""
    path = tmp_path / "empty.json"
    path.write_text(content)
    assert refusal(command, path, None) == f"logview: {path} is an empty JSON array: it holds no entries\n"


@COMMANDS
@SOURCES
def test_a_pretty_printed_entry_is_said_with_the_jq_that_makes_jsonl(tmp_path: Path, command, source) -> None:
    path = tmp_path / "one.json"
    path.write_text(json.dumps(ENTRIES[0], indent=2))
    assert refusal(command, path, source) == (
        f"logview: {path} is pretty-printed JSON: an entry spans several lines, where JSON Lines has one entry a "
        f"line: `jq -c . {path} > {tmp_path / 'one.jsonl'}` makes one\n")


@COMMANDS
@SOURCES
@pytest.mark.parametrize(("codec", "encoding"), [("utf-16", "UTF-16"), ("utf-16-le", "UTF-16LE"),
                                                 ("utf-16-be", "UTF-16BE"), ("utf-32", "UTF-32")])
def test_utf16_or_32_text_is_said_with_the_iconv_that_makes_utf8(tmp_path: Path, command, source, codec,
                                                                 encoding) -> None:
    path = tmp_path / "wide.jsonl"
    path.write_bytes(JSONL.encode(codec))
    assert refusal(command, path, source) == (
        f"logview: {path} is {encoding} text, not UTF-8: logview reads UTF-8 JSON Lines (`iconv -f {encoding} "
        f"-t UTF-8 {path} > {tmp_path / 'wide.utf8.jsonl'}` makes a copy it reads)\n")


@pytest.mark.parametrize("content", [b"hello\n[INFO] started\n", b'{"id": "a", "log_ti\n'])
def test_a_file_of_no_json_object_is_refused_even_with_source(tmp_path: Path, content: bytes) -> None:
    """README: a --source none of the file's entries are of is refused; a file with no entry at all
    (a text log, a torn line alone) opened with it, every row invalid."""
    path = tmp_path / "app.log"
    path.write_bytes(content)
    for source in (None, "supermetrics"):
        assert refusal(("export",), path, source) == (
            f"logview: {path} is not JSON Lines: none of its lines is a JSON object (logview reads the JSONL that "
            "`logview export` and `s` write, one entry a line)\n")


@pytest.mark.parametrize(("shape", "hint"), [("array", "jq"), ("pretty", "jq"), ("utf16", "iconv")])
def test_the_command_given_makes_a_file_that_opens(tmp_path: Path, shape: str, hint: str) -> None:
    if shutil.which(hint) is None:
        pytest.skip(f"no {hint} here")
    path = tmp_path / "logs.json"
    if shape == "utf16":
        path.write_bytes(JSONL.encode("utf-16"))
    else:
        path.write_text(json.dumps(ENTRIES, indent=2 if shape == "pretty" else None))
    said = logview("export", "--file", str(path)).stderr.decode()
    subprocess.run(said.split("`")[1], shell=True, check=True, cwd=tmp_path)
    made = next(made for made in tmp_path.iterdir() if made != path)
    result = logview("export", "--file", str(made))
    assert (result.returncode, [json.loads(line) for line in result.stdout.splitlines()]) == (0, ENTRIES)


def test_a_jsonl_file_still_opens(tmp_path: Path) -> None:
    path = tmp_path / "logs.jsonl"
    path.write_text(JSONL)
    result = logview("export", "--file", str(path), "--source", "supermetrics")
    assert (result.returncode, result.stdout.decode()) == (0, JSONL)
