"""Filters saved under a name from the viewer and recalled later (command palette).

They live in `saved-filters.json` in the user data directory (`~/.local/share/logview` on Linux),
not in `config.toml`: that file is the user's, with their comments, and logview never writes it.
Saved filters are per API (their statuses differ) and keep times as typed, so `24h` stays "the
last 24 hours". Writing goes through a temporary file and a rename: a crash never leaves half a
file. An unreadable file is reported, never silently replaced.
"""

from __future__ import annotations

import re
from pathlib import Path

from logview.model import BuiltOnFirstUse, SourceKind
from logview.settings.userfiles import UserFileError, data_dir, read_json, write_json

NAME = re.compile(r"[\w .:/+-]{1,40}")  # what a saved filter may be called (shown in the palette)


def _build_saved_filter() -> type:
    from pydantic import BaseModel, ConfigDict

    class SavedFilter(BaseModel):
        """One set of filters, as the sidebar holds them (times as typed)."""

        model_config = ConfigDict(extra="ignore", frozen=True)

        statuses: tuple[str, ...] = ()
        since: str = ""
        until: str = ""
        credential: str | None = None
        event: str | None = None
        tool: str | None = None
        error: str | None = None
        search: str | None = None

    return SavedFilter


class SavedFilter(metaclass=BuiltOnFirstUse):
    """One set of filters, as the sidebar holds them (a pydantic model, built when filters are
    first saved or recalled, not at start-up)."""

    build = staticmethod(_build_saved_filter)


SavedFiltersError = UserFileError  # the file exists but cannot be read or written


def saved_filters_path() -> Path:
    return data_dir() / "saved-filters.json"


def check_name(name: str) -> str:
    """The name, stripped; ValueError when it cannot be one."""
    name = name.strip()
    if not NAME.fullmatch(name):
        raise ValueError("a name is 1-40 letters, digits, spaces or . : / + - _")
    return name


class SavedFilters:
    """The saved filters of every API, read from and written to one JSON file."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or saved_filters_path()

    def load(self) -> dict[str, dict[str, SavedFilter]]:
        """kind → name → filters; empty when there is no file yet."""
        document = read_json(self.path)
        if document is None:
            return {}
        if not isinstance(document, dict):
            raise SavedFiltersError(f"{self.path}: not a JSON object")
        from pydantic import ValidationError

        result: dict[str, dict[str, SavedFilter]] = {}
        for kind, entries in document.items():
            if not isinstance(entries, dict):
                continue
            for name, value in entries.items():
                try:
                    result.setdefault(kind, {})[check_name(name)] = SavedFilter.model_validate(value)
                except (ValueError, ValidationError):
                    continue  # one odd entry (edited by hand) must not lose the others
        return result

    def names(self, kind: SourceKind) -> list[str]:
        return sorted(self.load().get(kind, {}))

    def get(self, kind: SourceKind, name: str) -> SavedFilter | None:
        return self.load().get(kind, {}).get(name)

    def save(self, kind: SourceKind, name: str, saved: SavedFilter) -> None:
        document = self.load()
        document.setdefault(kind, {})[check_name(name)] = saved
        self._write(document)

    def delete(self, kind: SourceKind, name: str) -> bool:
        document = self.load()
        if name not in document.get(kind, {}):
            return False
        del document[kind][name]
        self._write(document)
        return True

    def _write(self, document: dict[str, dict[str, SavedFilter]]) -> None:
        write_json(self.path, {kind: {name: saved.model_dump(exclude_defaults=True)
                                      for name, saved in sorted(entries.items())}
                               for kind, entries in sorted(document.items()) if entries})
