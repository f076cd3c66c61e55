"""`logview export --file` reads the file as the viewer does (its filter columns, not an entry a
line: ~35 times the viewer's save on a 1M file, s28 walk #2): for every filter, the lines whose
entries made one by one match, byte for byte in JSONL (s29: as the viewer's `s` writes them), their
rows in CSV; on a terminal a progress line and the closing count an API export
gives (s28 walk #2, #10: a file export that matched nothing said nothing); a `--since` later than
now is said (s28 walk #10)."""

from __future__ import annotations

import io
import json
import os
import pty
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cli_runner
from logview.files.jsonl import entry_from_line, source_for_kind
from logview.files.writer import EntryWriter
from logview.model import Filters
from support import drained
from test_export import CLEAN_ENV, logview

ROWS = [{"id": f"r{i}", "log_time": f"2025-11-15T{10 + i % 2:02d}:{i % 60:02d}:00Z",
         "status": (200, 503, 404, 429, 500)[i % 5], "event": ("data.page", "auth.token.refresh")[i % 2],
         "request": f"GET /x?page={i}" + (" token é \u009b" if i % 7 == 0 else ""), "duration_ms": i}
        for i in range(300)]
ODD_LINES = [b"not json {", b"[1, 2]", b'{"id": "sp", "log_time": "2025-11-15T10:30:00Z", "status": 500}',
             b'{"id":"big","log_time":"2025-11-15T10:31:00Z","status":502,"n":123456789012345678901234567890}',
             b'{"id":"x","created_at":"2025-11-15T10:32:00Z","status":"error"}', b'{"id":"torn","log_t']


@pytest.fixture
def odd_file(tmp_path: Path) -> Path:
    """Supermetrics entries oldest first, lines that are not entries among them, CR LF here and there."""
    lines = [json.dumps(row).encode() for row in ROWS]
    for place, line in zip((3, 50, 120, 200, 260, len(lines)), ODD_LINES):
        lines.insert(place, line)
    path = tmp_path / "odd.jsonl"
    path.write_bytes(b"".join(line + (b"\r\n" if n % 9 == 0 else b"\n") for n, line in enumerate(lines)))
    return path


def made_one_by_one(path: Path, fmt: str, filters: Filters) -> bytes:
    """What the export wrote when it made an entry of each line and matched it (`Source.matches`):
    CSV the entries' rows; JSONL (s29) the matching lines themselves, byte for byte, each with its
    own line break (`\n` after a last line that had none), as the viewer's `s` writes them."""
    source = source_for_kind("supermetrics")
    lines = [line + b"\n" for line in path.read_bytes().removesuffix(b"\n").split(b"\n") if line.strip()]
    matching = [line for line in lines if source.matches(entry_from_line(source, line.rstrip(b"\r\n")), filters)]
    if fmt == "jsonl":
        return b"".join(matching)
    stream = io.BytesIO()
    EntryWriter(stream, fmt, source).write([entry_from_line(source, line.rstrip(b"\r\n")) for line in matching])
    return stream.getvalue()


@pytest.mark.parametrize("flags, filters", [
    ((), Filters()),
    (("--status", "5xx"), Filters(statuses=("5xx",))),
    (("--status", "error", "--status", "429"), Filters(statuses=("error", "429"))),
    (("--status", "other"), Filters(statuses=("other",))),
    (("--event", "auth.token.refresh"), Filters(event="auth.token.refresh")),
    (("--search", "TOKEN"), Filters(search="TOKEN")),
    (("--since", "2025-11-15T10:30:00Z", "--until", "2025-11-15T10:59:00Z"),
     Filters().with_time_range("2025-11-15T10:30:00Z", "2025-11-15T10:59:00Z")),
], ids=["all", "5xx", "error-429", "other", "event", "search", "dates"])
@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_a_file_export_writes_the_lines_whose_entries_made_one_by_one_match(odd_file, fmt, flags, filters):
    result = logview("export", "--file", str(odd_file), "--source", "supermetrics", "--format", fmt, *flags)
    assert result.returncode == 0, result.stderr
    assert result.stdout == made_one_by_one(odd_file, fmt, filters)


def export_on_a_terminal(*args: str) -> tuple[int, bytes, str]:
    """`logview export ARGS` with stderr on a pseudo-terminal: exit code, stdout, what the terminal got."""
    leader, follower = pty.openpty()
    process = cli_runner.Popen([sys.executable, "-m", "logview", "export", *args], stdout=subprocess.PIPE,
                               stderr=follower, env={**CLEAN_ENV, "LOGVIEW_CONFIG": "/nonexistent/config.toml"})
    os.close(follower)
    stdout, _ = process.communicate(timeout=60)
    terminal = drained(leader)
    os.close(leader)
    return process.returncode, stdout, terminal.decode()


def test_on_a_terminal_a_file_export_shows_how_far_it_is_and_ends_with_its_count(odd_file, tmp_path):
    code, _, terminal = export_on_a_terminal("--file", str(odd_file), "--status", "5xx", "-o",
                                             str(tmp_path / "x.jsonl"))
    written = len((tmp_path / "x.jsonl").read_bytes().splitlines())
    assert code == 0 and written == 122, terminal
    assert f"odd.jsonl: writing {written} entries" in terminal  # (the progress line, drawn over)
    assert terminal.endswith(f"\r\x1b[Klogview: {written} entries of the 306 in odd.jsonl\r\n"), repr(terminal)


def test_entries_written_to_the_terminal_itself_follow_its_cleared_progress_line(odd_file):
    """stdout and stderr one terminal: the entries began on the progress line ("odd.jsonl: writing
    5 entriesid,log_time,…"); it is cleared before they come. (Few: a terminal nobody reads fills.)"""
    leader, follower = pty.openpty()
    process = cli_runner.Popen([sys.executable, "-m", "logview", "export", "--file", str(odd_file), "--status", "5xx",
                                "--max-entries", "5", "--format", "csv"], stdout=follower, stderr=follower,
                               env={**CLEAN_ENV, "LOGVIEW_CONFIG": "/nonexistent/config.toml"})
    os.close(follower)
    process.wait(timeout=60)
    terminal = drained(leader).decode()
    os.close(leader)
    assert "writing" not in terminal and "\r\x1b[Kid,log_time,status," in terminal, repr(terminal[:300])
    assert terminal.endswith("\r\nlogview: 5 entries of the 306 in odd.jsonl\r\n"), repr(terminal[-200:])


def test_a_file_export_that_matched_nothing_says_so_on_a_terminal(odd_file):
    code, stdout, terminal = export_on_a_terminal("--file", str(odd_file), "--event", "nope")
    assert code == 0 and stdout == b""
    assert terminal.endswith("logview: 0 entries of the 306 in odd.jsonl\r\n"), repr(terminal)


def test_off_a_terminal_the_file_export_says_nothing_of_its_progress(odd_file):
    result = logview("export", "--file", str(odd_file), "--event", "nope")
    assert result.returncode == 0 and result.stdout == b"" and result.stderr == b""


def test_a_since_later_than_now_is_said(odd_file):
    result = logview("export", "--file", str(odd_file), "--since", "2999-01-01")
    assert result.returncode == 0 and result.stdout == b""
    said = result.stderr.decode()
    assert said.startswith("logview: --since 2999-01-01 is later than now (") and said.count("\n") == 1, said
    assert said.endswith("only entries dated after it are written, none from the past\n"), said
    assert logview("export", "--file", str(odd_file), "--since", "2025-11-15").stderr == b""


def test_an_api_export_says_it_too(server):
    from test_export import AITRONOS_KEY, aitronos_args

    result = logview(*aitronos_args(server, "--since", "2999-01-01T00:00:00Z"), env=AITRONOS_KEY)
    assert result.returncode == 0 and result.stdout == b""
    assert result.stderr.decode().startswith("logview: --since 2999-01-01T00:00:00Z is later than now ("), result.stderr


def test_an_aitronos_file_exports_to_csv_as_its_entries_rows(tmp_path):
    """A file's CSV rows are made from each line's fields, no entry made (`write_parsed`): the same
    rows as its entries give, tool and connector by any of their names, error objects and lines
    that are not entries among them."""
    rows = [{"id": f"a{i}", "created_at": f"2025-11-15T10:{i % 60:02d}:00Z", "status": ("success", "error")[i % 2],
             ("tool", "tool_key", "tool_name")[i % 3]: f"t{i % 4}", ("connector", "connector_key")[i % 2]: "gmail",
             "error": {"code": "E1", "message": "bad \u009b"} if i % 2 else None, "duration_ms": i * 1.5}
            for i in range(40)]
    lines = [json.dumps(row).encode() for row in rows] + ODD_LINES
    path = tmp_path / "aitronos.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    result = logview("export", "--file", str(path), "--source", "aitronos", "--format", "csv")
    assert result.returncode == 0, result.stderr
    source = source_for_kind("aitronos")
    stream = io.BytesIO()
    EntryWriter(stream, "csv", source).write([entry_from_line(source, line) for line in lines])
    assert result.stdout == stream.getvalue()
    assert b",gmail,t3,58.5,bad \xc2\x9b\r\n" in result.stdout  # (tool_key, connector_key, the error's message)


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.floats(allow_nan=False)
    | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8)
_FIELDS = ("id", "log_time", "created_at", "status", "event", "request", "request_id", "duration_ms", "tool",
           "tool_key", "tool_name", "connector", "connector_key", "credential_id", "error")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(["aitronos", "supermetrics"]),
       lines=st.lists(st.one_of(
           st.dictionaries(st.sampled_from(_FIELDS), _JSON_VALUES, max_size=8).map(lambda d: json.dumps(d).encode()),
           _JSON_VALUES.map(lambda v: json.dumps(v).encode()),
           st.binary(min_size=1, max_size=30).filter(lambda b: b"\n" not in b and b"\r" not in b and b.strip())),
           min_size=1, max_size=12))
def test_any_file_line_gives_the_csv_row_its_entry_gives(kind, lines):
    """A file's CSV rows (`write_parsed`: each line's fields as parsed, no entry made) are the rows of
    the entries made one by one, whatever the lines hold: fields of any type, values nested, not JSON."""
    from logview.files.writer import _parsed

    source = source_for_kind(kind)
    fast, made = io.BytesIO(), io.BytesIO()
    rows = EntryWriter(fast, "csv", source)
    rows.write_parsed([_parsed(line) for line in lines])
    entries = EntryWriter(made, "csv", source)
    entries.write([entry_from_line(source, line) for line in lines])
    assert fast.getvalue() == made.getvalue()
    assert (rows.written, rows.fieldless) == (entries.written, entries.fieldless)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_a_file_export_stopped_midway_says_how_far_its_output_goes(tmp_path, stop):
    """Found in a walk: Ctrl-C or SIGTERM said only "logview: interrupted" while stdout held 24,346
    rows; an API export says how many entries its output holds."""
    path = tmp_path / "big.jsonl"
    path.write_text("".join(json.dumps({"id": f"e{i}", "log_time": f"2025-11-15T10:{i // 6000 % 60:02d}:00Z",
                                        "status": 200, "event": "data.page", "request": "GET /x" + "y" * 80,
                                        "duration_ms": i}) + "\n" for i in range(60_000)))
    process = cli_runner.Popen([sys.executable, "-m", "logview", "export", "--file", str(path)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env={**CLEAN_ENV, "LOGVIEW_CONFIG": "/nonexistent/config.toml"})
    received = process.stdout.read(1 << 16)  # (the export then waits on a full pipe)
    process.send_signal(stop)
    received += process.stdout.read()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == (130 if stop == signal.SIGINT else 143)
    said = "interrupted" if stop == signal.SIGINT else "terminated"
    found = re.fullmatch(rf"logview: {said}: stdout (?:holds the first ([\d,]+) entries and )?may hold part of the "
                         rf"(?:first|next) ([\d,]+)(?: entries)? \(incomplete\)\n", stderr)
    assert found, stderr
    holds, in_flight = (int((number or "0").replace(",", "")) for number in found.groups())
    whole = [json.loads(line)["id"] for line in received.split(b"\n")[:-1]]  # (a torn line may end it)
    assert 0 < len(whole) <= holds + in_flight < 60_000
    assert whole == [f"e{i}" for i in range(len(whole))]


def test_a_file_export_to_a_file_stopped_midway_leaves_no_file(tmp_path):
    """`-o out.jsonl` is written beside its place and renamed there at the end: stopped, nothing was written to it."""
    path, out = tmp_path / "big.jsonl", tmp_path / "out.jsonl"
    path.write_text("".join(json.dumps({"id": f"e{i}", "log_time": "2025-11-15T10:00:00Z", "status": 200,
                                        "event": "data.page", "request": "GET /x", "duration_ms": i}) + "\n"
                            for i in range(400_000)))
    process = cli_runner.Popen([sys.executable, "-m", "logview", "export", "--file", str(path), "-o", str(out)],
                               stderr=subprocess.PIPE, env={**CLEAN_ENV, "LOGVIEW_CONFIG": "/nonexistent/config.toml"})
    time.sleep(0.3)
    process.send_signal(signal.SIGINT)
    stderr = process.stderr.read().decode()
    if process.wait(timeout=60) == 0:
        pytest.skip("the export finished before it was stopped")
    assert stderr == f"logview: interrupted: nothing was written to {out}\n" and not out.exists()
