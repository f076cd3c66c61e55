"""Ctrl-C (or SIGTERM) in the middle of a backfill through the archive: every page received is
archived with the span it completes, so the next run resumes below it and spends no budget on it.

The writer gathers pages for a moment (`writer.GATHER_S`) to commit several in one transaction; a
signal that came while pages waited lost them. To meet that moment every time, not by luck, most
interrupted processes here run the real command line with the gathering window widened
(`WIDE_GATHER`), and the server holds the request after the last page to be received
(`hold_after`): the signal finds a known number of pages received and none of them committed.
(`kill -9`, which nothing survives, is `test_archive_safety.py`'s.)
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import pty
import re
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest

from logview.archive import Archive, Span, default_archive_path, identity_of
from logview.archive import writer as archive_writer
from logview.archive.location import archive_files
from logview.archive.writer import PageWriter
from logview.demo import DEMO_AITRONOS_KEY, DEMO_ORG, DemoServer, DemoState, Fault
from logview.demo.timeutil import parse_iso
from logview.sources import AitronosSource
from logview.times import epoch_us, parse_api_time

import cli_runner
from archive_support import aitronos_entries, aitronos_identity
from test_cli_usage import write_config
from test_export import AITRONOS_KEY, CLEAN_ENV, aitronos_args, jsonl, logview
from ui.test_ui_terminal_bytes import read_for

WIDE_GATHER = ("import sys, logview.archive.writer as writer; writer.GATHER_S, writer.GATHER_ENTRIES = 60.0, 10**9; "
               "from logview.cli import main; sys.exit(main(sys.argv[1:]))")


def environment(**more: str) -> dict[str, str]:
    """Read when a process starts: the test's own data folder (set by conftest) holds the archive."""
    return {**CLEAN_ENV, "LOGVIEW_CONFIG": "/nonexistent/config.toml", **AITRONOS_KEY, **more}


def hold_after(server: DemoServer, pages: int) -> None:
    """The server answers `pages` requests, then holds the next one (until it stops)."""
    server.state.add_fault(Fault(kind="latency", delay=0.0, count=pages))
    server.state.add_fault(Fault(kind="hang", delay=60.0))


def answered(server: DemoServer, since: int = 0) -> list[str]:
    """The logs requests answered with 200, from the `since`-th request on."""
    return [path for _, path, status in server.state.request_log[since:] if "/logs" in path and status == 200]


def served_ids(server: DemoServer, targets: list[str]) -> list[str]:
    """The ids those Aitronos requests were answered with (asked again: the data does not change)."""
    ids = []
    for target in targets:
        query = {name: values[0] for name, values in parse_qs(urlsplit(target).query).items()}
        body = server.state.query_aitronos(
            start=parse_iso(query["start_date"]) if "start_date" in query else None,
            end=parse_iso(query["end_date"], end_of_day=True) if "end_date" in query else None,
            limit=int(query["limit"]), offset=int(query.get("offset", 0)))
        ids += [entry["id"] for entry in json.loads(body)["logs"]]
    return ids


def archived(server: DemoServer) -> tuple[set[str], list[Span]]:
    """The ids the archive holds for the server's source, and the spans it claims complete."""
    identity = identity_of(AitronosSource(DEMO_ORG, base_url=server.url))
    with Archive.open(default_archive_path(), readonly=True) as archive:
        stored = archive.source(identity)
        return {entry.id for entry in stored.entries()}, stored.coverage()


def assert_truthful(server: DemoServer, ids: set[str], spans: list[Span]) -> None:
    """Every entry the server has in a span claimed complete is archived."""
    claimed = {raw["id"] for raw in server.state.aitronos_logs
               if any(span.contains(epoch_us(parse_api_time(raw["created_at"]))) for span in spans)}
    assert claimed <= ids


def edge_ids(server: DemoServer, ids: set[str]) -> set[str]:
    """The entries at the newest and the oldest archived times: a resumed run may ask for those
    again (a span starts after its oldest time: more entries at it might follow on the next page)."""
    times = {raw["id"]: raw["created_at"] for raw in server.state.aitronos_logs}
    edges = {max(times[i] for i in ids), min(times[i] for i in ids)}
    return {i for i, t in times.items() if t in edges}


def assert_no_key(*texts: bytes) -> None:
    key = DEMO_AITRONOS_KEY.encode()
    assert all(key not in text for text in texts)
    for file in archive_files(default_archive_path()):
        assert not file.exists() or key not in file.read_bytes(), file


SHOWN = re.compile(rb"shown(?:\s|\x1b\[[0-9;]*m)*([0-9,]+)")  # (the header's count, as `ui/test_ui_typed_ahead.py` reads it)


def read_until_shown_over(leader: int, count: int, seconds: float = 30) -> bytes:
    """What the terminal is sent until the last `shown N` it was sent says more than `count`."""
    output = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not [n for n in SHOWN.findall(output)[-1:] if int(n.replace(b",", b"")) > count]:
        output += read_for(leader, 0.2)
    return output


def wait_until(condition: Callable[[], bool], terminal: int | None = None, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        if terminal is None:
            time.sleep(0.005)
        else:
            read_for(terminal, 0.05)  # (a viewer whose terminal is not read stops drawing, and loading)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_an_interrupted_export_archives_every_page_received_and_the_next_resumes_below_them(tmp_path, stop):
    with DemoServer(DemoState(aitronos_entries=2000, supermetrics_entries=0, live_rate=0.0, seed=21)) as server:
        hold_after(server, 7)
        out = tmp_path / "out.jsonl"
        process = cli_runner.Popen([sys.executable, "-c", WIDE_GATHER, *aitronos_args(server, "--output", str(out))],
                                   env=environment(), stderr=subprocess.PIPE)
        wait_until(lambda: not server.state.faults)  # the eighth request is held
        # … and the seventh page written (prefetch asks for the eighth while the seventh is handed over)
        wait_until(lambda: out.exists() and out.read_bytes().count(b"\n") == 700)
        process.send_signal(stop)
        _, stderr = process.communicate(timeout=20)
        said = "terminated" if stop == signal.SIGTERM else "interrupted"
        assert process.returncode == 128 + stop  # 130 or 143
        # (the file alone does not say it is cut short: the message says where it is and how far it goes)
        assert stderr.decode() == f"logview: {said}: {out} holds the first 700 entries (incomplete)\n"
        fetched = served_ids(server, answered(server))
        ids, spans = archived(server)
        assert len(fetched) == 700 and ids == set(fetched)
        assert [entry["id"] for entry in jsonl(out.read_bytes())] == fetched  # the output, as before
        assert spans and min(s.start_us for s in spans) > epoch_us(parse_api_time(server.state.aitronos_logs[700]["created_at"]))
        assert_truthful(server, ids, spans)
        assert_no_key(stderr)

        before = len(server.state.request_log)
        again = logview(*aitronos_args(server), env=AITRONOS_KEY)
        assert again.returncode == 0, again.stderr
        assert jsonl(again.stdout) == server.state.aitronos_logs
        asked = answered(server, before)
        assert set(served_ids(server, asked)) & ids <= edge_ids(server, ids)
        assert len(asked) <= 1 + -(-(2000 - 700 + 1) // 100)  # what is newer, then the 1,300 below


def test_ctrl_c_right_after_a_page_as_things_are_keeps_it(tmp_path):
    """No widened window: Ctrl-C the moment a page reaches the output, while it waits for its
    transaction (pages come every 0.1 s, the writer gathers them for 0.2 s)."""
    with DemoServer(DemoState(aitronos_entries=3000, supermetrics_entries=0, live_rate=0.0, seed=22)) as server:
        server.state.add_fault(Fault(kind="latency", delay=0.1, count=1000))
        out = tmp_path / "out.jsonl"
        process = cli_runner.Popen([sys.executable, "-m", "logview", *aitronos_args(server, "--output", str(out))],
                                   env=environment(), stderr=subprocess.PIPE)
        wait_until(lambda: out.exists() and out.stat().st_size > 0)
        size = out.stat().st_size
        wait_until(lambda: out.stat().st_size > size)  # the second page: the writer has the first, or is on it
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=20)
        written = [entry["id"] for entry in jsonl(out.read_bytes())]
        assert process.returncode == 130
        assert stderr.decode() == f"logview: interrupted: {out} holds the first {len(written):,} entries (incomplete)\n"
        ids, spans = archived(server)
        assert len(written) >= 200 and set(written) <= ids
        assert_truthful(server, ids, spans)
        assert_no_key(stderr)


@pytest.mark.parametrize("close", ["q", "sigterm"])
def test_a_viewer_closed_during_the_backfill_archives_every_page_received(tmp_path, close):
    with DemoServer(DemoState(aitronos_entries=2000, supermetrics_entries=0, live_rate=0.0, seed=23)) as server:
        hold_after(server, 6)
        leader, follower = pty.openpty()
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 140, 0, 0))
        env = environment(TERM="xterm-256color", LOGVIEW_CONFIG=write_config(tmp_path, server))
        process = cli_runner.Popen([sys.executable, "-c", WIDE_GATHER, "--profile", "a"], stdin=follower,
                                   stdout=follower, stderr=follower, env=env, start_new_session=True)
        os.close(follower)
        try:
            wait_until(lambda: not server.state.faults, terminal=leader)
            # … and the sixth page shown (prefetch asks for the seventh while the sixth is handed over)
            read_until_shown_over(leader, 599)
            if close == "q":
                os.write(leader, b"q")
            else:
                process.send_signal(signal.SIGTERM)
            wait_until(lambda: process.poll() is not None, terminal=leader)
            screen = read_for(leader, 0.2)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            os.close(leader)
        assert process.returncode == (0 if close == "q" else 128 + signal.SIGTERM)
        fetched = served_ids(server, answered(server))
        ids, spans = archived(server)
        assert len(fetched) == 600 and ids == set(fetched)
        assert spans
        assert_truthful(server, ids, spans)
        assert_no_key(screen)


async def test_a_flush_cancelled_part_way_still_archives_every_page_in_order(monkeypatch):
    """A second Ctrl-C, or a viewer's bounded wait, cancels a flush while a transaction runs: the
    transaction goes on, and the next flush commits what was left after it."""
    monkeypatch.setattr(archive_writer, "GATHER_S", 60.0)
    entries = aitronos_entries(1500)
    top = epoch_us(entries[0].time)
    with Archive.open() as archive:
        stored = archive.source(aitronos_identity())
        writer = PageWriter(stored, "")
        for start in range(0, 1500, 100):  # 15 pages: two transactions (GATHER_ENTRIES is 1,000)
            page = entries[start:start + 100]
            writer.store(page, Span(epoch_us(page[-1].time) + 1, top))
        first = asyncio.ensure_future(writer.flush())
        await asyncio.sleep(0)  # the first transaction is under way
        first.cancel()
        with pytest.raises(asyncio.CancelledError):
            await first
        await writer.flush()
        assert stored.count() == 1500 and writer.problem is None
        assert stored.coverage() == [Span(epoch_us(entries[-1].time) + 1, top)]
