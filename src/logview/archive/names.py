"""Names the logs refer to (an Aitronos organization's credentials), kept beside the source's
entries: a launch shows them at once, and the API is asked again only when they are stale or the
logs name an id they do not know. Seven requests a launch (the connectors, then one per connector)
were most of a 10-request window, spent on every launch before this table.

Kept as the JSON list the caller gives (plain strings: names, e-mails, ids), with when it was
fetched. Never a key: the row is keyed by the source, like its entries. The table is made by any
writable open (an archive of an earlier logview gets it then: earlier versions ignore it); an
archive that has none yet (read-only, or locked when it was opened) simply holds no names.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from typing import Any

from logview.jsonutil import dump_json, load_json

NAMES_TABLE = """
CREATE TABLE IF NOT EXISTS names (
    source INTEGER NOT NULL REFERENCES sources (id),
    kind TEXT NOT NULL,             -- what they name: 'credentials'
    fetched_at REAL NOT NULL,       -- when the API listed them: epoch seconds
    items BLOB NOT NULL,            -- their JSON list, as the caller gave it
    PRIMARY KEY (source, kind)
)"""


@dataclass(frozen=True)
class KeptNames:
    """What the archive holds of one kind of names, and how old it is."""

    items: list[dict[str, Any]]
    fetched_at: float

    def age_s(self, now: float | None = None) -> float:
        return (time.time() if now is None else now) - self.fetched_at


def read_names(db: sqlite3.Connection, source_id: int, kind: str) -> KeptNames | None:
    try:
        row = db.execute("SELECT items, fetched_at FROM names WHERE source = ? AND kind = ?",
                         (source_id, kind)).fetchone()
    except sqlite3.OperationalError:  # no such table: an archive no writable logview has opened since
        return None
    if row is None:
        return None
    try:
        items = load_json(row[0])
    except ValueError:  # (written by this module: only a damaged file gets here)
        return None
    if not isinstance(items, list):
        return None
    return KeptNames([item for item in items if isinstance(item, dict)], float(row[1]))


def names_of_api(db: sqlite3.Connection, api: str, kind: str) -> list[dict[str, Any]]:
    """Every source of `api`'s names of `kind`, the most recently listed last (so they win where two
    lists name one id): what a file of that API's entries is named from (`Archive.names_of_api`)."""
    try:
        rows = db.execute("SELECT names.items FROM names JOIN sources ON sources.id = names.source "
                          "WHERE sources.api = ? AND names.kind = ? ORDER BY names.fetched_at", (api, kind)).fetchall()
    except sqlite3.OperationalError:  # (no names table yet)
        return []
    found: list[dict[str, Any]] = []
    for (items,) in rows:
        try:
            listed = load_json(items)
        except ValueError:
            continue
        found += [item for item in listed if isinstance(item, dict)] if isinstance(listed, list) else []
    return found


def write_names(db: sqlite3.Connection, source_id: int, kind: str, items: list[dict[str, Any]],
                fetched_at: float) -> None:
    db.execute("INSERT OR REPLACE INTO names (source, kind, fetched_at, items) VALUES (?, ?, ?, ?)",
               (source_id, kind, fetched_at, dump_json(items)))


def forget_names(db: sqlite3.Connection, source_id: int) -> None:
    try:
        db.execute("DELETE FROM names WHERE source = ?", (source_id,))
    except sqlite3.OperationalError:
        pass  # no such table: nothing kept
