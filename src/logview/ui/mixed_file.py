"""A mixed file (saved from the merged tab: an envelope per line) opened as the merged timeline.

The file is read in a worker (`mixed_parts.py`): one store per source, merged as the merged tab
merges its tabs, the rows read so far shown as they come. The stores keep each line's columns and place; an entry is read back from its
line when it is shown, copied, saved or searched (`files.mixed.EnvelopeLines`), as archived
entries are. The source column, the Source filter, stats by source and statuses by severity come
with that; `s` writes envelopes again and `r` reads the file again, keeping the rows on screen
until the new ones are in.
"""

from __future__ import annotations

import time
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from textual import events, work
from textual.worker import Worker, get_current_worker

from logview.files.watch import CHECK_EVERY_S, FileWatch, gone_words
from logview.model import ApiError
from logview.store import EntryStore
from logview.ui.file_api import file_now
from logview.ui.file_reading import file_error, unexpected_error
from logview.ui.loading import reading_again
from logview.ui.merged import MergedScreen
from logview.ui.mixed_parts import Parts, read_parts

# Keys pressed on the table while it is still empty, taken once the first rows are shown (an
# Enter waits in the table itself: `LogTable.enters_waiting`)
_WAITING_KEYS = {"G": "last", "end": "last"}


class MixedFileViewer(MergedScreen):
    """The merged timeline of one mixed file."""

    def __init__(self, path: Path, *, max_entries: int | None = None, **kwargs: Any) -> None:
        self.parts: list[tuple[str, EntryStore]] = []
        super().__init__(lambda: self.parts, label=f"file {path.name}", **kwargs)
        self.path, self.max_entries = path, max_entries
        self.browser.chases_through_detail = True  # (a file: read within seconds)
        self._waiting: list[str] = []  # (the table's actions, see _WAITING_KEYS)
        # (every row turned `!` when the file changed on disk, the sidebar's counts unchanged and
        # no word of `r`: found in a walk)
        self._watch = self.feed.file_watch = FileWatch(path)  # (the feed's too: `s` over it is the viewer's own write)

    def start(self) -> None:
        super().start()
        self._read_again()
        self.set_interval(CHECK_EVERY_S, self._check_file)

    def action_reload(self) -> None:
        """r reads the file again, and says so as for a plain file (it said nothing, found in a walk);
        a file gone or unreadable says so on the banner instead, the rows kept. A file one API's
        export replaced is made a plain file's viewer (`file_api.py`), and one no longer JSONL is refused."""
        if (now := file_now(self.path, "mixed", self.filters)) is not None:
            now.act(self, slot="notice")
        elif self._watch.gone():  # (it said "FILE_ERROR cannot read …", its rows kept: found by a tester)
            if news := self._watch.news():  # (the banner says it, if its next look has not yet)
                self.banner.show_notice(news)
            self.notify(gone_words(self.path.name), timeout=5, markup=False)
        elif self._read_again():
            self.notify(reading_again(self.path.name), timeout=3, markup=False)

    def _read_again(self) -> bool:
        """Whether the file is there to read (the read says why not)."""
        self.session.phase, self.session.file_scanned = "loading", 0.0
        readable = self._watch.read()
        self.banner.clear("notice")
        self._read_file()
        self.refresh_all()
        return readable

    def _check_file(self) -> None:
        news = self._watch.news()
        if news is not None:
            self.banner.show_notice(news)

    def action_choose_connector(self) -> None:
        self.notify("A file holds what its sources read: no connector to choose.", timeout=3, markup=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_tail":
            return False  # (a file has no tail: not offered in the footer, as for --file)
        return super().check_action(action, parameters)

    @work(thread=True, exclusive=True, group="backfill", exit_on_error=False)
    def _read_file(self) -> None:
        worker = get_current_worker()
        try:
            size, told = max(1, self.path.stat().st_size), [0.0]

            def progress(read: int) -> None:  # (at most four times a second: each costs the screen a repaint)
                if time.monotonic() - told[0] >= 0.25 and not worker.is_cancelled:
                    told[0] = time.monotonic()
                    self.app.call_from_thread(self._reading, read / size)

            # (a first read shows its rows as they come; `r` keeps the rows on screen until the new ones are in)
            show = None if self.parts else partial(self._show_parts, worker)
            parts = read_parts(self.path, self.max_entries, progress, lambda: worker.is_cancelled, show)
            if parts is None:  # `r` again: a newer read has started
                return
        except OSError as error:
            outcome: Parts | ApiError = file_error(self.path, error)
        except Exception as error:  # a bug: say so in the banner rather than load forever
            outcome = unexpected_error(error)
        else:
            outcome = parts
        if not worker.is_cancelled:
            self.app.call_from_thread(self._file_read, outcome)

    def _show_parts(self, worker: Worker[None], parts: Parts) -> None:
        """From the reader: the parts read so far, merged while it waits (it writes to them)."""
        if not worker.is_cancelled:
            self.app.call_from_thread(self._parts_read, parts)

    def _parts_read(self, parts: Parts) -> None:
        if self.table.is_attached and self.session.phase == "loading":
            self.parts = parts
            self.merge_now(force=True)

    def merge_now(self, force: bool = False) -> None:
        """While the file is read, only when the reader says (it writes to the parts in between).
        G pressed meanwhile keeps going to the oldest row as rows come, as in --file; G and Enter
        pressed before the first rows take effect with them (they were dropped: found in a walk)."""
        if self.session.phase == "loading" and not force:
            return
        chasing = self.table.sticky_end
        super().merge_now(force)
        if chasing:
            self.table.action_last()
            if self.browser.shown("detail"):  # (with the rows: after the table's message it lagged 0.3-0.6 s)
                self.browser.show_detail()
        if self.table.new_rows:  # (rows read above the user's are the file, not a tail's news: no '+N new')
            self.table.new_rows = 0
            self.refresh_status()
        if self._waiting and len(self.view):
            for action in self._waiting:
                getattr(self.table, f"action_{action}")()
            self._waiting.clear()

    def on_key(self, event: events.Key) -> None:
        # (seen here before the table's own binding, which finds no row to act on yet)
        if (event.key in _WAITING_KEYS and self.focused is self.table and self.session.phase == "loading"
                and not len(self.view)):
            self._waiting.append(_WAITING_KEYS[event.key])

    def _reading(self, fraction: float) -> None:
        self.session.file_scanned = fraction
        self.refresh_status()
        self.sidebar.show_session(self.session)  # (its 'counting … N% to go' with the header's N% read)

    def _file_read(self, outcome: Parts | ApiError) -> None:
        if not self.table.is_attached:
            return
        if isinstance(outcome, ApiError):
            self.session.phase = "error"
            self.banner.show_failure(outcome, context="reading the file", hint="r reads it again")
            self.refresh_all()
            return
        place = self._place() if self.parts and self.parts != outcome else None  # (`r`: rows read before on screen)
        self.parts = outcome
        self.session.phase = "complete"
        self.banner.clear("error")
        self.merge_now(force=True)
        if place is not None:
            self._back_to(*place)

    def _place(self) -> tuple[int, dict, int] | None:
        """The entry selected as `r` read the file again, to select again among the rows read anew (it went
        back to the newest, as in --file: found in a walk): its line's place, its entry and its height on
        the screen; None at the newest row, or an entry not read back whole (the file rewritten)."""
        table, ordinal = self.table, self.table.cursor_ordinal
        if ordinal is None or table.at_top or (entry := self.store.entry(ordinal)).invalid is not None:
            return None
        rowid = int(self.store.column("rowid", np.array([ordinal]))[0])
        return rowid, entry.raw, table.cursor_height

    def _back_to(self, rowid: int, raw: dict, height: int) -> None:
        store, table = self.store, self.table
        for index in np.flatnonzero(store.span("rowid", store.head, store.tail) == rowid).tolist():
            ordinal = store.head + index
            if store.entry(ordinal).raw == raw and self.view.contains(ordinal):
                table.select_at_height(self.view.row_of(ordinal), height)
                table.count_above(0, round(table.scroll_y))  # (the rows above the screen are newer: `▲ N newer`)
                return

