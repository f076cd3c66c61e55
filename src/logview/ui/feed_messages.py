"""What the feed's workers report, each stamped with the *generation* of the query it belongs to.

They are the `Feed`'s messages (`Feed.Loaded` …, handled as `on_feed_loaded` …), kept here so that
the workers composed by the feed (`file_reading.py`) can post them without importing the feed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.message import Message

from logview.api.events import BackfillDone, Notice
from logview.api.types import RetryEvent
from logview.files.columns import ColumnChunk
from logview.files.lines import LineChunk
from logview.model import ApiError, LogEntry
from logview.store import ViewChange
from logview.store.archived import RawReader

if TYPE_CHECKING:  # (a file's session never loads the archive, nor sqlite)
    from logview.archive.archiving import Handing, Word
    from logview.archive.sync import ArchivedRows


class Loaded(Message, namespace="feed"):
    """Entries of a backfill (pages posted together, see `gathering.py`) or of a tail cycle
    (`live`); or archived rows as columns (`rows`, with no `entries`). `head`: the backfill's own
    live batch, what is newer than the archive (on top, but in the backfill's count: `total`).
    `handed`: where each batch handed to the archive begins among `entries`, and its handing
    (`HeldEntries.bind`)."""

    def __init__(self, generation: int, entries: Sequence[LogEntry], *, live: bool, pages: int,
                 total: int | None, archived: int = 0, rows: ArchivedRows | None = None,
                 head: bool = False) -> None:
        super().__init__()
        self.head = head
        self.archived = archived  # how many of the query's entries came from the archive
        self.rows = rows
        self.generation, self.entries, self.live = generation, entries, live
        self.pages, self.total = pages, total
        self.handed: list[tuple[int, Handing]] = []
        self.change = ViewChange()  # set once the session has taken it


class EntriesArchived(Message, namespace="feed"):
    """The archive holds these fetched entries now (`words`: each transaction's pages and their
    rowids, in the order said; in `reader`): the store lets go of them (`EntryStore.archived`). The
    feed's own: it goes no further, unless rows holding an id's older answer went (`change`), for
    the screen to redraw."""

    def __init__(self, generation: int, word: Word, reader: RawReader) -> None:
        super().__init__()
        self.generation, self.reader = generation, reader
        self.words: list[Word] = [word]
        self.change = ViewChange()  # set once the session has taken it


def merge_archived(last: Message, word: EntriesArchived) -> bool:
    """Take `word` into `last` if it is the archive's word on entries of the same query and archive,
    still waiting to be posted: the store then finds the rows of many pages in one pass (~100 words
    per 100k entries came in ~4 bursts, each word a scan of every row held). The words are kept
    apart, in order, and taken as in turn (`HeldEntries.archived`)."""
    if not isinstance(last, EntriesArchived) or last.generation != word.generation or last.reader is not word.reader:
        return False
    last.words += word.words
    return True


class LinesFound(Message, namespace="feed"):
    """A file's next lines were indexed (rows to show; columns come later). `chunk` is let go once taken."""

    def __init__(self, generation: int, chunk: LineChunk) -> None:
        super().__init__()
        self.generation, self.chunk = generation, chunk
        self.change = ViewChange()


class ColumnsRead(Message, namespace="feed"):
    """Filter columns for the next rows of a file, as read, in order (`chunks`: None once they
    are in the store). Not joined into one: the join copied them all while the reader held them."""

    def __init__(self, generation: int, chunks: list[ColumnChunk]) -> None:
        super().__init__()
        self.generation, self.chunks = generation, chunks
        self.rows = sum(map(len, chunks))
        self.change = ViewChange()


class Retrying(Message, namespace="feed"):
    """A request will be retried: the banner counts it down under `context` (what it is for)."""

    def __init__(self, generation: int, event: RetryEvent, *, live: bool, context: str | None = None) -> None:
        super().__init__()
        self.generation, self.event, self.live = generation, event, live
        self.context = context or ("live tail" if live else "loading")


class Noticed(Message, namespace="feed"):
    def __init__(self, generation: int, notice: Notice) -> None:
        super().__init__()
        self.generation, self.notice = generation, notice


class Finished(Message, namespace="feed"):
    """`lines`: a file truncated while it was read keeps its first `lines` rows (those still whole in it)."""

    def __init__(self, generation: int, done: BackfillDone, lines: int | None = None) -> None:
        super().__init__()
        self.generation, self.done, self.lines = generation, done, lines
        self.change = ViewChange()


class ArchiveCaughtUp(Message, namespace="feed"):
    """A backfill said done before its last pages were archived (`PageArchiving.ending`): they are now."""

    def __init__(self, generation: int) -> None:
        super().__init__()
        self.generation = generation


class Failed(Message, namespace="feed"):
    def __init__(self, generation: int, error: ApiError, gave_up: str | None) -> None:
        super().__init__()
        self.generation, self.error, self.gave_up = generation, error, gave_up


class TailFailed(Message, namespace="feed"):
    def __init__(self, generation: int, error: ApiError, next_poll_s: float | None) -> None:
        super().__init__()  # (`next_poll_s` None: the tail stopped, the server having broken its contract)
        self.generation, self.error, self.next_poll_s = generation, error, next_poll_s
