"""The local archive: entries once fetched are kept on disk (SQLite), by source, with the time
ranges known complete, so a launch paints them at once and fetches only what is new.

Layered between `store` (which reads archived columns) and `api`/`files` (it imports neither's
network code: it is given entries). `query` runs `logview sql` over it, read-only.
"""

from logview.archive.archive import Archive, SourceSummary
from logview.archive.coverage import Span
from logview.archive.db import ArchiveError
from logview.archive.location import default_archive_path
from logview.archive.retention import DEFAULT_MAX_ENTRIES, Retention, parse_age
from logview.archive.rows import SourceIdentity, identity_of
from logview.archive.source import ArchivedSource

__all__ = ["Archive", "ArchiveError", "ArchivedColumns", "ArchivedSource", "DEFAULT_MAX_ENTRIES", "Facet",
           "Retention", "SourceIdentity", "SourceSummary", "Span", "default_archive_path", "identity_of",
           "parse_age"]


def __getattr__(name: str) -> object:
    # The columns (numpy) only when asked for: the archive's writer process stores without them.
    if name in ("ArchivedColumns", "Facet"):
        from logview.archive import columns

        return getattr(columns, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
