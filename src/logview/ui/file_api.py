"""`r` over a file that the other API's export (or a merged tab's save) replaced on disk.

The viewer is made for one API: its columns, its detail, its status choices and filters. `r` read the
new file under the API told at launch, every line of it an invalid entry under the old columns (s29).
Each `r` over a file now tells its API again (`api_now`, as a launch tells it: `jsonl.detect_kind`);
where it changed, the viewer posts `FileApiChanged` and the app makes the viewer again for the file,
as a launch would (`LogViewApp`), keeping the filters that mean the same for any API.
"""

from __future__ import annotations

from pathlib import Path

from textual.message import Message

from logview.files.jsonl import API_NAMES, FileKind, UnknownFileFormat, detect_kind
from logview.model import Filters


class FileApiChanged(Message):
    """The file shown now holds `kind`'s entries (a merged tab's save: "mixed"): to be read as such,
    under `filters`."""

    def __init__(self, path: Path, kind: FileKind, filters: Filters, dropped: bool) -> None:
        super().__init__()
        self.path, self.kind, self.filters, self.dropped = path, kind, filters, dropped

    def words(self) -> str:
        """What the app says as it reads the file again (`dropped`: filters of the old API's left)."""
        holds = "a merged tab's save" if self.kind == "mixed" else f"an {API_NAMES[self.kind]} export" \
            if self.kind == "aitronos" else f"a {API_NAMES[self.kind]} export"
        left = "; of its filters only the time range and the search are kept" if self.dropped else ""
        return f"{self.path.name} is now {holds}: reading it again as one{left}."


def api_now(path: Path, kind: FileKind) -> FileKind | None:
    """What the file at `path` holds now where it is no longer what it was read as (`kind`), else
    None: still `kind`'s (a file of both APIs read as one of them, as `--source` picked, included),
    or nothing to tell from it (gone, empty, a CSV: the reading says so, as it did)."""
    try:
        if detect_kind(path, None if kind == "mixed" else kind) == kind:
            return None
    except (UnknownFileFormat, OSError):
        pass  # (not `kind`'s any more, or nothing can be told: asked without it next)
    try:
        found = detect_kind(path)
    except (UnknownFileFormat, OSError):
        return None
    return found if found != kind else None


def file_api_changed(path: Path | None, kind: FileKind | None, filters: Filters) -> FileApiChanged | None:
    """The message a viewer of the file at `path` (read as `kind`) posts at `r` where the file's API
    changed; None for any other viewer, or a file whose API is the same."""
    if path is None or kind is None or (found := api_now(path, kind)) is None:
        return None
    kept = Filters(since=filters.since, until=filters.until, since_text=filters.since_text,
                   until_text=filters.until_text, search=filters.search)  # (the same for either API's entries)
    return FileApiChanged(path, found, kept, dropped=kept != filters)
