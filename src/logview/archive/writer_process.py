"""The viewer's end of the archive's writer process (`writer_child.py`), on the event loop with no
thread: each transaction is a frame written to the process's input, and its answer a frame read
from its output, in order. `submit` returns at once with the answer's future.

If no process can be started (no interpreter to run it with, or the archive is open read-only
here), `start` says so and the writer stores in its thread as before. If it ends while
transactions are unanswered, or sends an answer that cannot be read (then it is killed), their
futures fail with `WriterGone`, whose message is the writer's `problem`. It is given only the environment an interpreter needs: never the viewer's API keys.
"""

from __future__ import annotations

import asyncio
import os
import pickle
import signal
import subprocess
import sys
from collections import deque
from collections.abc import Sequence
from typing import TYPE_CHECKING

import orjson

from logview.archive.db import ArchiveError
from logview.archive.writer_child import FRAME, LENGTH, START, Answer, Part, frame, out_of_band
from logview.model import LogEntry
from logview.sources.typed_page import typed_texts_and_times
from logview.times import epoch_us_remembered

if TYPE_CHECKING:
    from logview.archive.coverage import Span
    from logview.archive.source import ArchivedSource


PIPE_BYTES = 1 << 20  # a transaction's text in one write, not four of the default 64 KiB (each a wake-up)


def _widen(stdin: asyncio.StreamWriter | None) -> None:
    """Make the pipe to the process hold a whole transaction (Linux; elsewhere as it is)."""
    try:
        import fcntl

        fcntl.fcntl(stdin.get_extra_info("pipe").fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)  # type: ignore[union-attr]
    except (ImportError, AttributeError, OSError):  # not Linux, or above /proc/sys/fs/pipe-max-size
        pass


# What the process's interpreter may need from the environment; nothing else is passed on, so the
# API keys the viewer was given (any variable a profile names) are never in the writer's.
_PASSED_ON = ("PATH", "HOME", "LANG", "TMPDIR", "TEMP", "TMP", "SYSTEMROOT")
_PASSED_ON_PREFIXES = ("PYTHON", "LC_", "XDG_")


def _child_environment() -> dict[str, str]:
    return {name: value for name, value in os.environ.items()
            if name.upper() in _PASSED_ON or name.upper().startswith(_PASSED_ON_PREFIXES)}


class WriterGone(Exception):
    """The writer process ended before it answered."""


class WriterProcess:
    """One running writer process: transactions in, answers out, in order (see the module)."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self._process = process
        self._unanswered: deque[asyncio.Future[Answer]] = deque()
        self._why_gone = ""  # (said once reading its answers has ended)
        self._reading = asyncio.ensure_future(self._read_answers())

    @classmethod
    async def start(cls, archived: ArchivedSource) -> WriterProcess | None:
        """A writer process for `archived`'s file and source; None if none can be started."""
        try:
            setup = archived.writer_setup()
        except ArchiveError:  # (read-only here: the thread meets it again and says so)
            return None
        if not sys.executable or getattr(sys, "frozen", False):  # (a bundled app: no interpreter to run it with)
            return None
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-c", START, stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True, env=_child_environment())
        except (OSError, RuntimeError, NotImplementedError):  # (no subprocesses on this loop)
            return None
        _widen(process.stdin)
        writer = cls(process)
        writer._send(setup)
        return writer

    def submit(self, parts: Sequence[Part], covered: Span | None, query_key: str,
               want_rowids: bool) -> asyncio.Future[Answer]:
        """Hand a transaction over; its answer comes in order (see `writer_child.py`)."""
        answer: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        if self._reading.done():
            answer.set_exception(WriterGone(self._why_gone))
            return answer
        self._unanswered.append(answer)
        self._send(([out_of_band(part) for part in parts], covered, query_key, want_rowids))
        return answer

    def close(self) -> None:
        """End the process's input: it commits what it has read, then exits (not waited for)."""
        stdin = self._process.stdin
        if stdin is not None and not stdin.is_closing():
            stdin.close()

    async def kill(self) -> None:
        """Kill the process (stopped, or starved: what it committed stays) and wait until it has
        exited and its answers are read."""
        self._end_child()
        await self.ended()

    async def ended(self) -> None:
        """Wait until the process has exited (every answer is in by then)."""
        await asyncio.shield(self._reading)

    def _send(self, value: object) -> None:
        stdin = self._process.stdin
        assert stdin is not None
        if not stdin.is_closing():
            for piece in frame(value):  # (each buffered by the transport while the pipe is full)
                stdin.write(piece)

    async def _read_answers(self) -> None:
        stdout = self._process.stdout
        assert stdout is not None
        unreadable: str | None = None
        try:
            try:
                while True:
                    size, count = FRAME.unpack(await stdout.readexactly(FRAME.size))
                    lengths = LENGTH.iter_unpack(await stdout.readexactly(LENGTH.size * count))
                    body = await stdout.readexactly(size)
                    buffers = [await stdout.readexactly(length) for (length,) in lengths]
                    rowids, problem = pickle.loads(body, buffers=buffers)
                    waiting = self._unanswered.popleft()  # (IndexError: an answer to nothing asked)
                    if not waiting.done():
                        waiting.set_result((rowids, problem))
            except (asyncio.IncompleteReadError, ConnectionError):
                pass  # (its output ended: it has exited, or is exiting)
            except Exception as error:  # noqa: BLE001 (a bad frame, or no memory for it: no later answer can be trusted)
                unreadable = ("the archive's writer process sent an answer that could not be read "
                              f"({type(error).__name__})")
                self._end_child()
            await self._process.wait()
        finally:  # (every way out, a cancellation too: no transaction is left waiting for ever)
            self._why_gone = unreadable or self._gone_reason()
            while self._unanswered:
                waiting = self._unanswered.popleft()
                if not waiting.done():
                    waiting.set_exception(WriterGone(self._why_gone))

    def _end_child(self) -> None:
        """Kill the process and stop writing to it: it is no longer understood."""
        self.close()
        try:
            self._process.kill()
        except ProcessLookupError:  # (it has exited already)
            pass

    def _gone_reason(self) -> str:
        code = self._process.returncode
        if code is not None and code < 0:
            try:
                how = f"killed by {signal.Signals(-code).name}"
            except ValueError:
                how = f"killed by signal {-code}"
        else:
            how = f"exit status {code}"
        return f"the archive's writer process ended unexpectedly ({how})"


def process_part(archived: ArchivedSource, entries: Sequence[LogEntry]) -> Part:
    """A page as the writer process takes it: the JSON text of its raw entries (`part_rows`
    makes the same rows of it) and their times in epoch microseconds (remembered for the store's
    time column, which the entries' batch makes next: `raws_rows`), or its rows where orjson
    refuses a value (a number beyond a double, a lone surrogate: `page_rows` keeps those as they
    were read)."""
    typed = typed_texts_and_times(entries)
    if typed is not None:  # (a typed page's entries, as their JSON texts came, none decoded here, and their times)
        return typed
    try:
        text = orjson.dumps([entry.raw for entry in entries])
    except TypeError:
        return archived.rows(entries)
    times = epoch_us_remembered([entry.time for entry in entries])
    return text if None in times else (text, times)  # type: ignore[return-value]  (a time missing: found there again)
