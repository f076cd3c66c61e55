"""`logview --file PATH` recognised before the command line's parsers load, so that the file's
reading (a big file's child, `files/early.py`) begins as early as it can.

The child reads on the other core while this process imports the viewer: each ms it starts sooner
is a ms more of the file it reads. Parsing the arguments needs argparse and the parsers' own imports
(the config's path: platformdirs, difflib), then resolving them; ~30–50 ms of one core before the
fork. A launch that names a file and nothing else needs neither to know what to read, so its
reading begins here; the command line then parses and resolves the arguments as for any launch,
and its own `early.begin` for the same path finds the reading begun (the same file, the same kind:
`detect_kind` is what resolving asks too). Anything else (another option, a mixed file, a path that
is not a readable file) is left to the usual parse, which begins the reading or says what is wrong.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path


def plain_file_argument(argv: Sequence[str]) -> Path | None:
    """The path of `--file PATH` or `--file=PATH` when that is the whole command line, else None."""
    if len(argv) == 2 and argv[0] == "--file":
        given = argv[1]
    elif len(argv) == 1 and argv[0].startswith("--file="):
        given = argv[0].removeprefix("--file=")
    else:
        return None
    return Path(given) if given and not given.startswith("-") else None  # (`-x`: argparse's to refuse)


def begin_a_plain_file_launch(argv: Sequence[str]) -> None:
    """Begin reading the file of a plain `--file PATH` launch, if it is one of a single API."""
    path = plain_file_argument(argv)
    if path is None:
        return
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return
    except (OSError, ValueError):
        return
    from logview.files.jsonl import UnknownFileFormat, detect_kind

    try:
        kind = detect_kind(path)
    except (UnknownFileFormat, OSError, ValueError):
        return
    if kind in ("aitronos", "supermetrics"):
        from logview.files import early

        early.begin(path, kind, with_child=True)  # (a plain launch has no --max-entries)
