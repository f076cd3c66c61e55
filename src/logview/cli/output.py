"""A write that fails (a full disk, an I/O error) ends a command with one line and exit 2, as an
`--output` that cannot be created does, not with a traceback (found with `-o /dev/full`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

STDOUT = "to stdout"


def output_name(output: Path | None) -> str:
    """How a failure names where the output goes."""
    return STDOUT if output is None else str(output)


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
