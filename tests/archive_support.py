"""Entries for the archive's tests: realistic ones from the demo's generators, parsed by the sources
exactly as fetched entries are (no HTTP needed to test storage)."""

from __future__ import annotations

import random

from logview.archive import Archive, SourceIdentity, identity_of
from logview.demo.data import aitronos_dataset, supermetrics_dataset
from logview.model import LogEntry
from logview.sources import AitronosSource, SupermetricsSource

NOW_US = 1_763_200_000_000_000  # 2025-11-15T09:46:40Z
DAY_US = 86_400_000_000
AITRONOS = AitronosSource("org_archive", base_url="http://127.0.0.1:9/")
SUPERMETRICS = SupermetricsSource(42, "T3S70", base_url="http://127.0.0.1:9")


def aitronos_entries(count: int, seed: int = 1, span_us: int = 7 * DAY_US, now_us: int = NOW_US) -> list[LogEntry]:
    """Newest first, as the API pages them, over the `span_us` before `now_us`."""
    data = sorted(aitronos_dataset(random.Random(seed), count, now_us, span_us), key=lambda pair: -pair[0])
    return [AITRONOS.entry_from_raw(raw) for _, raw in data]


def supermetrics_entries(count: int, seed: int = 1, span_us: int = 7 * DAY_US,
                         now_us: int = NOW_US) -> list[LogEntry]:
    data = sorted(supermetrics_dataset(random.Random(seed), count, now_us, span_us), key=lambda pair: -pair[0])
    return [SUPERMETRICS.entry_from_raw(raw) for _, raw in data]


def aitronos_identity() -> SourceIdentity:
    identity = identity_of(AITRONOS)
    assert identity is not None
    return identity


def supermetrics_identity() -> SourceIdentity:
    identity = identity_of(SUPERMETRICS)
    assert identity is not None
    return identity


def filled_archive(aitronos: int = 300, supermetrics: int = 300) -> Archive:
    """The default archive (under the test's own data folder) holding both sources."""
    archive = Archive.open()
    archive.source(aitronos_identity()).store(aitronos_entries(aitronos))
    archive.source(supermetrics_identity()).store(supermetrics_entries(supermetrics))
    return archive


def told_by_id(said, pages) -> dict[str, int]:
    """The archive's words (`PageWriter.on_archived`: each transaction's pages and their rowids, in
    order) by id: `pages` gives each page's entries' ids; an entry not archived (rowid 0) is left out."""
    told: dict[str, int] = {}
    for tickets, rowids in said:
        start = 0
        for ticket in tickets:
            told.update((entry_id, rowid) for entry_id, rowid in zip(pages[ticket], rowids[start:start + ticket.size])
                        if rowid)
            start += ticket.size
    return told


def append_handed(store, entries, page: int = 100) -> list:
    """`store.append(entries)` as the viewer adds a backfill's pages handed to the archive, `page`
    entries each: bound to the store's held indices (`HeldEntries.bind`); their `Handed`s, in order."""
    from logview.archive.gathering import Handed

    tickets = [Handed(len(entries[start:start + page])) for start in range(0, len(entries), page)]
    first = len(store.held.entries)
    store.append(entries)
    store.held.bind([(page * n, (ticket, None)) for n, ticket in enumerate(tickets)], first)
    return tickets


def word_of(archived, tickets, entries) -> tuple:
    """The archive's word on `entries` handed as the pages `tickets` (their rowids, in order)."""
    return tickets, archived.placed([entry.id for entry in entries])
