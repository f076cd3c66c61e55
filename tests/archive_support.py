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
