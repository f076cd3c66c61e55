"""The small JSON files logview keeps in the user data directory (saved filters, table columns).

Read leniently (a missing file is empty), written atomically (a temporary file in the same
folder, then a rename), so a crash or a full disk never leaves half a file behind.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import platformdirs


class UserFileError(ValueError):
    """The file exists but cannot be read or written; the message says where and why."""


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir("logview", appauthor=False))


def read_json(path: Path) -> Any:
    """The file's JSON, or None when there is no file."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise UserFileError(f"{path}: cannot read: {error}") from None


def write_json(path: Path, data: Any) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(data, out, indent=2, ensure_ascii=False)
                out.write("\n")
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError as error:
        raise UserFileError(f"{path}: cannot write: {error.strerror or error}") from None
