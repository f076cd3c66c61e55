"""The bytes a real terminal receives (issue 5): `logview --file` on hostile entries, run in a
pseudo-terminal at 160×48, moved through with the keyboard. Whatever the entries hold, no escape
sequence from them reaches the terminal — no title change, no clipboard write, no colour, no
device-control string — while their text does show, made inert."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import cli_runner
from support import readable

TITLE = "\x1b]2;pwned-title\x07"
TITLE_ST = "\x1b]0;pwned-title-st\x1b\\"
CLIPBOARD = "\x1b]52;c;cHduZWQ=\x07"
DCS = "\x1bPpwned-dcs\x1b\\"
SGR = "\x1b[31mRED-CSI"
C1_CSI = "\x9b2JC1-CSI"
CLEAR = "\x1b[2J\x1b[HCLEARED"

ENTRY = {"id": "hostile-1", "created_at": "2025-11-15T11:00:00.000Z", "status": "error",
         "credential_id": TITLE + "cred", "tool": SGR, "error": {"message": CLIPBOARD + DCS + C1_CSI},
         "note": TITLE_ST + CLEAR + "\r\x00\x07"}


def read_for(fd: int, seconds: float) -> bytes:
    out = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if readable(fd, 0.05):
            try:
                chunk = os.read(fd, 1 << 16)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    return out


def read_until(fd: int, marker: bytes, seconds: float) -> bytes:
    out = b""
    deadline = time.monotonic() + seconds
    while marker not in out and time.monotonic() < deadline:
        out += read_for(fd, 0.2)
    return out


def osc_commands(output: bytes) -> list[bytes]:
    """The command numbers of every OSC sequence (`ESC ] n ;`) the terminal was sent."""
    return re.findall(rb"\x1b\](\d+);", output)


def run_in_terminal(argv: list[str], env: dict[str, str], *, size: tuple[int, int], until: bytes,
                    keys: tuple[bytes, ...] = ()) -> bytes:
    """`logview ARGV` in a pseudo-terminal of `size` (columns, lines): every byte it sends until
    `until` shows, then after each of `keys`, and until it has quit on `q` (exit 0)."""
    leader, follower = pty.openpty()
    columns, lines = size
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
    env = {**env, "COLUMNS": str(columns), "LINES": str(lines)}
    process = cli_runner.Popen([sys.executable, "-m", "logview", *argv],
                               stdin=follower, stdout=follower, stderr=follower, env=env, start_new_session=True)
    os.close(follower)
    try:
        output = read_until(leader, until, 30)
        assert until in output, output[-2000:]
        for key in keys:
            os.write(leader, key)
            output += read_for(leader, 0.4)
        os.write(leader, b"q")
        output += read_for(leader, 2)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(leader)
    assert process.returncode == 0
    return output


def test_hostile_entries_send_no_escape_sequence_to_a_real_terminal(tmp_path: Path) -> None:
    path = tmp_path / "hostile.jsonl"
    rows = [ENTRY] + [{**ENTRY, "id": f"hostile-{i}"} for i in range(2, 6)]
    path.write_bytes(b"".join(json.dumps(row).encode() + b"\n" for row in rows))
    env = {key: value for key, value in os.environ.items() if key != "NO_COLOR"}
    output = run_in_terminal(["--file", str(path)], {**env, "TERM": "xterm-256color"}, size=(160, 48),
                             until=b"pwned-title",  # then open the detail, move, close it
                             keys=(b"\r", b"j", b"j", b"k", b"\x1b", b"G", b"g"))
    # The text of every hostile value was drawn (so the checks below looked at real output)...
    for visible in (b"pwned-title", b"RED-CSI", b"cHduZWQ=", b"pwned-dcs", b"CLEARED"):
        assert visible in output, visible
    # ...and none of its sequences reached the terminal.
    for sequence in (TITLE, TITLE_ST, CLIPBOARD, DCS, SGR, C1_CSI, CLEAR):
        assert sequence.encode() not in output, sequence
    assert "\x9b".encode() not in output  # a C1 CSI, as UTF-8
    assert not {b"0", b"1", b"2", b"52"} & set(osc_commands(output)), osc_commands(output)
    assert not re.search(rb"\x1bP[^\x1b]*pwned", output)
