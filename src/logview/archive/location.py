"""Where the archive lives: its default file in the user's data directory, the
files SQLite keeps beside it, and the file made private before SQLite first opens it.
"""

from __future__ import annotations

import os
from pathlib import Path

ARCHIVE_NAME = "archive.sqlite3"


def default_archive_path() -> Path:
    """In the user's data directory, not the cache: re-downloading costs the user's API budget,
    and cache cleaners throw caches away."""
    import platformdirs  # (here: the archive's writer process, handed its file, never asks; ~8 ms of its start-up)

    return Path(platformdirs.user_data_dir("logview", appauthor=False)) / ARCHIVE_NAME


def archive_files(path: Path) -> list[Path]:
    """The database and the files SQLite keeps beside it in WAL mode."""
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def private_file(path: Path) -> None:
    """Create the file 0600 in a 0700 folder before SQLite does, so it never exists readable by
    others. Only a folder logview created, or its own data folder, is narrowed."""
    folder = path.parent
    created = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if created or folder == default_archive_path().parent:
        os.chmod(folder, 0o700)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
