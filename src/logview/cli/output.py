"""A write that fails (a full disk, an I/O error) ends a command with one line and exit 2, as an
`--output` that cannot be created does, not with a traceback (found with `-o /dev/full`); and how wide
the terminal a command writes to is, for what it lays out for a person; what an export stopped
midway left in its output."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from logview.model import counted

STDOUT = "to stdout"


def output_name(output: Path | None) -> str:
    """How a failure names where the output goes."""
    return STDOUT if output is None else str(output)


def terminal_columns(out: TextIO) -> int | None:
    """How wide the terminal `out` writes to is (None: not a terminal, or not known)."""
    try:
        return os.get_terminal_size(out.fileno()).columns or None
    except (OSError, ValueError, AttributeError):
        return None


def parts_fitted(parts: Sequence[str], columns: int | None, separator: str = " · ",
                 continued: int | None = None) -> list[str]:
    """`parts` joined by `separator`, broken between two parts (never inside one) into lines of at most
    `columns`, the later lines indented two more than the first: a time or a URL broken by the terminal
    at its edge read as two (`2026-11-22 15:41` / `:50Z`, s29 walk #6), or at column `continued` when
    given. A part longer than `columns` has a line of its own, whole. One line where `columns` is None
    or it fits."""
    lines = [separator.join(parts)]
    if columns is None or len(lines[0]) <= columns:
        return lines
    indent = " " * (len(parts[0]) - len(parts[0].lstrip(" ")) + 2 if continued is None else continued)
    lines = [parts[0]]
    for part in parts[1:]:
        joined = f"{lines[-1]}{separator}{part}"
        lines[-1:] = [joined] if len(joined) <= columns else [lines[-1], f"{indent}{part}"]
    return lines


def words_fitted(text: str, columns: int | None, continued: int | None = None) -> list[str]:
    """A sentence broken between its words (`parts_fitted`), never inside one: a URL, a path, a
    variable's name stays whole where a terminal would break it at its edge."""
    indent = text[:len(text) - len(text.lstrip(" "))]
    first, *rest = text.lstrip(" ").split(" ")
    return parts_fitted([indent + first, *rest], columns, separator=" ", continued=continued)


def say_fitted(text: str, stream: TextIO | None = None) -> None:
    """A message on `stream` (stderr), each of its lines broken between words on a terminal too narrow
    for it (`words_fitted`), as `logview config` says a profile's problems: `export`, `sql`, `archive`
    and the viewer's start said the same problems unfitted, the terminal breaking them inside a URL,
    a path, a variable's name (s31). Through a pipe each line stays whole. A message of several lines
    (its first, then those it lists indented) continues each at column 4: the first line's rest at 2
    read as one more of the list."""
    stream = stream or sys.stderr
    columns, lines = terminal_columns(stream), text.splitlines()
    continued = 4 if len(lines) > 1 else None
    print("\n".join(fitted for line in lines for fitted in words_fitted(line, columns, continued)), file=stream)


class OutputFailed(Exception):
    """Writing the command's output failed: its message names the output and the reason."""


@contextmanager
def writing(name: str) -> Iterator[None]:
    """An OSError raised while writing `name` (a path, or `STDOUT`) becomes OutputFailed. A closed
    pipe is not a failure (`| head` has what it wanted) and goes on as it is."""
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as error:
        raise OutputFailed(f"cannot write {name}: {error.strerror or error}") from None


def what_was_written(output: Path | None, written: int, in_flight: int = 0) -> str:
    """What an export stopped midway left, said after 'interrupted' (`in_flight`: entries it was
    writing then, of which the output may hold a part: a pipe's reader had 500 rows where nothing
    was said to be written, found in a walk)."""
    where = str(output) if output is not None else "stdout"
    if in_flight:
        part = f"part of the {'next' if written else 'first'} {in_flight:,}"
        return (f"{where} holds the first {counted(written, 'entry', 'entries')} and may hold {part} (incomplete)"
                if written else f"{where} may hold {part} entries (incomplete)")
    if not written:
        return f"nothing was written to {output}" if output is not None else "nothing was written"
    return f"{where} holds the first {counted(written, 'entry', 'entries')} (incomplete)"
