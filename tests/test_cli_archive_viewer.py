"""The viewer command keeps API entries in the archive across launches (in a real terminal), unless
`--no-archive`; the demo's entries, new at every start, are never kept."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios

from logview.archive import Archive, default_archive_path
from logview.demo import DEMO_AITRONOS_KEY, DemoServer, DemoState

from test_cli_usage import write_config
from test_export import CLEAN_ENV
from ui.test_ui_terminal_bytes import read_for, read_until


def launch(tmp_path, server: DemoServer, *flags: str) -> bytes:
    """Open the viewer on profile a in a pseudo-terminal, wait for "all loaded", quit; the screen."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 48, 160, 0, 0))
    env = {**CLEAN_ENV, "TERM": "xterm-256color", "LOGVIEW_CONFIG": write_config(tmp_path, server),
           "FREDDY_API_KEY": DEMO_AITRONOS_KEY, "XDG_DATA_HOME": str(tmp_path / "data")}
    process = subprocess.Popen([sys.executable, "-m", "logview", "--profile", "a", *flags],
                               stdin=follower, stdout=follower, stderr=follower, env=env, start_new_session=True)
    os.close(follower)
    try:
        output = read_until(leader, b"all loaded", 30)
        output += read_for(leader, 0.5)
        os.write(leader, b"q")
        read_for(leader, 2)
        assert process.wait(timeout=15) == 0
        return output
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(leader)


def log_requests(server: DemoServer) -> int:
    return sum("/logs" in path for _, path, _ in server.state.request_log)


def test_a_second_launch_shows_the_archive_and_asks_only_for_what_is_new(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    with DemoServer(DemoState(aitronos_entries=450, supermetrics_entries=0, live_rate=0.0, seed=2)) as server:
        first = launch(tmp_path, server)
        assert b"from the archive" not in first
        before = log_requests(server)
        second = launch(tmp_path, server)
        assert b"450 from the archive" in second
        assert log_requests(server) - before == 1
        with Archive.open(default_archive_path(), readonly=True) as archive:
            assert [s.entries for s in archive.summaries()] == [450]


def test_no_archive_fetches_everything_and_keeps_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    with DemoServer(DemoState(aitronos_entries=450, supermetrics_entries=0, live_rate=0.0, seed=2)) as server:
        launch(tmp_path, server, "--no-archive")
        before = log_requests(server)
        second = launch(tmp_path, server, "--no-archive")
        assert b"from the archive" not in second
        assert log_requests(server) - before >= 5
        assert not default_archive_path().exists()


def test_the_demo_is_never_archived_and_a_profile_is(tmp_path, monkeypatch):
    from logview import cli

    kept = []
    monkeypatch.setattr("logview.ui.app.run_viewer", lambda *options, keep_archive, retention: kept.append(keep_archive) or 0)
    monkeypatch.setenv("LOGVIEW_CONFIG", "/nonexistent/config.toml")
    assert cli.main(["--demo"]) == 0
    with DemoServer(DemoState(aitronos_entries=1, supermetrics_entries=0, live_rate=0.0)) as server:
        monkeypatch.setenv("LOGVIEW_CONFIG", write_config(tmp_path, server))
        monkeypatch.setenv("FREDDY_API_KEY", DEMO_AITRONOS_KEY)
        assert cli.main(["--profile", "a"]) == 0
        assert cli.main(["--profile", "a", "--no-archive"]) == 0
    assert kept == [False, True, False]
