"""A mixed file (saved from the merged tab: an envelope per line) opened as the merged timeline.

The file is read in a worker (`mixed_parts.py`): one store per source, merged as the merged tab
merges its tabs. The stores keep each line's columns and place; an entry is read back from its
line when it is shown, copied, saved or searched (`files.mixed.EnvelopeLines`), as archived
entries are. The source column, the Source filter, stats by source and statuses by severity come
with that; `s` writes envelopes again and `r` reads the file again, keeping the rows on screen
until the new ones are in.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from textual import work
from textual.worker import get_current_worker

from logview.model import ApiError
from logview.store import EntryStore
from logview.ui.file_reading import file_error, unexpected_error
from logview.ui.merged import MergedScreen
from logview.ui.mixed_parts import Parts, read_parts


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
            outcome: Parts | ApiError = file_error(self.path, error)
        except Exception as error:  # a bug: say so in the banner rather than load forever
            outcome = unexpected_error(error)
        else:
            outcome = parts
        if not worker.is_cancelled:
            self.app.call_from_thread(self._file_read, outcome)

    def _reading(self, fraction: float) -> None:
        self.session.file_scanned = fraction
        self.refresh_status()

    def _file_read(self, outcome: Parts | ApiError) -> None:
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

