"""`logview sql --sync` tops the archive up from the API first, over real HTTP: the first run
fetches everything, the next only what is newer (one request), and the key never reaches disk."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from logview.archive import default_archive_path
from logview.archive.location import archive_files
from logview.demo import DEMO_AITRONOS_KEY, DEMO_CONNECTOR, DEMO_ORG, DEMO_SUPERMETRICS_KEY, DEMO_TEAM, DemoServer, \
    DemoState

import cli_runner

COUNT = "SELECT count(*) AS n FROM logs"


def logview(*args: str, key_env: dict[str, str]) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.endswith("_API_KEY")}
    return cli_runner.run([sys.executable, "-m", "logview", *args], capture_output=True, text=True, timeout=60,
                          env={**env, "LOGVIEW_CONFIG": "/nonexistent/config.toml", **key_env})


def log_requests(server: DemoServer) -> int:
    return sum("/logs" in path for _, path, _ in server.state.request_log)


def test_sync_fetches_everything_once_then_only_what_is_newer() -> None:
    with DemoServer(DemoState(aitronos_entries=730, supermetrics_entries=0, live_rate=0.0, seed=3)) as server:
        source = ("--source", "aitronos", "--org", DEMO_ORG, "--base-url", server.url)
        key = {"FREDDY_API_KEY": DEMO_AITRONOS_KEY}
        first = logview("sql", COUNT, *source, "--sync", "--format", "csv", key_env=key)
        assert first.returncode == 0, first.stderr
        assert first.stdout.splitlines() == ["n", "730"]
        fetched = log_requests(server)
        assert fetched >= 8  # 100 a page

        server.state.insert_aitronos(5)
        again = logview("sql", COUNT, *source, "--sync", "--format", "csv", key_env=key)
        assert again.returncode == 0, again.stderr
        assert again.stdout.splitlines() == ["n", "735"]
        assert log_requests(server) - fetched == 1

        offline = logview("sql", COUNT, *source, "--format", "csv", key_env={})  # no key, no request
        assert offline.returncode == 0 and offline.stdout.splitlines() == ["n", "735"]
        assert log_requests(server) - fetched == 1

        for path in archive_files(default_archive_path()):
            if path.exists():
                assert DEMO_AITRONOS_KEY.encode() not in path.read_bytes()


def test_sync_of_a_supermetrics_connector() -> None:
    with DemoServer(DemoState(aitronos_entries=0, supermetrics_entries=2500, live_rate=0.0, seed=4)) as server:
        source = ("--source", "supermetrics", "--team", str(DEMO_TEAM), "--connector", DEMO_CONNECTOR,
                  "--base-url", server.url)
        result = logview("sql", "SELECT count(*) AS n, count(DISTINCT id) AS ids FROM logs", *source, "--sync",
                         "--format", "csv", key_env={"SUPERMETRICS_API_KEY": DEMO_SUPERMETRICS_KEY})
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines() == ["n,ids", "2500,2500"]


def test_sync_without_a_key_is_one_line_and_exit_2() -> None:
    with DemoServer(DemoState(aitronos_entries=10, supermetrics_entries=0, live_rate=0.0)) as server:
        result = logview("sql", COUNT, "--source", "aitronos", "--org", DEMO_ORG, "--base-url", server.url,
                         "--sync", key_env={})
        assert result.returncode == 2
        assert len(result.stderr.strip().splitlines()) == 1 and "FREDDY_API_KEY" in result.stderr


def test_sync_tells_of_its_requests_and_the_budget_with_verbose_on_stderr_only() -> None:
    """A sync that the API's budget holds back took 22 s in silence (found in a tmux walk); it now
    says what `logview export` says: each request and each wait for the budget with -v."""
    # (2 a 5 s window: at 2 a 2 s one a loaded machine's requests went slowly enough that the window
    # was never spent, and no wait was said)
    with DemoServer(DemoState(aitronos_entries=350, supermetrics_entries=0, live_rate=0.0, seed=5,
                              budget={"aitronos": "2/5"})) as server:
        source = ("--source", "aitronos", "--org", DEMO_ORG, "--base-url", server.url)
        key = {"FREDDY_API_KEY": DEMO_AITRONOS_KEY}
        result = logview("sql", COUNT, *source, "--sync", "-v", "--format", "csv", key_env=key)
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines() == ["n", "350"]  # stdout is the data alone
        lines = result.stderr.splitlines()
        assert sum(line.startswith("GET /v1/personal-connectors/logs?") and "→ 200" in line for line in lines) == 4
        assert any(line.startswith("logview: API budget ") and "backfill waits" in line for line in lines), lines
        assert lines[-1] == "logview: 350 entries in 4 pages"
        assert server.state.served("aitronos").throttled == 0
        assert DEMO_AITRONOS_KEY not in result.stderr

        # Without -v and not on a terminal: no requests, no progress (a 429 of the window the run
        # above spent, which a new process cannot know of, is still said, and waited out)
        quiet = logview("sql", COUNT, *source, "--sync", "--format", "csv", key_env=key)
        assert quiet.returncode == 0 and quiet.stdout.splitlines() == ["n", "350"]
        assert all("rate limited — retrying in" in line for line in quiet.stderr.splitlines()), quiet.stderr


def test_a_sync_the_api_refuses_says_the_statement_was_not_run() -> None:
    """Exit 3 with the API's error said; the statement is not run over a half-synced archive, and
    the message says so (it read as if the query had failed; found in a walk)."""
    with DemoServer(DemoState(aitronos_entries=10, supermetrics_entries=0, live_rate=0.0)) as server:
        result = logview("sql", COUNT, "--source", "aitronos", "--org", DEMO_ORG, "--base-url", server.url,
                         "--sync", key_env={"FREDDY_API_KEY": "not-the-key"})
        assert result.returncode == 3 and result.stdout == ""
        assert "the statement was not run" in result.stderr and "not-the-key" not in result.stderr


def test_a_sync_counts_what_the_archive_holds_as_export_does() -> None:
    """Found in a walk: a resumed `sql --sync -v` said "9 of 9 entries" and ended "2,250 entries in
    24 pages", leaving out the 900 archived entries `export` counts "(900 from the archive)"."""
    with DemoServer(DemoState(aitronos_entries=250, supermetrics_entries=0, live_rate=0.0, seed=6)) as server:
        source = ("--source", "aitronos", "--org", DEMO_ORG, "--base-url", server.url)
        key = {"FREDDY_API_KEY": DEMO_AITRONOS_KEY}
        first = logview("sql", COUNT, *source, "--sync", "-v", "--format", "csv", key_env=key)
        assert first.returncode == 0 and first.stderr.splitlines()[-1] == "logview: 250 entries in 3 pages"
        server.state.insert_aitronos(5)
        again = logview("sql", COUNT, *source, "--sync", "-v", "--format", "csv", key_env=key)
        assert again.returncode == 0 and again.stdout.splitlines() == ["n", "255"]
        assert again.stderr.splitlines()[-1] == "logview: 255 entries in 1 page (250 from the archive)"


def test_a_sync_the_budget_stops_says_why_in_words_that_agree() -> None:
    """Found in a walk: "API budget 1/3 · resets in ~60 min · backfill waits; the API budget allows
    the next request in 3600 s" — a viewer's words in an exit message, and a request left beside
    an hour's wait, unexplained. Supermetrics sends no reset: its window is taken as an hour, over
    which the pace spreads what is left (then, spent, the reset is waited for)."""
    with DemoServer(DemoState(aitronos_entries=0, supermetrics_entries=5000, live_rate=0.0, seed=5,
                              budget={"supermetrics": "3/60"})) as server:
        source = ("--source", "supermetrics", "--team", str(DEMO_TEAM), "--connector", DEMO_CONNECTOR,
                  "--base-url", server.url)
        key = {"SUPERMETRICS_API_KEY": DEMO_SUPERMETRICS_KEY}
        paced = logview("sql", COUNT, *source, "--sync", "-v", key_env=key)  # two pages, then the pace
        said = paced.stderr.splitlines()[-1]
        assert paced.returncode == 3 and log_requests(server) == 2, paced.stderr
        # (logview's own pace, in its words: "RATE_LIMITED" read as the server's refusal, and none came: s30)
        assert re.fullmatch(r"logview sql: the API budget \(1/3 left, reset time unknown: the API publishes a window "
                            r"of 60 min\) paces the next request to ~(60m 0\ds|59m [0-5]\ds) from now, longer than the "
                            r"60 s logview waits; the statement was not run \(without --sync it reads the archive as "
                            r"it is\)", said), said  # a second or more may pass on a loaded machine

        spent = logview("sql", COUNT, *source, "--sync", "-v", key_env=key)  # the first page takes the last
        said = spent.stderr.splitlines()[-1]
        assert spent.returncode == 3 and log_requests(server) == 3, spent.stderr
        assert re.match(r"logview sql: the API budget \(0/3 left, reset time unknown: the API publishes a window "
                        r"of 60 min\) holds the next request until its reset, ~(60m 0\ds|59m [0-5]\ds) from now, "
                        r"longer than the 60 s logview waits; ", said), said
        assert server.state.served("supermetrics").throttled == 0


def test_sync_under_an_age_limit_fetches_only_what_the_archive_keeps(tmp_path) -> None:
    """Under `archive_max_age = "1d"` every `--sync` fetched the whole history (48 pages against the
    walk's demo), which the archive dropped again at once, and the next run fetched it all again
    (s26 walk #3): now it fetches the last day, and the next run only what is newer."""
    config = tmp_path / "config.toml"
    config.write_text('archive_max_age = "1d"\n')
    with DemoServer(DemoState(aitronos_entries=2800, supermetrics_entries=0, live_rate=0.0, span_days=14,
                              seed=5)) as server:
        source = ("--source", "aitronos", "--org", DEMO_ORG, "--base-url", server.url)
        key = {"FREDDY_API_KEY": DEMO_AITRONOS_KEY, "LOGVIEW_CONFIG": str(config)}
        query = "SELECT count(*) AS n, min(time_us) >= (strftime('%s', 'now') - 86400) * 1000000 AS kept FROM logs"
        first = logview("sql", query, *source, "--sync", "--format", "csv", key_env=key)
        assert first.returncode == 0, first.stderr
        header, row = first.stdout.splitlines()
        count, all_kept = map(int, row.split(","))
        assert header == "n,kept" and 100 < count < 400 and all_kept == 1, first.stdout  # (~200 of 2,800 a day)
        fetched = log_requests(server)
        assert fetched <= 5, fetched  # (28 pages for the whole history)

        again = logview("sql", query, *source, "--sync", "--format", "csv", key_env=key)
        assert again.returncode == 0 and again.stdout.splitlines()[1] == row, again.stderr
        assert log_requests(server) - fetched == 1


def test_sync_reads_the_config_once(tmp_path, monkeypatch, capsys) -> None:
    """s29: `archive_turned_off` read the config again after `--sync`'s own `archive_choice`; what it says
    of the archive is now that one reading's (a config written between the two was read twice over)."""
    from logview.cli import main
    import logview.settings.config

    config = tmp_path / "config.toml"
    config.write_text('archive_max_age = "3650d"\n')
    reads = []

    def counted_read(path):
        reads.append(path)
        return read_config(path)

    read_config = logview.settings.config.read_config
    monkeypatch.setattr(logview.settings.config, "read_config", counted_read)
    monkeypatch.setenv("LOGVIEW_CONFIG", str(config))
    monkeypatch.setenv("FREDDY_API_KEY", DEMO_AITRONOS_KEY)
    with DemoServer(DemoState(aitronos_entries=120, supermetrics_entries=0, live_rate=0.0, seed=3)) as server:
        code = main(["sql", COUNT, "--source", "aitronos", "--org", DEMO_ORG, "--base-url", server.url, "--sync",
                     "--format", "csv"])
    assert code == 0 and capsys.readouterr().out.splitlines() == ["n", "120"]
    assert reads == [config]
    reads.clear()
    assert main(["sql", COUNT, "--format", "csv"]) == 0 and reads == [config]  # (without --sync: once too)


def test_a_sync_interrupted_says_the_statement_was_not_run_and_what_was_fetched_is_kept() -> None:
    """Found in a walk: Ctrl-C in a sync the budget paced said "logview: interrupted" alone, leaving the user
    to guess whether the statement ran and whether the pages fetched were kept."""
    import signal
    import time

    with DemoServer(DemoState(aitronos_entries=600, supermetrics_entries=0, live_rate=0.0, seed=5,
                              budget={"aitronos": "2/5"})) as server:
        source = ("--source", "aitronos", "--org", DEMO_ORG, "--base-url", server.url)
        env = {key: value for key, value in os.environ.items() if not key.endswith("_API_KEY")}
        process = cli_runner.Popen([sys.executable, "-m", "logview", "sql", COUNT, *source, "--sync"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   env={**env, "LOGVIEW_CONFIG": "/nonexistent/config.toml",
                                        "FREDDY_API_KEY": DEMO_AITRONOS_KEY})
        deadline = time.monotonic() + 30
        while log_requests(server) < 2 and time.monotonic() < deadline:  # (the window's two: then it waits)
            time.sleep(0.05)
        time.sleep(0.5)
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
        assert (process.returncode, stdout) == (130, ""), stderr
        assert stderr.endswith("logview: interrupted: the statement was not run; what --sync fetched is archived\n")
        kept = logview("sql", COUNT, *source, "--format", "csv", key_env={})
        assert 0 < int(kept.stdout.splitlines()[1]) < 600, kept
