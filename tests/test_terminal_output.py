"""The CLI's data on a terminal: `export` and `sql` as CSV or JSONL write an entry's control
characters visible and inert when stdout (or `--output`) is a terminal, as `ls -q` does, and
exactly when it is a file or a pipe (s21 walk #3: a logged `ESC ]0;TITLE BEL` retitled the pane).
Each command runs in a process of its own with its stdout on a real pseudo-terminal."""

from __future__ import annotations

import csv
import fcntl
import io
import json
import os
import pty
import struct
import subprocess
import sys
import termios
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from logview.archive import Archive

import cli_runner
from support import readable
from test_export import CLEAN_ENV

TITLE = "\x1b[31mRED\x1b[0m\x1b]0;TITLE\x07"  # colours, then an OSC that retitles the terminal
C1_AND_CR = "a\r\nb \x9b c \x7f"  # a carriage return, a C1 CSI, DEL
BIDI = "\u202eevil"  # a right-to-left override
ENTRIES = [
    {"id": "h1", "log_time": "2025-11-15T11:01:00Z", "status": 500, "event": TITLE, "request": C1_AND_CR,
     "duration_ms": 5, "request_id": "r"},
    {"id": "h2", "log_time": "2025-11-15T11:02:00Z", "status": 200, "event": BIDI, "request": "GET /",
     "duration_ms": 1, "request_id": "r"},
]
# What a terminal could act on, as the bytes it receives (UTF-8)
ACTIVE = [b"\x1b", b"\x07", b"\x7f", "\x9b".encode(), BIDI[0].encode()]
QUERY = "select 'a'||char(27)||']0;SQLCSV'||char(7) as x, char(155)||'c1'||char(8238) as y"


@pytest.fixture
def hostile_file(tmp_path):
    path = tmp_path / "hostile.jsonl"
    path.write_text("".join(json.dumps(entry) + "\n" for entry in ENTRIES))
    return path


@pytest.fixture
def data_home(tmp_path):
    """An empty archive in a data folder of its own (`sql` needs one to run a statement)."""
    folder = tmp_path / "data"
    with Archive.open(folder / "logview" / "archive.sqlite3"):
        pass
    return folder


def _env(data_home=None) -> dict:
    env = {**CLEAN_ENV, "LOGVIEW_CONFIG": "/nonexistent/config.toml"}
    return env if data_home is None else {**env, "XDG_DATA_HOME": str(data_home)}


def on_a_terminal(*args: str, env: dict, output_arg: bool = False, columns: int | None = None,
                  stderr_too: bool = False) -> tuple[int, bytes, bytes]:
    """`logview ARGS` with stdout on a pseudo-terminal (or, `output_arg`, stdout a pipe and
    `--output` the terminal's device), `columns` wide if given: its exit code, the bytes the
    terminal received, stderr (`stderr_too`: on the terminal as well, and b"" returned)."""
    leader, follower = pty.openpty()
    if columns is not None:
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    command = [sys.executable, "-m", "logview", *args]
    if output_arg:
        command += ["--output", os.ttyname(follower)]
    process = cli_runner.Popen(command, stdout=subprocess.PIPE if output_arg else follower,
                               stderr=follower if stderr_too else subprocess.PIPE, env=env)
    if not output_arg:  # (else kept open until the end: the process opens the terminal by its name)
        os.close(follower)
    received = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # read as it comes: a full terminal would hold the writer
        if readable(leader, 0.1):
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # (EIO: every writer has closed the terminal)
                break
            if not chunk:
                break
            received += chunk
        elif process.poll() is not None and not readable(leader, 0.2):
            break
    os.close(leader)
    if output_arg:
        os.close(follower)
    _, stderr = process.communicate(timeout=30)
    return process.returncode, received, stderr or b""


def _assert_inert(received: bytes) -> None:
    assert received, "nothing reached the terminal"
    for byte in ACTIVE:
        assert byte not in received, (byte, received[:400])


def _csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_a_csv_export_on_a_terminal_shows_control_characters_as_escapes(hostile_file):
    code, received, stderr = on_a_terminal("export", "--file", str(hostile_file), "--format", "csv", env=_env())
    assert code == 0, stderr
    _assert_inert(received)
    text = received.decode().replace("\r\n", "\n")  # (the terminal ends lines with CR LF)
    assert "\\x1b[31mRED\\x1b[0m\\x1b]0;TITLE\\x07" in text
    assert "a\\x0d\nb \\x9b c \\x7f" in text  # the field's newline kept, its CR shown
    assert "\\u202eevil" in text
    assert [row[0] for row in _csv_rows(text)] == ["id", "h1", "h2"]


def test_a_csv_export_through_a_pipe_stays_exact(hostile_file):
    result = cli_runner.run([sys.executable, "-m", "logview", "export", "--file", str(hostile_file),
                             "--format", "csv"], capture_output=True, env=_env(), timeout=60)
    assert result.returncode == 0, result.stderr
    rows = _csv_rows(result.stdout.decode())
    assert rows[1][3] == TITLE and rows[1][4] == C1_AND_CR and rows[2][3] == BIDI


def test_an_output_file_that_is_the_terminal_gets_the_escapes_too(hostile_file):
    code, received, stderr = on_a_terminal("export", "--file", str(hostile_file), "--format", "csv",
                                           env=_env(), output_arg=True)
    assert code == 0, stderr
    _assert_inert(received)
    assert b"\\x1b]0;TITLE\\x07" in received


def test_a_jsonl_export_on_a_terminal_is_the_same_json_and_inert(hostile_file):
    code, received, stderr = on_a_terminal("export", "--file", str(hostile_file), env=_env())
    assert code == 0, stderr
    _assert_inert(received)
    assert [json.loads(line) for line in received.decode().splitlines()] == ENTRIES
    assert b"\\u009b" in received and b"\\u202e" in received


def test_a_file_export_copies_its_lines_to_a_terminal_inert(tmp_path):
    """s29: `export --file` copies the lines as they stand, on a terminal too: a line that is not
    JSON is shown as it is (before, as a JSON string), its raw ESC and C1 written as escapes, as an
    entry's raw UTF-8 C1 and bidi are, the entry still the same JSON."""
    path = tmp_path / "raw.jsonl"
    garbage = b"torn \x1b]0;TITLE\x07 \xc2\x9b \xff"
    path.write_bytes(json.dumps(ENTRIES[0], ensure_ascii=False).encode() + b"\n" + garbage + b"\n"
                     + json.dumps(ENTRIES[1], ensure_ascii=False).encode() + b"\n")
    code, received, stderr = on_a_terminal("export", "--file", str(path), env=_env())
    assert code == 0, stderr
    _assert_inert(received)
    first, shown, second = received.decode().splitlines()
    assert shown == "torn \\u001b]0;TITLE\\u0007 \\u009b \\xff", shown
    assert [json.loads(first), json.loads(second)] == ENTRIES


def test_sql_csv_and_jsonl_on_a_terminal_are_inert(data_home):
    for fmt in ("csv", "jsonl"):
        code, received, stderr = on_a_terminal("sql", "--format", fmt, QUERY, env=_env(data_home))
        assert code == 0, stderr
        _assert_inert(received)
        text = received.decode().replace("\r\n", "\n")
        if fmt == "csv":
            assert text == "x,y\na\\x1b]0;SQLCSV\\x07,\\x9bc1\\u202e\n"
        else:
            assert json.loads(text) == {"x": "a\x1b]0;SQLCSV\x07", "y": "\x9bc1\u202e"}


WIDE_QUERY = ("SELECT printf('%030d', 1) AS first_column, printf('%030d', 2) AS second, 'short' AS s, "
              "printf('%030d', 3) AS third")


def test_sql_table_on_a_terminal_fits_its_width(data_home):
    """s29 walk #6: at 60 columns an 81-column table wrapped every row over two lines. On a terminal the
    widest columns give way until the table fits, their cells cut with `…`, none below 12 columns (a
    value cut to `2026-1…` reads as nothing: a table that would need that is written a row at a time,
    a line a column, as psql's expanded display); through a pipe it is whole."""
    code, received, stderr = on_a_terminal("sql", WIDE_QUERY, env=_env(data_home), columns=60)
    assert code == 0, stderr
    lines = received.decode().replace("\r\n", "\n").splitlines()
    assert len(lines) == 3 and all(len(line) <= 60 for line in lines), lines
    assert lines[0].split() == ["first_column", "second", "s", "third"], lines
    assert lines[2].split()[2] == "short" and lines[2].split()[0].endswith("…"), lines
    code, received, stderr = on_a_terminal("sql", WIDE_QUERY.replace(
        "AS s,", "AS s, printf('%030d', 4) AS fourth, printf('%030d', 5) AS fifth,"),
                                           env=_env(data_home), columns=60)
    # (five of 30: no room for 12 each; they wrapped, each row over three lines: now a record at a time)
    lines = received.decode().replace("\r\n", "\n").splitlines()
    assert lines[0] == "-[ row 1 ]" + "-" * 50 and all(len(line) <= 60 for line in lines), lines
    assert [line.split() for line in lines[1:]] == [["first_column", "0" * 29 + "1"], ["second", "0" * 29 + "2"],
                                                    ["s", "short"], ["fourth", "0" * 29 + "4"],
                                                    ["fifth", "0" * 29 + "5"], ["third", "0" * 29 + "3"]], lines
    piped = cli_runner.run([sys.executable, "-m", "logview", "sql", WIDE_QUERY], capture_output=True,
                           env=_env(data_home), timeout=60)
    assert piped.stdout.decode().splitlines()[2].split()[0] == "0" * 29 + "1"


def test_sql_csv_through_a_pipe_stays_exact(data_home):
    result = cli_runner.run([sys.executable, "-m", "logview", "sql", "--format", "csv", QUERY],
                            capture_output=True, env=_env(data_home), timeout=60)
    assert result.returncode == 0, result.stderr
    assert _csv_rows(result.stdout.decode()) == [["x", "y"], ["a\x1b]0;SQLCSV\x07", "\x9bc1\u202e"]]


# ---- messages quoting a server's text -----------------------------------------------------------

KEY = "sk_test_terminal_0123456789"
HOSTILE_ERROR = {
    "error": {"code": "BAD\x1b]0;CODE\x07", "message": f"no\x1b]0;EVIL\x07 \x9b2J\roverwritten {KEY[:8]}\x00{KEY[8:]}",
              "description": "d\x1b[2Jx", "system_message": "sys\u202e"},
    "meta": {"request_id": "rq\x1b]0;RID\x07"},
}


class _HostileErrors(BaseHTTPRequestHandler):
    """Every request answered 400 with an error envelope full of escape sequences, the key in it."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        body = json.dumps(HOSTILE_ERROR).encode()
        self.send_response(400)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def hostile_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HostileErrors)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_an_error_quoting_escape_sequences_reaches_stderr_inert_and_without_the_key(hostile_server):
    result = cli_runner.run([sys.executable, "-m", "logview", "export", "--source", "aitronos", "--org", "o",
                             "--base-url", hostile_server, "--no-archive", "-v"],
                            capture_output=True, env={**_env(), "FREDDY_API_KEY": KEY}, timeout=60)
    assert result.returncode == 3
    for byte in [*ACTIVE, b"\r"]:
        assert byte not in result.stderr, (byte, result.stderr)
    stderr = result.stderr.decode()
    # (the description and system message told in the same line: s31)
    assert "HTTP 400 BAD]0;CODE: no]0;EVIL 2Joverwritten [redacted]: d[2Jx; sys (request rq]0;RID)" in stderr
    assert "→ 400 BAD]0;CODE" in stderr  # (the -v request line)
    assert KEY not in stderr and result.stdout == b""
