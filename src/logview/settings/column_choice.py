"""Which columns the table shows, per API, as the user picked them (`f` in the viewer).

Kept in `columns.json` in the user data directory: {"aitronos": ["tool", "field:connector"], …};
a key is a built-in column (`tool`, `duration`, …) or `field:NAME` for a raw field by name.
"""

from __future__ import annotations

from pathlib import Path

from logview.model import SourceKind
from logview.settings.userfiles import data_dir, read_json, write_json

MAX_COLUMNS = 24


class ColumnChoice:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or data_dir() / "columns.json"

    def load(self, kind: SourceKind) -> list[str] | None:
        """The keys chosen for `kind`, or None when the user never chose (the defaults apply)."""
        document = read_json(self.path)
        keys = document.get(kind) if isinstance(document, dict) else None
        if not isinstance(keys, list):
            return None
        return [key for key in keys if isinstance(key, str)][:MAX_COLUMNS]

    def save(self, kind: SourceKind, keys: list[str]) -> None:
        document = read_json(self.path)
        document = document if isinstance(document, dict) else {}
        document[kind] = keys[:MAX_COLUMNS]
        write_json(self.path, document)

    def reset(self, kind: SourceKind) -> None:
        document = read_json(self.path)
        if isinstance(document, dict) and kind in document:
            del document[kind]
            write_json(self.path, document)
