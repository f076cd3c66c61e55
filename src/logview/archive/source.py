"""One source's part of the archive: store what was fetched, say what is complete, read it back."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from itertools import repeat
from typing import TYPE_CHECKING

from logview.archive.coverage import Span, merge_spans, record_span, stored_spans
from logview.archive.db import ArchiveError, Database
from logview.archive.listed import forget_unlisted
from logview.archive.retention import Retention, prune_source, pruning_due
from logview.archive.scans import IDS_A_QUERY, rows_of_ids, time_range, timed_chunks, untimed_chunks
from logview.archive.inserting import insert_rows
from logview.archive.rows import Rows, SourceIdentity, entry_from_row, page_rows, raws_rows, source_for
from logview.jsonutil import load_json
from logview.model import LogEntry
from logview.sources.base import Source

if TYPE_CHECKING:
    from types import ModuleType

    from logview.archive.columns import ArchivedColumns


def _columns() -> ModuleType:
    """`archive/columns.py`, imported where columns are read: with it numpy, which the archive's
    writer process (it only stores) starts without, ~16 MiB and 40 ms lighter."""
    from logview.archive import columns

    return columns


ENTRY_CHUNK = 2_000  # entries rebuilt per query by `entries` (memory stays flat however many)
BULK_CACHE_KIB = 2_048  # the page cache of the bulk reader (see `_bulk`)


class ArchivedSource:
    """The entries and coverage of one source. Opened read-only before any process stored the
    source, it holds nothing until one does (`find_id` looks for its row again)."""

    def __init__(self, database: Database, identity: SourceIdentity, source_id: int | None,
                 retention: Retention, find_id: Callable[[], int | None] = lambda: None) -> None:
        self.identity = identity
        self._database = database
        self._known_id = source_id
        self._find_id = find_id
        self._retention = retention
        self._api_source = source_for(identity)
        self._count: int | None = None  # an estimate, to prune only when the limit is near
        self._bulk_reader: Database | None = None

    @property
    def where(self) -> tuple[str, SourceIdentity]:
        """Which archive file and which source in it (no key): what two tabs of one source share."""
        return str(self._database.path), self.identity

    @property
    def _source_id(self) -> int | None:
        if self._known_id is None:
            self._known_id = self._find_id()
        return self._known_id

    # -- writing ----------------------------------------------------------------------------
    def store(self, entries: Sequence[LogEntry], *, covered: Span | None = None, query_key: str = "") -> int:
        """In one transaction: archive the entries (by id; an entry archived already with other
        fields is replaced in place: the newer answer wins), then record `covered` as complete for
        `query_key`, then apply the retention. Returns how many entries were new or replaced."""
        return self.store_rows(self.rows(entries), covered=covered, query_key=query_key)

    def rows(self, entries: Sequence[LogEntry]) -> Rows:
        """The entries as rows of this source, ready for `store_rows` (built apart from the
        transaction: the writer builds them on the event loop while the next page is awaited).
        A typed page's entries whose raw values are unread are made rows from their texts, as
        the writer process makes them (`rows_from_text`): reading each raw value would cost the
        viewer that, and the coding of its batch the typed way (`Codes.encode`)."""
        from logview.sources.typed_page import typed_texts_and_times  # (loaded with such entries)

        typed = typed_texts_and_times(entries)
        if typed is not None:
            return self.rows_from_text(*typed)
        return page_rows(self._writable_id(), self._api_source, entries)

    def rows_from_text(self, text: bytes, times_us: list[int] | None = None) -> Rows:
        """The rows of the entries the JSON array `text` holds (`raws_rows` of what `load_json`
        reads of it), for `store_rows`; a Supermetrics page's straight from the text where it can
        (`typed_rows.py`: msgspec, imported by the writer process with its first page), with
        `times_us` for their times if given (the viewer's parse found them)."""
        source_id = self._writable_id()
        if self._api_source.kind == "supermetrics":
            from logview.archive.typed_rows import supermetrics_text_rows

            rows = supermetrics_text_rows(source_id, self._api_source, text, times_us)
            if rows is not None:
                return rows
        return raws_rows(source_id, self._api_source, load_json(text), times_us)

    def store_rows(self, rows: Rows, *, covered: Span | None = None, query_key: str = "",
                   placed: list[Sequence[int]] | None = None) -> int:
        """`store` for entries already made `rows`; `placed`, if given, gets one item: where each
        of their entries is archived now, in the rows' order (0 for one pruned at once: `placed`),
        without asking when every row was new and none was pruned (then a `range`: they took the
        rowids after the table's largest, in order, `insert_rows`)."""
        return self.store_batches([(rows, covered, query_key, placed)])[0]

    def store_batches(self, batches: Sequence[tuple[Rows, Span | None, str, list[Sequence[int]] | None]]
                      ) -> list[int]:
        """`store_rows` of each (rows, covered, query_key, placed) in turn, in one transaction
        (the writer process, behind, stores the transactions waiting for it at once: where ids are
        random, a commit rewrites most of the id index's pages it touched). How many were new, each."""
        source_id = self._writable_id()
        news: list[int] = []
        placings: list[list[int] | None] = []
        removed = 0
        with self._database.writing() as db:
            for rows, covered, query_key, _ in batches:
                before = db.total_changes
                placings.append(insert_rows(db, rows))
                news.append(new := db.total_changes - before)
                gone = 0
                if covered is not None:
                    record_span(db, source_id, covered, query_key)
                    if not query_key:  # (what the server listed whole: the rest in that range is gone from it)
                        gone = forget_unlisted(db, source_id, covered, rows)
                removed += gone + self._apply_retention(db, source_id, new - gone)
        for (rows, _, _, placed), at in zip(batches, placings):
            if placed is not None and len(rows):  # (a row removed since it was inserted: ask where each is)
                placed.append(range(at[0], at[0] + len(at)) if at is not None and not removed
                              else self.placed(rows.columns[1]))
        return news

    def hold(self, *, prune: bool = True) -> int:
        """Apply the retention now (if `prune`), before this process shows any entry of the source,
        and not again while it runs: logview's own housekeeping must not take a row the viewer
        shows (it turned rows painted a second earlier into "no longer in the archive": s23 walk
        #2). What it stores meanwhile is pruned once the viewer has quit (`Archive.prune_shown`),
        or at the next launch. Returns how many entries went now for the count limit (those the age
        limit took are older than the viewer loads by default: `within_retention`, s25 walk #4)."""
        retention, self._retention, self._count = self._retention, Retention(max_entries=None, max_age_s=None), None
        source_id = self._source_id
        if not prune or self._database.readonly or source_id is None:
            return 0
        with self._database.reading() as db:
            if not pruning_due(db, source_id, retention):
                return 0
        with self._database.writing() as db:
            return prune_source(db, source_id, retention).by_count

    def writer_setup(self) -> tuple[object, Retention, SourceIdentity]:
        """What a writer process needs to store for this source (`writer_child.py`): the file,
        the retention, the identity. ArchiveError where this process may not write."""
        self._writable_id()
        return self._database.path, self._retention, self.identity

    def recount(self) -> None:
        """Count the source's entries again before the retention is next applied (another
        process, this one's writer, has stored some)."""
        self._count = None

    def checkpoint(self) -> None:
        """Copy the WAL into the file now, as far as it can without waiting (after a writer
        process that left it to grow: `Database.checkpoint`)."""
        self._database.checkpoint()

    def cover(self, span: Span, query_key: str = "") -> None:
        """Record `span` as complete for `query_key` (a range fetched that held nothing new)."""
        self.store((), covered=span, query_key=query_key)

    def _apply_retention(self, db, source_id: int, new: int) -> int:
        """Prune what the retention no longer keeps; how many entries went."""
        retention, over_limit = self._retention, False
        if retention.max_entries is not None:
            if self._count is None:  # counted once; then followed by what this process adds
                self._count = db.execute("SELECT count(*) FROM entries WHERE source = ?", (source_id,)).fetchone()[0]
            else:
                self._count += new
            over_limit = self._count > retention.max_entries
        if over_limit or (retention.max_age_s is not None and new):
            removed = prune_source(db, source_id, retention).total
            if self._count is not None:  # (never above the limit: another process may have pruned too)
                self._count = min(self._count - removed, retention.max_entries or self._count)
            return removed
        return 0

    def _writable_id(self) -> int:
        self._database.check_writable()
        assert self._source_id is not None  # only a read-only archive hands out a source without a row
        return self._source_id

    # -- reading ----------------------------------------------------------------------------
    def coverage(self, query_key: str = "") -> list[Span]:
        """What is complete for `query_key`, merged, newest first. A span complete for "" (no
        server filter) is complete for every query."""
        if self._source_id is None:
            return []
        with self._database.reading() as db:
            spans = stored_spans(db, self._source_id, "")
            if query_key:
                spans += stored_spans(db, self._source_id, query_key)
        return merge_spans(spans)

    def coverage_within(self, query_key: str, since_us: int | None, until_us: int | None) -> list[Span]:
        """The spans complete for `query_key` (`coverage`) that meet the range [since_us, until_us]
        (None: open at that end)."""
        return [span for span in self.coverage(query_key) if span.meets(since_us, until_us)]

    def count(self) -> int:
        return self._scalar("SELECT count(*) FROM entries WHERE source = ?") or 0

    def newest(self) -> tuple[int, set[str]] | None:
        """The newest time archived and the ids of every entry at exactly that time."""
        return self._edge("max")

    def oldest(self) -> tuple[int, set[str]] | None:
        return self._edge("min")

    def _edge(self, which: str) -> tuple[int, set[str]] | None:
        moment = self._scalar(f"SELECT {which}(time_us) FROM entries WHERE source = ?")
        if moment is None:
            return None
        with self._database.reading() as db:
            ids = {row[0] for row in db.execute("SELECT id FROM entries WHERE source = ? AND time_us = ?",
                                                (self._source_id, moment))}
        return moment, ids

    def placed(self, ids: Sequence[str]) -> list[int]:
        """Where these entries are archived, in their order (0: not archived, or pruned already)."""
        found = self.rowids(ids)
        return list(map(found.get, ids, repeat(0)))

    def rowids(self, ids: Sequence[str]) -> dict[str, int]:
        """Where these entries are archived, by id (one not archived, or pruned already, is left out)."""
        if self._source_id is None:
            return {}
        return dict(rows_of_ids(self._database.reading, self._source_id,
                                "SELECT id, rowid FROM entries WHERE source = ? AND id IN ({})", ids, IDS_A_QUERY))

    def _scalar(self, sql: str):
        if self._source_id is None:
            return None
        with self._database.reading() as db:
            return db.execute(sql, (self._source_id,)).fetchone()[0]

    def entries(self, since_us: int | None = None, until_us: int | None = None, *,
                timeless: bool | None = None) -> Iterator[LogEntry]:
        """Newest first, entries of one time in the order they came (the server's: an export
        from the archive is the export from the API), those without a usable time last (unless a
        range is given: then they are outside it, unless `timeless`), rebuilt as when fetched, a
        chunk at a time."""
        if self._source_id is None:
            return
        for rows in timed_chunks(self._database.reading, self._source_id, "rowid, time_us, raw", since_us, until_us,
                                 ENTRY_CHUNK, ENTRY_CHUNK):
            for _, _, raw in rows:
                yield entry_from_row(self._api_source, raw)
        if timeless if timeless is not None else since_us is None and until_us is None:
            yield from self.timeless_entries()

    def timeless_entries(self, up_to_rowid: int | None = None) -> Iterator[LogEntry]:
        """The entries without a usable time (as `entries` gives them last), only those archived
        at or before row `up_to_rowid` when it is given."""
        if self._source_id is None:
            return
        below = 2**63 - 1 if up_to_rowid is None else up_to_rowid + 1
        for rows in untimed_chunks(self._database.reading, self._source_id, "rowid, raw", ENTRY_CHUNK, ENTRY_CHUNK,
                                   below=below):
            for _, raw in rows:
                yield entry_from_row(self._api_source, raw)

    def last_rowid(self) -> int:
        """The archive's last row, of any source: rows after it are stored later (rowids only grow)."""
        with self._database.reading() as db:
            return db.execute("SELECT ifnull(max(rowid), 0) FROM entries").fetchone()[0]

    def archived_timeless(self, ids: Sequence[str], up_to_rowid: int) -> set[str]:
        """Those of `ids` archived without a usable time at or before row `up_to_rowid`."""
        if self._source_id is None:
            return set()
        return {row[0] for row in rows_of_ids(
            self._database.reading, self._source_id,
            "SELECT id FROM entries WHERE source = ? AND id IN ({}) AND time_us IS NULL AND rowid <= ?", ids,
            _columns().RAW_CHUNK, up_to_rowid)}

    def columns(self, since_us: int | None = None, until_us: int | None = None) -> ArchivedColumns:
        """Every archived entry in the range as columns, newest first (see `ArchivedColumns`)."""
        with self._database.reading() as db:
            return _columns().read_columns(db, self._source_id, self._api_source, since_us, until_us)

    def _bulk(self) -> Database:
        """The connection the viewer reads raw entries through (see `_reader`)."""
        if self._bulk_reader is None:
            self._bulk_reader = self._reader()
        return self._bulk_reader

    def _reader(self) -> Database:
        """A connection of its own for reading in bulk: in WAL mode it reads while a page is being
        stored (no waiting behind the writer's lock), with a small page cache (a scan of a big
        source would fill the writer's for nothing). The shared connection when the file
        cannot be opened a second time."""
        try:
            reader = Database(self._database.path, readonly=True)
        except ArchiveError:
            return self._database
        with reader.reading() as db:
            db.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
        return reader

    def column_chunks(self, since_us: int | None = None, until_us: int | None = None, *,
                      first: int | None = None, then: int | None = None,
                      timeless: bool | None = None) -> Iterator[ArchivedColumns]:
        """`columns` a chunk at a time (`first` rows, then `then` each; codes go on across them),
        each chunk its own query: the archive is free for others (the pages being stored)
        between two chunks, and a caller that stops early reads no more. `timeless` as for
        `entries`. `first` and `then` are `CHUNK_ROWS` unless given."""
        if self._source_id is None:
            return
        chunk = _columns().CHUNK_ROWS
        first, then = chunk if first is None else first, chunk if then is None else then
        scanner = self._reader()  # its own: drawing reads raw entries through `_bulk` meanwhile
        try:
            yield from self._chunks(scanner, since_us, until_us, first, then, timeless)
        finally:
            if scanner is not self._database:
                scanner.close()

    def _chunks(self, scanner: Database, since_us: int | None, until_us: int | None, first: int, then: int,
                timeless: bool | None) -> Iterator[ArchivedColumns]:
        columns = _columns()
        coder = columns.FacetCoder(self.raw_found, self._api_source)
        read = 0  # chunks: the timeless rows come `first` at a time after a lone one, else `then`
        for rows in timed_chunks(scanner.reading, self._source_id, columns.COLUMNS_SQL, since_us, until_us,
                                 first, then):
            read += 1
            if rows:
                yield coder.chunk(rows)
        if not (timeless if timeless is not None else since_us is None and until_us is None):
            return
        for rows in untimed_chunks(scanner.reading, self._source_id, columns.COLUMNS_SQL,
                                   first if read == 1 else then, then):  # (oldest row first)
            if rows:
                yield coder.chunk(rows)

    def count_in(self, since_us: int | None = None, until_us: int | None = None) -> int:
        """How many entries `columns(since_us, until_us)` would hold (through a connection of
        its own: counting a million takes a while, and drawing must not wait for it)."""
        condition, params = time_range(since_us, until_us)
        if self._source_id is None:
            return 0
        counter = self._reader()
        try:
            with counter.reading() as db:
                return db.execute(f"SELECT count(*) FROM entries WHERE source = ?{condition}",
                                  (self._source_id, *params)).fetchone()[0]
        finally:
            if counter is not self._database:
                counter.close()

    @property
    def api_source(self) -> Source:
        """A source of this identity's API: what rebuilds an archived entry (`entry_from_raw`)."""
        return self._api_source

    def raw(self, rowids: Sequence[int]) -> list[bytes]:
        """The stored JSON of these rows (`ArchivedColumns.rowid`), in the order asked. A row
        pruned since it was read raises KeyError."""
        found = self.raw_found(rowids)
        return [bytes(found[int(rowid)]) for rowid in rowids]

    def raw_found(self, rowids: Sequence[int]) -> dict[int, bytes]:
        """The stored JSON of those of these rows still archived, by rowid (a pruned one is left out)."""
        with self._bulk().reading() as db:
            # (numpy ints are no parameters)
            return _columns().raw_rows(db, self._source_id, [int(rowid) for rowid in rowids])
