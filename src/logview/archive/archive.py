"""The archive as a whole: open it, hand out its sources, summarise, prune and clear them."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from logview.archive.coverage import Span, merge_spans
from logview.archive.db import ArchiveError, Database
from logview.archive.location import default_archive_path
from logview.archive.names import KeptNames, forget_names, names_of_api, read_names, write_names
from logview.archive.retention import Retention, dropped_notice, dropped_words, prune_source
from logview.archive.rowid_top import rowids_kept_growing
from logview.archive.rows import SourceIdentity
from logview.archive.schema import holds_anything
from logview.archive.scrub import clean_base_url
from logview.archive.source import ArchivedSource

if TYPE_CHECKING:
    from logview.api.events import Notice


@dataclass(frozen=True)
class SourceSummary:
    """What the archive holds of one source; `covered` maps each server filter (`query_key`, ""
    for none) to its complete spans, newest first (those of "" not repeated under the others)."""

    identity: SourceIdentity
    entries: int
    oldest_us: int | None
    newest_us: int | None
    covered: dict[str, list[Span]]


class Archive:
    """The local archive of fetched entries. Thread-safe: one connection behind a lock. Every
    method may raise ArchiveError (a clear line for the user), never a bare SQLite error."""

    def __init__(self, database: Database, retention: Retention) -> None:
        self._database = database
        self.path: Path = database.path
        self.readonly = database.readonly
        self.retention = retention
        self._held: set[SourceIdentity] = set()  # the sources a viewer of this process shows (`shown_source`)

    @classmethod
    def open(cls, path: Path | None = None, *, readonly: bool = False,
             retention: Retention | None = None) -> Archive:
        """The archive at `path` (default: `default_archive_path()`), created when writable and
        missing. `retention` applies as entries are stored (default: `Retention()`)."""
        return cls(Database(path or default_archive_path(), readonly=readonly), retention or Retention())

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._database.close()

    def store_in_bulk(self) -> None:
        """This process stores pages back to back (the writer process): its commits copy the WAL
        into the file seldom (`Database.checkpoint_in_bulk`)."""
        self._database.checkpoint_in_bulk()

    def source(self, identity: SourceIdentity) -> ArchivedSource:
        """The part of the archive for `identity` (made when the archive is writable)."""
        source_id = self._source_id(identity, create=not self.readonly)
        return ArchivedSource(self._database, identity, source_id, self.retention,
                              find_id=lambda: self._source_id(identity, create=False))

    def shown_source(self, identity: SourceIdentity, said: Callable[[Notice], None]) -> ArchivedSource:
        """`source` for a viewer, which the retention no longer prunes (`ArchivedSource.hold`);
        `said` hears of the entries the retention took before, if any: only the first time this
        process opens `identity` (a second tab of it, or a reload, must not take rows the first shows)."""
        archived = self.source(identity)
        first = identity not in self._held
        self._held.add(identity)
        if dropped := archived.hold(prune=first):
            said(dropped_notice(dropped, self.retention))
        return archived

    def prune_shown(self) -> list[str]:
        """At a viewer's quit (the screen gone, nothing shown any more): apply the retention to the
        sources its viewers held (`shown_source`), so the next launch need not do it before its
        first paint (~2 s for 58k entries on a loaded machine). What went, a line a source; an
        archive busy elsewhere is left to the next launch."""
        said = []
        for identity in sorted(self._held, key=lambda held: (held.api, held.base_url, held.scope)):
            source_id = self._source_id(identity, create=False)
            if source_id is None or self.readonly:
                continue
            try:
                with self._database.writing() as db:
                    removed = prune_source(db, source_id, self.retention).total
            except ArchiveError:
                continue
            if removed:
                # (with its host: three demo servers' `supermetrics 1/DEMO01` read as one, s25 walk #9)
                host = urlsplit(identity.base_url).netloc or identity.base_url
                said.append(f"{dropped_words(removed, self.retention)} of {identity.api} {identity.scope} at {host} as "
                            "the viewer closed (the next launch fetches what it needs again)")
        return said

    def _source_id(self, identity: SourceIdentity, *, create: bool) -> int | None:
        key = (identity.api, identity.base_url, identity.scope)
        if not self._database.is_ready():
            return None
        found = self._find_source(key)
        if found is None and create:  # (only then a write: a launch must not wait for another writer's lock)
            with self._database.writing() as db:
                db.execute("INSERT OR IGNORE INTO sources (api, base_url, scope) VALUES (?, ?, ?)", key)
            found = self._find_source(key)
        return found

    def kept_names(self, identity: SourceIdentity, kind: str) -> KeptNames | None:
        """The names of `kind` the API last gave for this source (`names.py`), if any."""
        source_id = self._source_id(identity, create=False)
        if source_id is None:
            return None
        with self._database.reading() as db:
            return read_names(db, source_id, kind)

    def names_of_api(self, api: str, kind: str) -> list[dict[str, Any]]:
        """The names of `kind` kept for every source of `api` (`names.names_of_api`): an id names one
        credential whichever organization listed it, and a file does not say its API's address."""
        with self._database.reading() as db:
            return names_of_api(db, api, kind)

    def keep_names(self, identity: SourceIdentity, kind: str, items: list[dict[str, Any]]) -> None:
        """Keep what the API has just listed, for the next launch (replacing what was kept)."""
        source_id = None if self.readonly else self._source_id(identity, create=True)
        if source_id is not None:
            with self._database.writing() as db:
                write_names(db, source_id, kind, items, time.time())

    def _find_source(self, key: tuple[str, str, str]) -> int | None:
        with self._database.reading() as db:
            row = db.execute("SELECT id FROM sources WHERE api = ? AND base_url = ? AND scope = ?", key).fetchone()
        return None if row is None else row[0]

    def _sources(self, identity: SourceIdentity | None) -> list[tuple[int, SourceIdentity]]:
        """(id, identity) of every source, or only of `identity`."""
        if not self._database.is_ready():
            return []
        with self._database.reading() as db:
            rows = db.execute("SELECT id, api, base_url, scope FROM sources ORDER BY api, base_url, scope").fetchall()
        # (cleaned: a credential an earlier logview kept, `scrub.py`, is never shown, even unscrubbed)
        found = [(source_id, SourceIdentity(api, clean_base_url(base_url), scope))
                 for source_id, api, base_url, scope in rows]
        return [(source_id, known) for source_id, known in found if identity is None or known == identity]

    def summaries(self) -> list[SourceSummary]:
        summaries = []
        for source_id, identity in self._sources(None):
            with self._database.reading() as db:
                count, oldest, newest = db.execute(
                    "SELECT count(*), min(time_us), max(time_us) FROM entries WHERE source = ?",
                    (source_id,)).fetchone()
                spans: dict[str, list[Span]] = {}
                for key, start, end in db.execute(
                        "SELECT query_key, start_us, end_us FROM coverage WHERE source = ?", (source_id,)):
                    spans.setdefault(key, []).append(Span(start, end))
            if count or spans:  # (a cleared source keeps its row, and is not listed)
                summaries.append(SourceSummary(identity, count, oldest, newest,
                                               {key: merge_spans(found) for key, found in sorted(spans.items())}))
        return summaries

    def _give_back_freed_space(self) -> None:
        """Compact the file when what was deleted left most of it free pages (a pruned or cleared
        source: `logview archive` runs them, never the viewer)."""
        if self._database.mostly_free():
            self._database.compact()

    def holds(self, identity: SourceIdentity) -> bool:
        """Whether the archive holds anything of `identity`: an entry or a range known complete (what
        `summaries` lists; a cleared source keeps its row, holding nothing)."""
        found = [source_id for source_id, _ in self._sources(identity)]
        with self._database.reading() as db:
            return any(holds_anything(db, source_id) for source_id in found)

    def prune(self, identity: SourceIdentity | None = None, *, max_entries: int | None = None,
              max_age_s: float | None = None) -> int:
        """Apply the retention (each limit given replaces the archive's) to one source or all;
        returns how many entries went."""
        retention = self.retention
        if max_entries is not None:
            retention = replace(retention, max_entries=max_entries)
        if max_age_s is not None:
            retention = replace(retention, max_age_s=max_age_s)
        removed = 0
        for source_id, _ in self._sources(identity):
            with self._database.writing() as db:
                removed += prune_source(db, source_id, retention).total
        if removed:
            self._give_back_freed_space()
        return removed

    def clear(self, identity: SourceIdentity | None = None) -> int:
        """Forget one source (its entries, coverage and names), or everything; returns how many entries
        went. Clearing everything also gives the space back to the file system."""
        removed = 0
        for source_id, _ in self._sources(identity):
            with self._database.writing() as db:
                with rowids_kept_growing(db):
                    removed += db.execute("DELETE FROM entries WHERE source = ?", (source_id,)).rowcount
                db.execute("DELETE FROM coverage WHERE source = ?", (source_id,))
                forget_names(db, source_id)
                # the source's row stays: another process may be storing under its id right now
        if identity is None and self._database.is_ready():
            self._database.compact()
        elif removed:
            self._give_back_freed_space()
        if identity is None:
            from logview.archive.turns import sweep  # (asyncio and the rest: not for the writer process)

            sweep(self.path)  # (the turns' files a killed process left: `turns.py`)
        return removed
