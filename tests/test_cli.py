"""Profiles and config, `logview demo-server`, and stderr behaviour on a terminal."""

from __future__ import annotations

import os
import pty
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from logview.cli import main
from logview.settings.config import ConfigError, load_config
from logview.demo import DEMO_AITRONOS_KEY, DEMO_ORG, DEMO_SUPERMETRICS_KEY

import cli_runner
from support import drained
from test_export import CLEAN_ENV, jsonl, logview


def write_config(tmp_path, text: str):
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_a_profile_names_the_env_var_holding_its_key(server, tmp_path):
    config = write_config(tmp_path, f"""
[profiles.prod]
source = "aitronos"
org = "{DEMO_ORG}"
base_url = "{server.url}"
key_env = "MY_FREDDY_KEY"
""")
    env = {"LOGVIEW_CONFIG": str(config)}
    missing = logview("export", "--profile", "prod", env=env)
    assert missing.returncode == 2 and "MY_FREDDY_KEY" in missing.stderr.decode()
    result = logview("export", "--profile", "prod", "--status", "error", env={**env, "MY_FREDDY_KEY": DEMO_AITRONOS_KEY})
    assert result.returncode == 0, result.stderr
    assert jsonl(result.stdout) == [r for r in server.state.aitronos_logs if r["status"] == "error"]


def test_the_default_profile_is_used_without_a_source_flag(server, tmp_path):
    config = write_config(tmp_path, f"""
default = "b"
[profiles.a]
source = "aitronos"
org = "x"
[profiles.b]
source = "supermetrics"
team = 1
connector = "DEMO01"
base_url = "{server.url}"
""")
    result = logview("export", "--status", "5xx", env={"LOGVIEW_CONFIG": str(config),
                                                      "SUPERMETRICS_API_KEY": DEMO_SUPERMETRICS_KEY})
    assert result.returncode == 0, result.stderr
    assert jsonl(result.stdout) == [r for r in server.state.supermetrics_logs if (r["status"] or 0) >= 500]


@pytest.mark.parametrize(("text", "message"), [
    ('[profiles.p]\nsource = "aitronos"\norg = "o"\nkey = "sk-123"\n', "never reads keys from files"),
    ('[profiles.p]\nsource = "elsewhere"\n', "profile 'p': source: must be 'aitronos' or 'supermetrics'"),
    ('[profiles.p]\nsource = "aitronos"\nogr = "typo"\n', "profile 'p': ogr: unknown key: did you mean `org`"),
    ('default = "missing"\n', "default profile 'missing' is not defined"),
    ("[profiles.p\n", "not valid TOML"),
])
def test_bad_config_files_are_refused_with_a_clear_message(tmp_path, text, message):
    config = write_config(tmp_path, text)
    with pytest.raises(ConfigError, match=message):
        load_config(config)
    result = logview("export", "--profile", "p", env={"LOGVIEW_CONFIG": str(config)})
    assert result.returncode == 2 and message.split(".")[-1] in result.stderr.decode()
    assert "sk-123" not in result.stderr.decode()


@pytest.mark.parametrize("command", [(), ("export",)], ids=["viewer", "export"])
def test_a_folder_given_to_file_is_called_a_folder(tmp_path, command):
    result = logview(*command, "--file", str(tmp_path), timeout=30)
    assert result.returncode == 2
    assert result.stderr.decode() == f"logview: {tmp_path} is a folder, not a file\n"
    missing = tmp_path / "absent.jsonl"
    result = logview(*command, "--file", str(missing), timeout=30)
    assert result.returncode == 2
    assert result.stderr.decode() == f"logview: no such file: {missing}\n"


@pytest.mark.parametrize("command", [(), ("export",)], ids=["viewer", "export"])
def test_a_pipe_given_to_file_is_called_a_pipe(tmp_path, command):
    """Found in a walk (s20 #6): a FIFO, `<(zcat x.gz)` or /dev/null said "no such file"."""
    fifo = tmp_path / "logs.fifo"
    os.mkfifo(fifo)
    for given in (fifo, Path("/dev/null")):
        result = logview(*command, "--file", str(given), timeout=30)
        assert result.returncode == 2
        assert result.stderr.decode().startswith(f"logview: {given} is a pipe or a device, not a file: "), result.stderr


@pytest.mark.parametrize("command", [(), ("export",)], ids=["viewer", "export"])
@pytest.mark.parametrize("flag", [("--file", "-"), ("--file=-",)], ids=["apart", "joined"])
def test_a_dash_given_to_file_is_called_standard_input(command, flag):
    """Found by a tester: `--file -` said "no such file: -", where /dev/stdin said what to do."""
    result = logview(*command, *flag, timeout=30)
    assert (result.returncode, result.stdout) == (2, b"")
    assert result.stderr.decode() == ("logview: - is standard input, not a file: logview reads a file it can seek "
                                      "(save the stream to one first: `zcat logs.jsonl.gz > logs.jsonl`)\n")


def test_no_config_file_means_no_profiles(tmp_path):
    assert load_config(tmp_path / "absent.toml") is None


def test_version_and_help(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["--version"])
    assert caught.value.code == 0 and "logview 0.1.0" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["export", "--help"])
    out = capsys.readouterr().out
    for flag in ("--format", "--output", "--status", "--since", "--until", "--credential", "--event", "--search", "-v"):
        assert flag in out


def test_demo_server_runs_in_the_foreground_and_stops_quietly_on_ctrl_c():
    process = cli_runner.Popen([sys.executable, "-m", "logview", "demo-server", "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=CLEAN_ENV, text=True)
    try:
        banner = ""
        deadline = time.monotonic() + 15
        while "http://127.0.0.1:" not in banner and time.monotonic() < deadline:
            banner += process.stdout.readline()
        url = banner[banner.index("http://127.0.0.1:"):].split()[0].rstrip("/.,")
        response = httpx.get(f"{url}/v1/personal-connectors/logs", params={"organization_id": DEMO_ORG},
                             headers={"X-API-Key": DEMO_AITRONOS_KEY})
        assert response.status_code == 200 and response.json()["total"] > 0
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=15)
    assert process.returncode in (0, 130)
    assert "Traceback" not in stderr


def export_on_a_terminal(server) -> tuple[int, bytes, bytes]:
    """An Aitronos export of `server` with stderr on a pseudo-terminal: its exit code, its
    stdout, and the bytes the terminal received."""
    leader, follower = pty.openpty()
    process = cli_runner.Popen(
        [sys.executable, "-m", "logview", "export", "--source", "aitronos", "--org", DEMO_ORG, "--base-url", server.url],
        stdout=subprocess.PIPE, stderr=follower, env={**CLEAN_ENV, "FREDDY_API_KEY": DEMO_AITRONOS_KEY})
    os.close(follower)
    stdout, _ = process.communicate(timeout=60)
    terminal = drained(leader)
    os.close(leader)
    return process.returncode, stdout, terminal


def test_progress_goes_to_stderr_only_on_a_terminal(server):
    returncode, stdout, terminal = export_on_a_terminal(server)
    total = len(server.state.aitronos_logs)
    assert returncode == 0
    assert f"of {total:,} entries".encode() in terminal
    assert f"{total:,} entries in".encode() in terminal
    assert len(jsonl(stdout)) == total  # stdout stays pure data


def test_the_viewer_may_leave_the_supermetrics_connector_to_its_picker(monkeypatch):
    from contextlib import ExitStack

    from logview.cli import resolve_connection, viewer_parser

    monkeypatch.setenv("SUPERMETRICS_API_KEY", DEMO_SUPERMETRICS_KEY)
    args = viewer_parser().parse_args(["--source", "supermetrics", "--team", "1"])
    with ExitStack() as stack:
        connection = resolve_connection(args, stack, default_demo=False, pick_connector=True)
    assert connection is not None and connection.source.connector_id is None
    assert connection.label == "supermetrics team 1 / (choose a connector)"


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_second_signal_while_a_stopped_command_ends_ends_it_at_once_without_a_traceback(signum, code):
    """A second Ctrl-C while Python's exit waited for a thread printed "Exception ignored in: <module
    'threading'>" and a traceback (found in a walk): once a command is stopped, another signal ends it."""
    program = ("import os, signal, sys, threading, time\n"
               "from logview.cli import _leave_at_once_on_another_signal\n"
               "threading.Thread(target=time.sleep, args=(30,)).start()  # (what Python's exit waits for)\n"
               "_leave_at_once_on_another_signal()\n"
               "print('stopped', flush=True)\n")
    process = subprocess.Popen([sys.executable, "-c", program], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout.readline() == b"stopped\n"
    time.sleep(0.2)  # (in Python's exit, waiting for the thread)
    process.send_signal(signum)
    assert process.wait(timeout=10) == code
    assert process.stderr.read() == b""
