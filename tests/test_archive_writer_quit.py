"""A quit during a load through the archive, in a real terminal: the viewer's exit leaves no asyncio
line behind ("Loop … that handles pid … is closed": the writer process outlived the event loop,
s20 #8), and a quit that could not wait for a stopped writer says on stderr, after the screen is
restored, how many entries were not archived (s20 #4)."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from logview.archive import Archive, default_archive_path
from logview.demo import DemoServer, DemoState

import cli_runner
from test_archive_interrupt import answered, environment, hold_after, read_until_shown_over
from test_cli_usage import write_config
from test_export import SUPERMETRICS_KEY
from ui.test_ui_terminal_bytes import read_for, read_until

ENTRIES = 20_000
# Every page to a writer process, a backlog of 256 KiB (~2,500 entries; 8 transactions of 1,000 more
# in the process's pipe), said behind after 0.3 s: the load stands still well before its end.
SMALL_BACKLOG = ("import sys, logview.archive.writer as writer; "
                 "writer.PROCESS_AFTER, writer.BACKLOG_BYTES, writer.BEHIND_AFTER_S = 0, 256 << 10, 0.3; "
                 "from logview.cli import main; sys.exit(main(sys.argv[1:]))")
# What asyncio or Python print on their own at a messy exit (none of it is the viewer's word).
STRAY = re.compile(rb"Traceback|Loop <|is closed|Task was destroyed|Exception ignored|Event loop|Error")


def writer_child(parent: int) -> int | None:
    """The pid of the writer process `parent` started (its own session: found by its parent)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent and b"writer_child" in command:
            return int(entry.name)
    return None


def gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except OSError:
        return True


def wait_for(condition, leader: int, seconds: float = 30.0) -> bytes:
    """Wait until `condition()` holds, reading the terminal meanwhile (a full pty would block it)."""
    out = b""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, out[-2000:]
        out += read_for(leader, 0.05)
    return out


@pytest.mark.parametrize("writer", ["keeping up", "stopped, then going on as the quit gives up"])
def test_a_quit_during_an_archive_load_leaves_no_asyncio_line_and_says_what_was_not_archived(tmp_path, writer):
    stopped = writer != "keeping up"
    with DemoServer(DemoState(aitronos_entries=0, supermetrics_entries=ENTRIES, live_rate=0.0, seed=41)) as server:
        if not stopped:  # (a load still running at the quit: the server holds its fifth page)
            hold_after(server, 4)
        leader, follower = pty.openpty()
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 48, 160, 0, 0))
        env = environment(TERM="xterm-256color", LOGVIEW_CONFIG=write_config(tmp_path, server), **SUPERMETRICS_KEY,
                          COLUMNS="160", LINES="48")  # (the pty's size: under xdist the viewer drew 80×24 without them)
        process = cli_runner.Popen([sys.executable, "-c", SMALL_BACKLOG, "--profile", "b"], stdin=follower,
                                   stdout=follower, stderr=follower, env=env, start_new_session=True)
        os.close(follower)
        child = None
        try:
            wait_for(lambda: (child := writer_child(process.pid)) is not None, leader)
            child = writer_child(process.pid)
            assert child is not None
            if stopped:
                os.kill(child, signal.SIGSTOP)  # (as a writer starved on a busy machine)
                screen = read_until(leader, b"behind (", 30)
                assert re.search(rb"archive writer behind \(\d+ KiB waiting\)", screen), \
                    re.findall(rb"[^\x1b]{0,60}(?:behind|loading|archiv)[^\x1b]{0,60}", screen)[-5:]
            else:
                wait_for(lambda: not server.state.faults, leader)  # (the fifth asked …
                # … and the fourth shown: prefetch asks for the fifth while the fourth is handed over)
                limits = [int(parse_qs(urlsplit(path).query)["limit"][0]) for path in answered(server)]
                read_until_shown_over(leader, sum(limits[:-1]))
            os.write(leader, b"q")
            output = b""
            if stopped:  # (the quit waits while it stores, and gives up on one that stored nothing for
                # 2 s: a writer going on after that ended after the viewer's event loop had closed, and
                # asyncio said so; its SIGCONT comes once it is surely given up)
                output += read_for(leader, 4.5)
                if not gone(child):
                    os.kill(child, signal.SIGCONT)
            output += wait_for(lambda: process.poll() is not None, leader)
            output += read_for(leader, 0.5)
        finally:
            if child is not None and not gone(child):
                os.kill(child, signal.SIGKILL)
            if process.poll() is None:
                process.kill()
                process.wait()
            os.close(leader)
        assert process.returncode == 0
        after_screen = output.rsplit(b"\x1b[?1049l", 1)[-1]  # (what the terminal shows once the viewer's screen is gone)
        assert not STRAY.search(after_screen), after_screen
        assert gone(child)  # (killed and reaped, not left stopped or committing behind the shell's prompt)
        said = re.findall(rb"logview: ([\d,]+) fetched entries were not archived \(the archive's writer was behind\); "
                          rb"the next launch fetches them again", after_screen)
        with Archive.open(default_archive_path(), readonly=True) as archive:
            kept = sum(summary.entries for summary in archive.summaries())
        if stopped:
            assert len(said) == 1, after_screen
            unarchived = int(said[0].replace(b",", b""))
            assert unarchived > 0 and kept + unarchived <= ENTRIES
        else:
            assert not said and b"not archived" not in after_screen, after_screen
            limits = [int(parse_qs(urlsplit(path).query)["limit"][0]) for path in answered(server)]
            # (the last page fetched before the quit archived too; pages overlap by a few ids at their edges)
            assert sum(limits) - limits[-1] < kept <= sum(limits), (kept, limits)
