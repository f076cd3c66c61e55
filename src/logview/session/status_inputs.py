"""What the status line reads: a session's state (`SessionState`, `ViewerSession` has it all) and
what it waits for (`Waits`), apart from the words made of them (`status.py`); and how far a tab is
from whole (`SourceProgress`, made by `progress.py`)."""

from __future__ import annotations

from typing import Literal, NamedTuple, Protocol

import msgspec

from logview.api.types import BudgetState
from logview.model import Filters
from logview.store import EntryStore


class Trouble(msgspec.Struct, frozen=True):
    """What is wrong with a tab, or what the merged tab says of it: `kind` picks what the merged tab does
    (a tab `failed` or `same_as` an earlier one is left out of it; one `retrying` or whose tail is
    `tail_failing` makes it retry; a `tail_stopped`, `tail_unanswered` or `shares` tab is merged and
    said), `words` say it in full (`retrying (HTTP 503) in ~20m`, `shares 713 entries with aitb (shown
    once, as aitb)`), `brief` in fewer (`713 shared with aitb`, `no answer for 12 s`), `wait` a retry's
    wait of minutes (`20m`)."""

    kind: Literal["failed", "retrying", "tail_failing", "tail_stopped", "tail_unanswered", "same_as", "shares"]
    words: str
    brief: str = ""
    wait: str = ""

    def __str__(self) -> str:
        return self.words

    @property
    def fewer(self) -> str:
        return self.brief or self.words


class SourceProgress(NamedTuple):
    """How far a tab is from whole, as the merged tab and a save's note say it: in words
    (`loading 1,998 of 5,153 (38%) · done in ~2m`), in fewer (`loading 38%`; paced: `next page ~8m`),
    in the fewest (`loading`; what holds it back where something does: `waits ~8m`, `no answer for
    12 s`), and its `state` in a word (`loading`, `stopped`, `no connector`)."""

    long: str
    short: str
    fewest: str
    state: str

    @property
    def held(self) -> bool:
        """Whether the fewest words say what holds the load back, not only that it loads."""
        return self.fewest != self.state


class SessionState(Protocol):
    """What the status line reads of a session (`ViewerSession` has it all)."""

    store: EntryStore
    filters: Filters
    phase: str
    pages: int
    capped: bool
    capped_older: bool | None
    want_tail: bool
    tail_paused: bool
    tail_stopped: str
    file_mode: bool
    merged: bool
    file_scanned: float
    max_entries: int | None
    interval_s: float
    source_troubles: dict[str, Trouble]
    source_loading: dict[str, SourceProgress]
    tails_live: tuple[int, int]
    from_archive: int
    searching: str | None
    credential_names: dict[str, str]

    @property
    def needs_connector(self) -> bool: ...

    @property
    def total(self) -> int | None: ...


class Waits(msgspec.Struct, frozen=True):
    """What is being waited for, with the banner's deadlines (so both count down in step)."""

    retry: tuple[str, float] | None = None  # a request being retried: (cause, seconds left)
    retry_is_tail: bool = False  # that request is a live tail's poll, not the load's (its rows are all there)
    tail_failing: tuple[str, float] | None = None  # the live tail's next try: (cause, seconds left)
    backfilling: bool = False  # a backfill (or a file's reading) is running
    # how long a request sent has had no answer, once that is long (`ApiClient.unanswered_s`): the
    # line said pages came, its estimate growing, for the 30 s of a read timeout (s22 walk #10)
    unanswered_s: float | None = None
    # whether a request is sent and not answered yet, however briefly: a retry whose wait is over
    # has sent its attempt (the line said "retrying now" for its first 5 s) or not (the budget holds it)
    sent: bool = False
    budget: BudgetState | None = None  # the API's request budget, shown when it binds
    backfill_eta_s: float | None = None  # when the budget lets the backfill finish
    # without that (Supermetrics counts no entries): when it lets the backfill's next page go, the
    # only time there is to give (a line saying only "…" for an hour hid that it went on at all)
    next_page_s: float | None = None
    # what is newer than the archive, while it is fetched: its pages and entries so far, the server's
    # count, "newer" (or "older": a hole between two stretches, s19 V3); "loading page 1 · 19,939 so far"
    head_filling: tuple[int, int, int | None, str] | None = None  # stood still for minutes (s18 W2)
    asked: str = ""  # what else is asked of the API besides logs: "a listing", "credential names"
    # the budget bound earlier in this load: still said while it loads ("backfill paced" between
    # its waits), else the line changed form at every window, the counts coming and going with it
    budget_held: bool = False
    archiving: bool = False  # every entry is loaded, the archive's writer still storing the last pages
    # bytes waiting for the archive's writer while the load waits for it (stopped or starved: `PageWriter.behind`)
    archive_behind: int | None = None
    other_logview: bool = False  # the load waits for another logview's fetch of its range (`archive/turns.py`)
    tail_idle: bool = False  # the time range shown has ended: the tail asks nothing (`Filters.ended_by`)
