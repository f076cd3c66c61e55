"""A file that mixes both APIs (`cat` of two exports) is read as the API most of its entries are
(or as --source says), and the other's lines are its invalid rows: once it is read, the banner says how many (25 of
51 rows read "invalid entry: created_at: Field required" and nothing said why, s26 walk #2).

Only the invalid rows' lines are read again, in a thread: a file of one API has few or none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from logview.files.jsonl import API_NAMES, mix_words, other_api_lines, other_half_words
from logview.sanitize import clean_line

if TYPE_CHECKING:
    from pathlib import Path

    from textual.screen import Screen

    from logview.store.entries import EntryStore
    from logview.ui.widgets.error_banner import ErrorBanner

# The invalid rows looked at (a million-line file half of the other API: ~1 s of a thread);
# beyond, the banner says "at least".
MOST_LOOKED_AT = 200_000


class ApiMixNote:
    """Says once, on a file viewer's banner, how many of its rows are the other API's entries."""

    def __init__(self, viewer: Screen, banner: ErrorBanner) -> None:
        self.viewer, self.banner = viewer, banner

    def file_read(self, path: Path | None, kind: str, store: EntryStore) -> None:
        """Once a file is read (again, after `r`): its rows counted in a thread."""
        if path is None or kind not in API_NAMES or store.lines is None:
            return
        count = len(store)
        frozen = store.frozen_columns(("start", "length"))
        # (not `np.arange(count)` and a gather: right after the reading has given its pages back, a
        # million ordinals are 8 MB of fresh pages, faulted in at ~15 ms before the final counts' frame)
        invalid = np.flatnonzero(store.span("invalid", store.head, store.tail)) + store.head
        if not len(invalid):
            return
        starts, lengths = frozen.column("start", invalid), frozen.column("length", invalid)
        self.viewer.run_worker(lambda: self._count(path, kind, store, starts, lengths, count), thread=True,
                               group="api-mix", exit_on_error=False)

    def _count(self, path: Path, kind: str, store: EntryStore, starts: np.ndarray, lengths: np.ndarray,
               total: int) -> None:
        other = other_api_lines(store.lines, starts[:MOST_LOOKED_AT].tolist(), lengths[:MOST_LOOKED_AT].tolist(), kind)
        if other:
            beyond = " at least" if len(starts) > MOST_LOOKED_AT else ""
            words = mix_words(other, total, kind)  # type: ignore[arg-type]
            message = (f"{clean_line(path.name)}:{beyond} {words}; they are shown invalid (!): "
                       f"{other_half_words(kind)}")  # type: ignore[arg-type]
            self.viewer.app.call_from_thread(self.banner.show_notice, message, slot="notice")
