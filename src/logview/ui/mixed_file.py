"""A mixed file (saved from the merged tab: an envelope per line) opened as the merged timeline.

The file is read in a worker: one store per source, merged as the merged tab merges its tabs. The
stores keep each line's columns and place; an entry is read back from its line when it is shown,
copied, saved or searched (`files.mixed.EnvelopeLines`), as archived entries are. The source
column, the Source filter, stats by source and statuses by severity come with that; `s` writes
envelopes again and `r` reads the file again, keeping the rows on screen until the new ones are in.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual import work
from textual.worker import get_current_worker

from logview.files.mixed import EnvelopeLines, TimelineGroups, iter_envelope_lines
from logview.model import ApiError
from logview.sources.mixed import MixedSource
from logview.store import EntryStore
from logview.ui.bulk_gc import bulk_collection
from logview.ui.file_reading import file_error, unexpected_error
from logview.ui.merged import MergedScreen


class MixedFileViewer(MergedScreen):
    """The merged timeline of one mixed file."""

    def __init__(self, path: Path, *, max_entries: int | None = None, **kwargs: Any) -> None:
        self.parts: list[tuple[str, EntryStore]] = []
        super().__init__(lambda: self.parts, label=f"file {path.name}", **kwargs)
        self.path, self.max_entries = path, max_entries

    def start(self) -> None:
        super().start()
        self.action_reload()

    def action_reload(self) -> None:
        self.session.phase, self.session.file_scanned = "loading", 0.0
        self._read_file()
        self.refresh_all()

    def action_choose_connector(self) -> None:
        self.notify("A file holds what its sources read: no connector to choose.", timeout=3)

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

            parts = read_parts(self.path, self.max_entries, progress, lambda: worker.is_cancelled)
            if parts is None:  # `r` again: a newer read has started
                return
        except OSError as error:
            outcome: list[tuple[str, EntryStore]] | ApiError = file_error(self.path, error)
        except Exception as error:  # a bug: say so in the banner rather than load forever
            outcome = unexpected_error(error)
        else:
            outcome = parts
        if not worker.is_cancelled:
            self.app.call_from_thread(self._file_read, outcome)

    def _reading(self, fraction: float) -> None:
        self.session.file_scanned = fraction
        self.refresh_status()

    def _file_read(self, outcome: list[tuple[str, EntryStore]] | ApiError) -> None:
        if not self.table.is_attached:
            return
        if isinstance(outcome, ApiError):
            self.session.phase = "error"
            self.banner.show_failure(outcome, context="reading the file", hint="r reads it again")
            self.refresh_all()
            return
        self.parts = outcome
        self.session.phase = "complete"
        self.banner.clear("error")
        self.merge_now(force=True)


def read_parts(path: Path, max_entries: int | None, progress: Callable[[int], None],
               cancelled: Callable[[], bool]) -> list[tuple[str, EntryStore]] | None:
    """The merged timeline's parts of a mixed file: a store per source, in the file's order of
    sources (`TimelineGroups`); None if `cancelled` before the end. Each store keeps its rows'
    columns and their lines' places: an entry is read back from its line when it is shown."""
    groups = TimelineGroups(max_entries)
    readers = EnvelopeLines.of_file(path)  # (before reading: the file as read)
    stores: dict[str, EntryStore] = {}
    with bulk_collection():  # (each batch's entries are freed by reference counting)
        for batch in iter_envelope_lines(path, on_bytes=progress):
            if cancelled():
                return None
            shares, more = groups.add(batch)
            for label, share in shares.items():
                store = stores.get(label)
                if store is None:
                    store = stores[label] = EntryStore(MixedSource())
                store.append(share.entries, ([readers.get(api) for api in share.apis], share.places), settle=False)
            if not more:
                break
    for store in stores.values():
        store.settle()  # (once: a file written oldest first is sorted once, not a batch at a time)
    return [(label, stores[label]) for label in groups.order()]
