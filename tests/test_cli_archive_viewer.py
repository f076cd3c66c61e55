"""The viewer command keeps API entries in the archive across launches (in a real terminal), unless
`--no-archive`; the demo's entries, new at every start, are kept for its run alone."""

from __future__ import annotations

import fcntl
import inspect
import os
import pty
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from contextlib import contextmanager
from pathlib import Path

from logview.archive import Archive, default_archive_path
from logview.demo import DEMO_AITRONOS_KEY, DemoServer, DemoState
from logview.times import parse_api_time

DEMO_ENTRIES = inspect.signature(DemoState).parameters["aitronos_entries"].default  # (what `--demo` loads)

import cli_runner
from test_cli_usage import write_config
from test_export import CLEAN_ENV
from ui.test_ui_terminal_bytes import read_for, read_until


@contextmanager
def viewer_in_a_terminal(flags: list[str], env: dict[str, str], after_quit: list[bytes] | None = None) -> Iterator[int]:
    """logview with `flags` in a 160×48 pseudo-terminal: its end to read and write; `q` when done,
    which must end it with exit 0 (`after_quit` gets what it wrote from the `q` to its end)."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 48, 160, 0, 0))
    process = cli_runner.Popen([sys.executable, "-m", "logview", *flags], stdin=follower, stdout=follower,
                               stderr=follower, env={**CLEAN_ENV, "TERM": "xterm-256color", **env},
                               start_new_session=True)
    os.close(follower)
    try:
        yield leader
        os.write(leader, b"q")
        said = read_for(leader, 2)
        assert process.wait(timeout=15) == 0
        if after_quit is not None:
            after_quit.append(said + read_for(leader, 1))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(leader)


def launch(tmp_path, server: DemoServer, *flags: str) -> bytes:
    """Open the viewer on profile a in a pseudo-terminal, wait for "all loaded", quit; the screen."""
    env = {"LOGVIEW_CONFIG": write_config(tmp_path, server), "FREDDY_API_KEY": DEMO_AITRONOS_KEY,
           "XDG_DATA_HOME": str(tmp_path / "data")}
    with viewer_in_a_terminal(["--profile", "a", *flags], env) as leader:
        output = read_until(leader, b"all loaded", 30)
        output += read_for(leader, 0.5)
    return output


def log_requests(server: DemoServer) -> int:
    return sum("/logs" in path for _, path, _ in server.state.request_log)


def test_a_second_launch_shows_the_archive_and_asks_only_for_what_is_new(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    with DemoServer(DemoState(aitronos_entries=450, supermetrics_entries=0, live_rate=0.0, seed=2)) as server:
        first = launch(tmp_path, server)
        assert b"from the archive" not in first
        before = log_requests(server)
        second = launch(tmp_path, server)
        # (before its first page "450 from the archive · asking the API", s21 #12 and s24 #3; once loaded, after)
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


def test_the_demo_keeps_an_archive_of_its_run_alone_and_a_profile_the_users(tmp_path, monkeypatch):
    from logview import cli

    kept = []

    def run_viewer(*options, keep_archive, retention, archive_path):
        kept.append((keep_archive, archive_path))
        if archive_path is not None:
            assert archive_path.parent.is_dir() and archive_path.parent.stat().st_mode & 0o777 == 0o700
        return 0

    monkeypatch.setattr("logview.ui.app.run_viewer", run_viewer)
    monkeypatch.setenv("LOGVIEW_CONFIG", "/nonexistent/config.toml")
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    assert cli.main(["--demo"]) == 0
    assert cli.main(["--demo", "--no-archive"]) == 0
    with DemoServer(DemoState(aitronos_entries=1, supermetrics_entries=0, live_rate=0.0)) as server:
        monkeypatch.setenv("LOGVIEW_CONFIG", write_config(tmp_path, server))
        monkeypatch.setenv("FREDDY_API_KEY", DEMO_AITRONOS_KEY)
        assert cli.main(["--profile", "a"]) == 0
        assert cli.main(["--profile", "a", "--no-archive"]) == 0
    (demo, demo_path), (off, _), *profiles = kept
    assert demo and demo_path is not None and demo_path.is_relative_to(tmp_path)
    assert not demo_path.parent.exists()  # removed when the run ended
    assert not off and profiles == [(True, None), (False, None)]


def test_the_demo_archives_its_run_in_a_private_folder_and_leaves_nothing(tmp_path):
    """Found trying the Quickstart: each status key on the demo reloaded from its budget (100 a
    minute, 100 a page), and `1` waited about a minute for its 4,000 entries. The demo now keeps
    what it loads in an archive of its run, which answers such a filter as a real source's does
    (`test_ui_archive.test_a_server_filter_is_answered_from_the_archive`); the user's is untouched."""
    (tmp_path / "tmp").mkdir()
    env = {"LOGVIEW_CONFIG": str(tmp_path / "none.toml"), "XDG_DATA_HOME": str(tmp_path / "data"),
           "TMPDIR": str(tmp_path / "tmp")}
    with viewer_in_a_terminal(["--demo"], env) as leader:
        read_until(leader, b"all loaded", 60)
        (folder,) = (tmp_path / "tmp").iterdir()
        assert folder.name.startswith("logview-demo-") and folder.stat().st_mode & 0o777 == 0o700
        archived, deadline = 0, time.monotonic() + 60
        while archived < DEMO_ENTRIES and time.monotonic() < deadline:  # (its writer process: slow on a loaded machine)
            read_for(leader, 0.5)  # (kept reading: a terminal left full blocks the app)
            with Archive.open(folder / "archive.sqlite3", readonly=True) as archive:
                archived = sum(summary.entries for summary in archive.summaries())
        assert archived >= DEMO_ENTRIES  # (a status key is then answered from it: `test_ui_archive*`)
    assert list((tmp_path / "tmp").iterdir()) == []
    assert not (tmp_path / "data").exists()  # (the user's archive: not made)


def test_the_retention_prunes_once_the_viewer_has_quit_and_says_so(tmp_path, monkeypatch):
    """s23 walk #2: the config's `archive_max_entries` took rows the viewer had painted. It waits
    now until the screen is gone (the rows shown all stay archived while it runs), then prunes
    and says what went on stderr."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    with DemoServer(DemoState(aitronos_entries=450, supermetrics_entries=0, live_rate=0.0, seed=2)) as server:
        config = tmp_path / "config.toml"
        config.write_text("archive_max_entries = 100\n" + Path(write_config(tmp_path, server)).read_text())
        env = {"LOGVIEW_CONFIG": str(config), "FREDDY_API_KEY": DEMO_AITRONOS_KEY, "XDG_DATA_HOME": str(tmp_path / "data")}
        said: list[bytes] = []
        with viewer_in_a_terminal(["--profile", "a"], env, after_quit=said) as leader:
            read_until(leader, b"all loaded", 30)
            with Archive.open(default_archive_path(), readonly=True) as archive:  # (nothing pruned under the viewer)
                deadline = time.monotonic() + 30  # (its writer commits the last pages after "all loaded")
                while [s.entries for s in archive.summaries()] != [450] and time.monotonic() < deadline:
                    read_for(leader, 0.1)
                assert [s.entries for s in archive.summaries()] == [450]
        assert b"Archive retention (at most 100 entries a source) dropped 350 older entries of aitronos" in said[0]
        with Archive.open(default_archive_path(), readonly=True) as archive:
            [summary] = archive.summaries()
            assert summary.entries == 100 and len(summary.covered[""]) == 1


def test_an_archive_max_age_is_the_viewers_default_start_so_no_launch_fetches_what_its_quit_drops(tmp_path, monkeypatch):
    """s24 walk #4: with `archive_max_age = "1d"` every launch paged the 13 older days from the API
    again, and every quit dropped them again. The viewer now loads from that age on (its date
    filter says `since 2d`; `d` clears it), and nothing older is fetched or archived."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    with DemoServer(DemoState(aitronos_entries=1400, supermetrics_entries=0, live_rate=0.0, seed=3, span_days=14)) as server:
        config = tmp_path / "config.toml"
        config.write_text('archive_max_age = "2d"\n' + Path(write_config(tmp_path, server)).read_text())
        env = {"LOGVIEW_CONFIG": str(config), "FREDDY_API_KEY": DEMO_AITRONOS_KEY, "XDG_DATA_HOME": str(tmp_path / "data")}
        cutoff = datetime.now(UTC) - timedelta(days=2)
        recent = [r for r in server.state.aitronos_logs if parse_api_time(r["created_at"]) >= cutoff + timedelta(minutes=1)]
        said: list[bytes] = []
        with viewer_in_a_terminal(["--profile", "a"], env, after_quit=said) as leader:
            screen = read_until(leader, b"all loaded", 30) + read_for(leader, 0.5)
            assert b"2d" in screen  # (the sidebar's date filter)
        asked = [path for _, path, _ in server.state.request_log if "/logs" in path]
        assert asked and all("start_date=" in path for path in asked), asked
        assert b"Archive retention" not in said[0]  # (nothing older came, nothing to drop)
        with Archive.open(default_archive_path(), readonly=True) as archive:
            [summary] = archive.summaries()
            assert len(recent) <= summary.entries < len(recent) + 20
