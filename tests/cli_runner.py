"""`python -m logview ...` for tests, without an interpreter's start and logview's imports per run.

    import cli_runner
    result = cli_runner.run([sys.executable, "-m", "logview", "export", ...], capture_output=True, env=...)
    process = cli_runner.Popen([sys.executable, "-c", CODE, *args], stdin=follower, stdout=follower)

`run` and `Popen` take what `subprocess.run` and `subprocess.Popen` take and give what they give, for
a command `[sys.executable, "-m", "logview", ...]` or `[sys.executable, "-c", CODE, ...]`. Each xdist
worker starts one "zygote" (`cli_zygote.py` run as a script) that imports logview's command line once;
each run is a child it forks, given the run's argv, environment, folder and standard streams (real
file descriptors: a pipe, a pty, a file), so exit codes, signals (SIGINT: 130), TTY-ness and a
closed pipe behave as in a process of its own; the test holds its pid. A launch costs a fork
(~10 ms) instead of ~0.3–0.6 s of one core.

What only a fresh interpreter shows stays on `subprocess`: which modules a launch imports, `-X`
options, the interpreter's start, packaging, another process's /proc environ read from its start.
Variables read while the zygote imported (and Python's own: PYTHON*, the locale's) are fixed in it:
a run whose environment differs in one of them gets a zygote of its own.
"""

from __future__ import annotations

import atexit
import json
import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

# What the command line's commands import (the viewer's Textual too: a pty test's launch).
PRELOADED = ("logview.cli", "logview.cli.parsers", "logview.cli.resolve", "logview.cli.export",
             "logview.cli.archive", "logview.cli.sql", "logview.demo", "logview.ui.app")
_FIXED_AT_START = ("PYTHON", "LC_", "LANG")  # (read by the interpreter before any import)
ZYGOTE = str(Path(__file__).with_name("cli_zygote.py"))


class _Zygote:
    """One imported interpreter (`cli_zygote.py`) and how to ask it for a child."""

    def __init__(self, env: dict[str, str]) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="cli-runner-"))
        self.socket_path = str(self.folder / "socket")
        with open(self.folder / "zygote.log", "wb") as log:
            self.process = subprocess.Popen([sys.executable, ZYGOTE, self.socket_path, json.dumps(PRELOADED)],
                                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, env=env,
                                            cwd=self.folder)
        ready = self.process.stdout.readline()  # (its stdin is its lifeline: closed, it ends)
        if not ready:
            raise RuntimeError(f"the CLI zygote did not start: {(self.folder / 'zygote.log').read_text()}")
        started = json.loads(ready)
        self.env = env
        self.read_at_import: set[str] = set(started["read_at_import"])
        # What the interpreter added to its environment as it started (PEP 538's LC_CTYPE): a real
        # launch with the same variables gets the same, so each child does.
        self.added_at_start = {k: v for k, v in started["environ_at_start"].items() if k not in env}

    def serves(self, env: dict[str, str]) -> bool:
        if "*" in self.read_at_import:  # (an import went through all of them)
            return env == self.env
        names = self.read_at_import | {k for k in (*env, *self.env) if k.startswith(_FIXED_AT_START)}
        return all(env.get(name) == self.env.get(name) for name in names)

    def fork(self, request: dict[str, Any], fds: list[int]) -> socket.socket:
        channel = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        channel.connect(self.socket_path)
        env = {**request["env"], **{k: v for k, v in self.added_at_start.items() if k not in request["env"]}}
        body = json.dumps({**request, "env": env}).encode()
        socket.send_fds(channel, [len(body).to_bytes(8, "big")], fds)
        channel.sendall(body)
        return channel

    def close(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()
        for leftover in self.folder.iterdir():
            leftover.unlink()
        self.folder.rmdir()


_zygotes: list[_Zygote] = []
_MOST_ZYGOTES = 3


def _zygote_for(env: dict[str, str]) -> _Zygote:
    for zygote in _zygotes:
        if zygote.serves(env):
            return zygote
    if len(_zygotes) >= _MOST_ZYGOTES:
        _zygotes.pop(0).close()
    if not _zygotes:
        atexit.register(_close_all)
    zygote = _Zygote(env)
    _zygotes.append(zygote)
    return zygote


def _close_all() -> None:
    while _zygotes:
        _zygotes.pop().close()


def _launch_of(args: Any) -> tuple[list[str], list[str]]:
    """(how Python is told what to run: `-m logview` or `-c CODE`, its arguments) of a command."""
    if isinstance(args, (str, bytes)) or len(args) < 3 or args[0] != sys.executable:
        raise ValueError(f"cli_runner runs [sys.executable, '-m', 'logview', ...] or [sys.executable, '-c', CODE, ...], "
                         f"not {args!r}: use subprocess for anything else")
    if args[1] == "-m" and args[2] == "logview":
        return ["-m", "logview"], [str(a) for a in args[3:]]
    if args[1] == "-c":
        return ["-c", str(args[2])], [str(a) for a in args[3:]]
    raise ValueError(f"cli_runner runs `-m logview` or `-c CODE`, not {args[1:3]!r}: use subprocess")


def _process_environment() -> dict[str, str]:
    """What a process started now inherits: the C library's environment, which can hold more than
    os.environ (a library's setenv: curses sets LINES and COLUMNS on a terminal)."""
    import ctypes

    entries = ctypes.POINTER(ctypes.c_char_p).in_dll(ctypes.CDLL(None), "environ")
    found: dict[str, str] = {}
    index = 0
    while entries[index] is not None:
        name, _, value = os.fsdecode(entries[index]).partition("=")
        found.setdefault(name, value)
        index += 1
    return found


class Popen(subprocess.Popen):
    """`subprocess.Popen` whose child is forked by the zygote (see the module's docstring)."""

    _channel: socket.socket
    _said = b""

    def _execute_child(self, args, executable, preexec_fn, close_fds, pass_fds, cwd, env, startupinfo,
                       creationflags, shell, p2cread, p2cwrite, c2pread, c2pwrite, errread, errwrite,
                       restore_signals, gid, gids, uid, umask, start_new_session, process_group) -> None:
        if shell or executable or preexec_fn or pass_fds or gid is not None or gids or uid is not None \
                or umask >= 0 or process_group != -1:
            raise ValueError("cli_runner takes no shell, executable, preexec_fn, pass_fds, user, group, umask "
                             "nor process_group: use subprocess")
        launch, arguments = _launch_of(args)
        env = _process_environment() if env is None else env
        streams = [p2cread if p2cread != -1 else 0, c2pwrite if c2pwrite != -1 else 1,
                   errwrite if errwrite != -1 else 2]
        request = {"launch": launch, "argv": arguments, "env": {os.fsdecode(k): os.fsdecode(v) for k, v in env.items()},
                   "cwd": os.path.abspath(os.fsdecode(cwd) if cwd is not None else os.getcwd()),
                   "new_session": bool(start_new_session)}
        try:
            self._channel = _zygote_for(request["env"]).fork(request, streams)
            self.pid = int(self._said_line())
            self._child_created = True
        finally:
            self._close_pipe_fds(p2cread, p2cwrite, c2pread, c2pwrite, errread, errwrite)

    def _said_line(self, timeout: float | None = None) -> str | None:
        """The zygote's next line (the child's pid, then its exit code), None if none came in time."""
        self._channel.settimeout(timeout)
        while b"\n" not in self._said:
            try:
                part = self._channel.recv(64)
            except (TimeoutError, BlockingIOError):
                return None
            if not part:
                raise RuntimeError("the CLI zygote went away before saying how its child ended")
            self._said += part
        line, self._said = self._said.split(b"\n", 1)
        return line.decode()

    def _ended(self, code: str) -> int:
        self.returncode = int(code)
        self._channel.close()
        return self.returncode

    def _internal_poll(self, _deadstate=None, **_unused: Any) -> int | None:
        if self.returncode is None and self._waitpid_lock.acquire(False):
            try:
                code = self._said_line(timeout=0)
                if code is not None:
                    self._ended(code)
            finally:
                self._waitpid_lock.release()
        return self.returncode

    def _wait(self, timeout: float | None) -> int:
        if self.returncode is None:
            with self._waitpid_lock:
                if self.returncode is None:
                    code = self._said_line(timeout)
                    if code is None:
                        raise subprocess.TimeoutExpired(self.args, timeout)
                    self._ended(code)
        return self.returncode


def run(*popenargs: Any, input: Any = None, capture_output: bool = False, timeout: float | None = None,
        check: bool = False, **kwargs: Any) -> subprocess.CompletedProcess:
    """`subprocess.run`, its child forked by the zygote."""
    if capture_output:
        kwargs["stdout"] = kwargs["stderr"] = subprocess.PIPE
    if input is not None:
        kwargs["stdin"] = subprocess.PIPE
    with Popen(*popenargs, **kwargs) as process:
        try:
            stdout, stderr = process.communicate(input, timeout=timeout)
        except subprocess.TimeoutExpired as expired:
            process.kill()
            expired.output, expired.stderr = process.communicate()
            raise
        except BaseException:
            process.kill()
            raise
    result = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    if check:
        result.check_returncode()
    return result


def head(*popenargs: Any, lines: int, timeout: float | None = 60, **kwargs: Any) -> subprocess.CompletedProcess:
    """`COMMAND | head -n LINES`: its stdout is read up to LINES lines, then the pipe is closed; the
    result's stdout is what `head` printed, its stderr the command's (stderr=subprocess.STDOUT: None)."""
    kwargs.setdefault("stderr", subprocess.PIPE)
    with Popen(*popenargs, stdout=subprocess.PIPE, **kwargs) as process:
        printed = b"".join(process.stdout.readline() for _ in range(lines))
        process.stdout.close()
        _, stderr = process.communicate(timeout=timeout)
    return subprocess.CompletedProcess(process.args, process.returncode, printed, stderr)
