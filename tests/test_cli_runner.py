"""The forked launches of `cli_runner` give what a real `python -m logview` gives: the same commands
run both ways, their exit codes, stdout and stderr compared (the CLI tests rely on it)."""

from __future__ import annotations

import json
import os
import pty
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import cli_runner
from logview.demo import DEMO_AITRONOS_KEY, DEMO_ORG, DemoServer
from support import drained

BOTH = pytest.mark.parametrize("runner", [subprocess, cli_runner], ids=["subprocess", "forked"])
CONFIG = {"LOGVIEW_CONFIG": "/nonexistent/config.toml"}

# What a launch is given and how it stands: argv, streams (their buffering and encoding), folder,
# environment, open descriptors, session, signal dispositions.
PROBE = """
import json, os, signal, sys
streams = [(s.isatty(), s.encoding, s.errors, s.line_buffering, s.write_through, s.name, s.mode)
           for s in (sys.stdin, sys.stdout, sys.stderr)]
handlers = {n: str(signal.getsignal(getattr(signal, n))) for n in ("SIGINT", "SIGTERM", "SIGPIPE", "SIGCHLD")}
print(json.dumps([sys.argv, streams, os.getcwd(), dict(os.environ), sorted(os.listdir("/proc/self/fd")),
                  os.getsid(0) == os.getpid(), handlers, sys.path[0], sys.stdout is sys.__stdout__]))
"""


def both(run: Callable[..., subprocess.CompletedProcess], args: list[str], **options) -> list:
    """(exit code, stdout, stderr) of the command run as a process of its own, then forked."""
    return [(done.returncode, done.stdout, done.stderr)
            for done in (run(subprocess, [sys.executable, *args], **options),
                         run(cli_runner, [sys.executable, *args], **options))]


def plain(runner, command, **options) -> subprocess.CompletedProcess:
    return runner.run(command, capture_output=True, timeout=60, **options)


@pytest.fixture
def small_file(tmp_path: Path) -> Path:
    path = tmp_path / "small.jsonl"
    path.write_text("".join(json.dumps({"id": f"e{i}", "log_time": f"2025-11-01T00:00:{i:02d}Z", "status": 200 + i,
                                        "connector_id": "C1", "note": "ö\x1b[2J"}) + "\n" for i in range(20)))
    return path


@pytest.mark.parametrize("env", [{}, {"LANG": "C"}, {"LC_ALL": "C.UTF-8", "EXTRA": "1"}, {"PYTHONUNBUFFERED": "1"}],
                         ids=["empty", "c-locale", "lc-all", "unbuffered"])
def test_a_launch_is_given_the_same_argv_streams_folder_environment_and_descriptors(tmp_path, env):
    # (logview's own import sets two variables: the probe imports it as every launch does)
    code = "import logview\n" + PROBE
    first, second = both(plain, ["-c", code, "an argument", "ö"], env=env, cwd=tmp_path)
    assert first == second and first[0] == 0
    assert json.loads(first[1])[0] == ["-c", "an argument", "ö"]


def test_a_new_session_inherited_stdin_and_a_terminal_are_the_same(tmp_path):
    def on_a_terminal(runner, command, **options):
        leader, follower = pty.openpty()
        try:
            process = runner.Popen(command, stdout=follower, stderr=subprocess.PIPE, start_new_session=True,
                                   **options)
        finally:
            os.close(follower)
        _, stderr = process.communicate(timeout=60)
        said = drained(leader)
        os.close(leader)
        return subprocess.CompletedProcess(command, process.returncode, said, stderr)

    first, second = both(on_a_terminal, ["-c", "import logview\n" + PROBE], cwd=tmp_path)
    assert first == second and first[0] == 0


@pytest.mark.parametrize("argv", [
    ["export", "--help"],
    ["export", "--source", "nowhere"],
    ["--file", "/nonexistent/file.jsonl"],
    ["config"],
    ["archive", "list"],
    ["sql", "--format", "csv", "SELECT 1 AS one"],
    ["sql", "SELEC nothing"],
], ids=lambda argv: " ".join(argv))
def test_commands_end_the_same(argv):
    first, second = both(plain, ["-m", "logview", *argv], env={**os.environ, **CONFIG})
    assert first == second


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_an_export_of_a_file_writes_the_same_bytes(small_file, fmt):
    first, second = both(plain, ["-m", "logview", "export", "--file", str(small_file), "--format", fmt],
                         env={**os.environ, **CONFIG})
    assert first == second and first[0] == 0 and first[1].count(b"\n") in (20, 21)


def test_an_export_over_http_and_one_refused_its_key_end_the_same(server: DemoServer):
    command = ["-m", "logview", "export", "--source", "aitronos", "--org", DEMO_ORG, "--base-url", server.url]
    for key, code in ((DEMO_AITRONOS_KEY, 0), ("wrong", 3)):
        first, second = both(plain, command, env={**os.environ, **CONFIG, "FREDDY_API_KEY": key})
        assert first[0] == second[0] == code
        assert first[1] == second[1]
        assert (first[2] == second[2]) if code == 0 else (first[2].split(b"request")[0] == second[2].split(b"request")[0])


def test_a_closed_pipe_and_a_full_disk_end_the_same(small_file):
    def into(target):
        def run(runner, command, **options):
            reading, writing = os.pipe()
            if target == "closed pipe":
                os.close(reading)
            try:
                with open("/dev/full", "wb") as full:
                    return runner.run(command, stdout=writing if target == "closed pipe" else full,
                                      stderr=subprocess.PIPE, timeout=60, **options)
            finally:
                os.close(writing)
                if target != "closed pipe":
                    os.close(reading)
        return run

    for target in ("closed pipe", "full disk"):
        for command in (["-m", "logview", "export", "--file", str(small_file)], ["-c", "print('x' * 100000)"]):
            first, second = both(into(target), command, env={**os.environ, **CONFIG})
            assert first == second, (target, command)


def test_ctrl_c_and_sigterm_end_a_demo_server_the_same():
    def stopped_by(sig):
        def run(runner, command, **options):
            process = runner.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **options)
            banner = b""
            deadline = time.monotonic() + 30
            while b"Press Ctrl-C" not in banner and time.monotonic() < deadline:
                banner += process.stdout.readline()
            process.send_signal(sig)
            stdout, stderr = process.communicate(timeout=30)
            return subprocess.CompletedProcess(command, process.returncode, b"Press Ctrl-C" in banner, stderr)
        return run

    for sig in (signal.SIGINT, signal.SIGTERM):
        first, second = both(stopped_by(sig), ["-m", "logview", "demo-server", "--port", "0",
                                               "--aitronos-entries", "5", "--supermetrics-entries", "5"],
                             env={**os.environ, **CONFIG})
        assert first == second and first[1], sig


def test_an_uncaught_exception_and_an_interrupt_end_a_script_the_same():
    for code in ("raise ValueError('boom')", "raise KeyboardInterrupt", "import sys; sys.exit('said')",
                 "import sys; sys.exit(300)", "import threading, time; threading.Thread(target=time.sleep, "
                 "args=(0.3,)).start(); print('joined at exit')"):
        first, second = both(plain, ["-c", code])
        assert first == second, code


def test_what_it_cannot_run_it_refuses():
    for command in ([sys.executable, "-m", "pip"], ["/bin/true"], f"{sys.executable} -m logview"):
        with pytest.raises(ValueError, match="subprocess"):
            cli_runner.run(command)
    with pytest.raises(ValueError, match="subprocess"):
        cli_runner.run([sys.executable, "-m", "logview"], shell=True)
