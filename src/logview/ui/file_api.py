"""`r` over a file that the other API's export (or a merged tab's save) replaced on disk.

The viewer is made for one API: its columns, its detail, its status choices and filters. `r` read the
new file under the API told at launch, every line of it an invalid entry under the old columns (s29).
Each `r` over a file now tells its API again (`api_now`, as a launch tells it: `jsonl.detect_kind`);
where it changed, the viewer posts `FileApiChanged` and the app makes the viewer again for the file,
as a launch would (`LogViewApp`), keeping the filters that mean the same for any API. A file that
no API's export is now (a JSON array, a CSV, compressed …) was read under the old API all the same,
every row invalid (found by a tester): it is refused, in the words a launch refuses it with
(`FileRefused`), the rows read before kept.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from textual.message import Message

from logview.files.jsonl import API_NAMES, FileKind, UnknownFileFormat, detect_kind
from logview.model import Filters

if TYPE_CHECKING:
    from logview.ui.feed import Feed
    from logview.ui.widgets.error_banner import ErrorBanner


class FileScreen(Protocol):
    """A viewer of a file (plain or mixed), as `r` over it needs it."""

    banner: ErrorBanner
    feed: Feed

    def notify(self, message: str, **kwargs: Any) -> None: ...

    def post_message(self, message: Message) -> bool: ...


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

    def act(self, screen: FileScreen, *, slot: str) -> None:
        """The app makes the viewer again for the file (`LogViewApp`)."""
        screen.post_message(self)


class FileRefused:
    """The file at `path` is now one that `--file` refuses (`why`: the launch's words, which say what
    makes JSONL of it): `r` leaves the rows read before on screen and says why on the banner."""

    def __init__(self, path: Path, why: str) -> None:
        self.path, self.why = path, why

    def act(self, screen: FileScreen, *, slot: str) -> None:
        """Said on the banner's `slot`, where the screen says the file's change: the file watch's word of
        the change, if not yet said, is taken now, lest its next look put it in the refusal's place."""
        if (watch := screen.feed.file_watch) is not None:
            watch.news()
        screen.banner.show_notice(f"{self.why}. The rows shown are those read before it changed; r reads it again "
                                  "once it is JSON Lines", slot=slot)
        screen.notify(f"{self.path.name} was not read again: the banner says why.", timeout=4, markup=False)


def api_now(path: Path, kind: FileKind) -> FileKind | FileRefused | None:
    """What the file at `path` holds now where it is no longer what it was read as (`kind`): another
    API's entries, or a file a launch would refuse (a JSON array: `FileRefused`). None where it is
    still `kind`'s (a file of both APIs read as one of them, as `--source` picked, included), or
    where it cannot be read (gone: the reading says so, as it did)."""
    try:
        if detect_kind(path, None if kind == "mixed" else kind) == kind:
            return None
    except (UnknownFileFormat, OSError):
        pass  # (not `kind`'s any more, or nothing can be told: asked without it next)
    try:
        found = detect_kind(path)
    except UnknownFileFormat as refused:
        return FileRefused(path, str(refused))
    except OSError:
        return None
    return found if found != kind else None


def file_now(path: Path | None, kind: FileKind | None, filters: Filters) -> FileApiChanged | FileRefused | None:
    """What a viewer of the file at `path` (read as `kind`) does at `r` (`act`) other than read it
    again: make the viewer again for another API's file, or say why the file is refused; None for
    any other viewer, or a file whose API is the same."""
    if path is None or kind is None or (found := api_now(path, kind)) is None:
        return None
    if isinstance(found, FileRefused):
        return found
    kept = Filters(since=filters.since, until=filters.until, since_text=filters.since_text,
                   until_text=filters.until_text, search=filters.search)  # (the same for either API's entries)
    return FileApiChanged(path, found, kept, dropped=kept != filters)
