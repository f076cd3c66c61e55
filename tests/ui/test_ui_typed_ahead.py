"""Keys typed before the viewer has taken the terminal: `logview --file big.jsonl`, then at once
`/needle⏎`. Until the viewer sets the terminal to raw mode, the terminal's line discipline turns
Enter into a newline, which the viewer reads as ctrl+j: the search stood in its field, not
applied, with nothing to say why (found in a walk). In a real pseudo-terminal."""

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

import pytest

import cli_runner
from test_ui_terminal_bytes import read_for, read_until

SHOWN = re.compile(rb"shown(?:\s|\x1b\[[0-9;]*m)*([0-9,]+)")


def typed_ahead(path: Path, rows: list[dict], typed: bytes, *,
                cooked: bool = True) -> tuple[subprocess.Popen, int]:
    """`logview --file path` in a real pseudo-terminal, with `typed` written to it before the
    process even starts: the terminal cooked (Enter arrives as a newline), or not (as a shell
    with readline leaves it to keys sent by tmux or pasted: Enter arrives as itself)."""
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 48, 160, 0, 0))
    assert termios.tcgetattr(follower)[0] & termios.ICRNL
    if not cooked:
        modes = termios.tcgetattr(follower)
        modes[0] &= ~termios.ICRNL
        modes[3] &= ~(termios.ICANON | termios.ECHO)
        termios.tcsetattr(follower, termios.TCSANOW, modes)
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "160", "LINES": "48"}
    os.write(leader, typed)
    process = cli_runner.Popen([sys.executable, "-m", "logview", "--file", str(path)],
                               stdin=follower, stdout=follower, stderr=follower, env=env, start_new_session=True)
    os.close(follower)
    return process, leader


def read_until_shown(leader: int, count: bytes, seconds: float = 30) -> bytes:
    """What the terminal is sent until the last `shown N` it was sent says `count` (the typed keys
    applied: the state the test waits for, not the typed text's echo, which comes before it), or
    until `seconds` have gone by."""
    output = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and SHOWN.findall(output)[-1:] != [count]:
        output += read_for(leader, 0.2)
    return output


def quit_and_close(process: subprocess.Popen, leader: int) -> None:
    if process.poll() is None:
        process.kill()
    os.close(leader)


FIVE_ROWS = [{"id": f"a{i}", "created_at": f"2025-11-15T11:0{i}:00.000Z", "status": "success",
              "tool": "needle.tool" if i == 3 else "other.tool"} for i in range(5)]


@pytest.mark.parametrize("cooked", [True, False], ids=["enter-as-newline", "enter-as-itself"])
def test_a_search_typed_before_the_viewer_opens_is_applied(tmp_path: Path, cooked: bool) -> None:
    """Enter as itself was lost: the focus the viewer gave its table on mount came a cycle
    late, after `/` had opened the search, and the Enter went to the table (found in a walk)."""
    process, leader = typed_ahead(tmp_path / "five.jsonl", FIVE_ROWS, b"/needle.tool\r", cooked=cooked)
    try:
        counts = SHOWN.findall(read_until_shown(leader, b"1"))
        assert counts and counts[-1] == b"1", counts  # the search applied: one row of five shown
        os.write(leader, b"q")  # (the table has the focus again)
        read_for(leader, 2)
        process.wait(timeout=10)
    finally:
        quit_and_close(process, leader)


def test_a_date_typed_before_the_viewer_opens_is_applied(tmp_path: Path) -> None:
    process, leader = typed_ahead(tmp_path / "five.jsonl", FIVE_ROWS, b"d2025-11-15T11:03\r", cooked=False)
    try:
        counts = SHOWN.findall(read_until_shown(leader, b"2"))
        assert counts and counts[-1] == b"2", counts  # since 11:03: two rows of five shown
    finally:
        quit_and_close(process, leader)


def test_enter_typed_before_the_viewer_opens_shows_the_entry(tmp_path: Path) -> None:
    """`logview --file f` then at once `G⏎` (the oldest entry's detail): the Enter arrived as
    ctrl+j, which the table took for nothing (found by hand in tmux)."""
    rows = [{"id": f"a{i}", "created_at": f"2025-11-15T11:0{i}:00.000Z", "status": "success",
             "tool": "some.tool", "note": f"seen-only-in-detail-{i}"} for i in range(5)]
    process, leader = typed_ahead(tmp_path / "five.jsonl", rows, b"G\r")
    try:
        output = read_until(leader, b"seen-only-in-detail-0", 30)
        assert b"seen-only-in-detail-0" in output  # the oldest entry's detail is open
        os.write(leader, b"\x1b")  # (Esc closes the detail, then q quits: together they read as alt+q)
        read_for(leader, 1)
        os.write(leader, b"q")
        read_for(leader, 2)
        process.wait(timeout=10)
    finally:
        quit_and_close(process, leader)


@pytest.mark.parametrize("after", [b"i", b"h", b"\r", b"/", b"s"], ids=["stats", "histogram", "enter", "search", "save"])
def test_a_key_typed_with_q_in_one_read_quits_cleanly(tmp_path: Path, after: bytes) -> None:
    """Found in a walk (s20 #1, #2): `q` and the next key in one read of the terminal (a fast
    typist, a paste, tmux's send-keys): `i`, `h` or Enter mounted a panel on a viewer being torn
    down and ended it with a MountError, exit 1; after `/` or `s` the `q` was lost, the viewer open."""
    process, leader = typed_ahead(tmp_path / "five.jsonl", FIVE_ROWS, b"", cooked=False)
    try:
        read_until(leader, b"shown", 30)
        read_for(leader, 0.5)
        os.write(leader, b"q" + after)
        output = read_for(leader, 3)
        assert process.wait(timeout=10) == 0, output
        assert b"Error" not in output, output
    finally:
        quit_and_close(process, leader)
