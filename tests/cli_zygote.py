"""The zygote of `cli_runner` (see its docstring): run as `python cli_zygote.py SOCKET MODULES`, it
imports MODULES, says on stdout what it read of its environment as it did, then forks a child per
request on SOCKET until its stdin (the test's process) closes. Each child becomes the process
`python -m logview ARGV` (or `-c CODE ARGV`) as the request describes it, and ends as one.

Only the thread that forks is copied into a child, so the imports must start no thread (checked).
"""

from __future__ import annotations

import json
import os
import socket
import sys
import tempfile
from collections.abc import MutableMapping
from typing import Any


class _ReadsNoted(MutableMapping):
    """os.environ while the zygote imports: which variables an import read (those are fixed in it)."""

    def __init__(self, environ: MutableMapping[str, str]) -> None:
        self.environ, self.read = environ, set()

    def __getitem__(self, name: str) -> str:
        self.read.add(name)
        return self.environ[name]

    def __setitem__(self, name: str, value: str) -> None:
        self.environ[name] = value

    def __delitem__(self, name: str) -> None:
        del self.environ[name]

    def __iter__(self):
        self.read.add("*")
        return iter(self.environ)

    def __len__(self) -> int:
        return len(self.environ)

    def copy(self) -> dict[str, str]:
        self.read.add("*")
        return dict(self.environ)


def _import(modules: list[str]) -> list[str]:
    import importlib

    environ = os.environ
    noted = os.environ = _ReadsNoted(environ)
    try:
        for module in modules:
            importlib.import_module(module)
    finally:
        os.environ = environ
    threads = os.listdir("/proc/self/task")
    if len(threads) != 1:  # (a fork copies only the thread that forks: the others' locks stay held)
        raise RuntimeError(f"importing {modules} started threads ({len(threads)}): the zygote cannot fork")
    return sorted(noted.read)


def _serve(socket_path: str) -> tuple[dict[str, Any], list[int]] | None:
    """Fork a child per request until the test's process goes; return in each child its request."""
    import selectors

    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(socket_path)
    listener.listen(16)
    waiting = selectors.DefaultSelector()
    waiting.register(listener, selectors.EVENT_READ, "request")
    waiting.register(sys.stdin, selectors.EVENT_READ, "lifeline")
    import gc

    gc.collect()
    gc.freeze()  # (what the zygote imported stays: a child's collections need not walk it, nor copy its pages)
    print(json.dumps({"read_at_import": READ_AT_IMPORT, "environ_at_start": ENVIRON_AT_START}), flush=True)
    while True:
        for key, _ in waiting.select():
            if key.data == "lifeline":
                if not os.read(sys.stdin.fileno(), 1):
                    return None
            elif key.data == "request":
                channel, _ = listener.accept()
                header, fds, _, _ = socket.recv_fds(channel, 8, 3)
                body = b""
                while len(body) < int.from_bytes(header, "big"):
                    body += channel.recv(1 << 16)
                pid = os.fork()
                if pid == 0:
                    for watched in list(waiting.get_map().values()):
                        if watched.data not in ("request", "lifeline"):
                            os.close(watched.fd)
                            watched.data[1].close()
                    waiting.close()
                    listener.close()
                    channel.close()
                    return json.loads(body), fds
                for fd in fds:
                    os.close(fd)
                channel.sendall(f"{pid}\n".encode())
                waiting.register(os.pidfd_open(pid), selectors.EVENT_READ, (pid, channel))
            else:
                pid, channel = key.data
                waiting.unregister(key.fd)
                os.close(key.fd)
                _, status = os.waitpid(pid, 0)
                try:
                    channel.sendall(f"{os.waitstatus_to_exitcode(status)}\n".encode())
                except OSError:  # (the test stopped listening)
                    pass
                channel.close()


def _stream(fd: int, name: str, like: Any) -> Any:
    """A standard stream on `fd` as the interpreter makes it at its start (Python/pylifecycle.c's
    create_stdio), encoded as the zygote's own, which started in the same locale and PYTHON* variables."""
    import io

    buffered = not sys.__stdout__.write_through  # (PYTHONUNBUFFERED or -u: written through)
    binary = io.open(fd, "rb" if fd == 0 else "wb", -1 if buffered or fd == 0 else 0, closefd=False)
    raw = getattr(binary, "raw", binary)
    raw.name = name
    text = io.TextIOWrapper(binary, encoding=like.encoding, errors=like.errors, newline="\n",
                            line_buffering=buffered and (raw.isatty() or fd == 2), write_through=not buffered)
    text.mode = "r" if fd == 0 else "w"
    return text


def _become(request: dict[str, Any], fds: list[int]) -> None:
    """Turn this forked child into the process `python LAUNCH ARGV` started as the request says."""
    import importlib
    import signal

    import logview

    if request["new_session"]:
        os.setsid()
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
    for fd in set(fds):
        if fd > 2:
            os.close(fd)
    os.environ.clear()
    os.environ.update(request["env"])
    importlib.reload(logview)  # (its own os.environ defaults, set again in the run's environment)
    tempfile.tempdir = None
    os.chdir(request["cwd"])
    sys.stdin, sys.stdout, sys.stderr = (_stream(0, "<stdin>", sys.__stdin__), _stream(1, "<stdout>", sys.__stdout__),
                                         _stream(2, "<stderr>", sys.__stderr__))
    sys.__stdin__, sys.__stdout__, sys.__stderr__ = sys.stdin, sys.stdout, sys.stderr
    signal.signal(signal.SIGINT, signal.default_int_handler)


def _run(request: dict[str, Any]) -> None:
    import runpy
    import types

    how, what = request["launch"]
    if how == "-m":
        sys.argv = ["-m", *request["argv"]]  # (run_module sets argv[0] to the module's file)
        sys.path[0] = os.getcwd()
        runpy.run_module(what, run_name="__main__", alter_sys=True)
    else:
        sys.argv = ["-c", *request["argv"]]
        sys.path[0] = ""
        main = types.ModuleType("__main__")
        sys.modules["__main__"] = main
        exec(compile(what, "<string>", "exec"), main.__dict__)


def _outcome(request: dict[str, Any]) -> int | KeyboardInterrupt:
    """The exit code the interpreter would give the run's end (an interrupt: its signal, below)."""
    try:
        _run(request)
    except SystemExit as ended:  # (Python/pythonrun.c's handling of SystemExit)
        if ended.code is None or isinstance(ended.code, int):
            return ended.code or 0
        print(ended.code, file=sys.stderr)
        return 1
    except BaseException as error:
        shown = error.__traceback__
        while shown is not None and shown.tb_frame.f_code.co_filename == __file__:
            shown = shown.tb_next  # (this file's frames: a real launch has none of them)
        sys.excepthook(type(error), error, error.with_traceback(shown).__traceback__)
        return error if isinstance(error, KeyboardInterrupt) else 1
    return 0


def _exit(outcome: int | KeyboardInterrupt) -> None:
    """End as the interpreter ends (Py_FinalizeEx: threads joined, atexit, standard streams flushed),
    leaving out the freeing of every object: most of a child's life, ~0.3-0.7 s, and it writes to each
    page the fork shared."""
    import atexit
    import signal
    import threading

    threading._shutdown()
    atexit._run_exitfuncs()
    flushed = True
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None and not stream.closed:
                stream.flush()
        except Exception as error:
            flushed = False
            if stream is sys.stdout:
                print(f"Exception ignored in: {stream!r}\n{type(error).__name__}: {error}", file=sys.stderr)
    if isinstance(outcome, KeyboardInterrupt):  # (Python dies of the SIGINT it was not able to handle)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
        outcome = 128 + signal.SIGINT
    os._exit(120 if outcome == 0 and not flushed else outcome & 0xFF)


if __name__ == "__main__":
    ENVIRON_AT_START = dict(os.environ)
    READ_AT_IMPORT = _import(json.loads(sys.argv[2]))
    asked = _serve(sys.argv[1])
    if asked is None:
        sys.exit(0)
    del ENVIRON_AT_START, READ_AT_IMPORT
    _become(*asked)
    _exit(_outcome(asked[0]))
