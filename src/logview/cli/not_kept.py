"""What an export wrote that the archive will not keep, said once at its end: entries older than the
config's `archive_max_age` (s26 walk #3), or more of them than its `archive_max_entries` keeps of a
source (6,618 written under a limit of 500, the next export fetching 6,118 of them again without a
word: found in a walk). Written as asked either way; only the next run's budget is at stake."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from logview.model import LogEntry

if TYPE_CHECKING:
    from logview.archive.retention import Retention


class NotKept:
    """Watches the entries an export writes, against the archive's retention."""

    def __init__(self, retention: Retention) -> None:
        self.retention = retention
        start = retention.age_start_s()
        self.oldest_kept = datetime.fromtimestamp(start, timezone.utc) if start is not None else None
        self.past_age = False
        self.written = 0

    def see(self, entries: Sequence[LogEntry]) -> None:
        self.written += len(entries)
        if self.oldest_kept is not None and not self.past_age:
            oldest_kept = self.oldest_kept
            self.past_age = any(e.time is not None and e.time < oldest_kept for e in entries)

    def say(self) -> None:
        if self.past_age:
            print(f"logview: {self.retention.not_kept_words('written')}", file=sys.stderr)
        most = self.retention.max_entries
        if most is not None and self.written > most:
            print(f"logview: {self.written:,} entries written, but the config's archive_max_entries keeps {most:,} of "
                  "a source: the archive drops the older ones, so the next run fetches them again.", file=sys.stderr)
