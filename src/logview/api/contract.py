"""What the pager checks of every page: the parts of each API's contract a client can check.

A server can break its contract in ways no status code shows: entries at or after the `before`
cursor they were asked for, the same page for every offset, `total`/`has_more`/`returned` that
disagree with what arrives, pages out of time order. The pager asks a `StreamContract` (one per
request stream) about each page before taking its entries, and it answers three things:

- which entries are admitted, newest first (a page out of order within itself is sorted, and said);
- whether the page shows the server ignoring where it was asked to start; a few such pages in a
  row stop the stream with `ContractBroken` (an `ApiFailure`: `export` exits 3, the viewer shows
  it in its banner; a live tail stops), so a broken server is never paged forever;
- what was wrong but could be corrected, said once at the end of the stream (`summary`).

What an honest server sends passes untouched: every check holds for it, so the result stays exact.
"""

from __future__ import annotations

from collections import Counter, deque
from itertools import repeat
from collections.abc import Callable, Sequence
from datetime import datetime

import msgspec

from logview.api.page_order import newest_first, what_was_wrong
from logview.model import ApiError, ApiFailure, LogEntry, Page, counted
from logview.sources.base import ONE_MILLISECOND, Cursor, Source
from logview.sources.page_columns import columns_of, oldest_time
from logview.times import format_api_time, parse_api_time

# Pages in a row that show the server ignoring its cursor (or its offset, or time order) before
# the stream stops: one could be a coincidence, three are not.
CONTRACT_STRIKES = 3
CONTRACT_BROKEN = "CONTRACT_BROKEN"
# How many recent ids a stream remembers for de-duplication. Repeats only happen near a page
# boundary (tie groups, offsets shifted by inserts), so a window many pages deep is exact without
# holding every id of an unlimited export in memory.
RECENT_IDS = 20_000
# What was done with an Aitronos page's entries newer than ones sent before them: kept in the order
# they came, which is true where entries are written as they arrive (`export`, its lines in arrival
# order). A reader that shows every entry newest first (the viewer's table) says instead that they
# were sorted into place (`in_time_order`): the viewer said "kept where they came" of rows its
# table had sorted (s22 walk #4).
KEPT_WHERE_THEY_CAME = "kept where they came"
SORTED_INTO_PLACE = "sorted newest first"


class ContractBroken(ApiFailure):
    """The server broke its contract so that paging cannot go on; the message names how, not what
    stopped (a backfill, export's paging, a live tail: each reader says it in its own words)."""

    def __init__(self, message: str, detail: str | None = None) -> None:
        super().__init__(ApiError(code=CONTRACT_BROKEN, message=message, detail=detail))

    def describe(self) -> str:
        return f"{self.error.message}; paging stopped"  # what was corrected before is the error's detail


def contract_broken(error: ApiError) -> bool:
    """Whether `error` is logview's own verdict on a server that broke its contract (no code the server sent)."""
    return error.code == CONTRACT_BROKEN


class RecentIds:
    """A set that remembers only the most recent `capacity` ids."""

    def __init__(self, capacity: int = RECENT_IDS) -> None:
        self._capacity = capacity
        self._order: deque[str] = deque()
        self._members: set[str] = set()

    def add(self, entry_id: str) -> bool:
        """Remember `entry_id`; False when it was already there (a repeat)."""
        if entry_id in self._members:
            return False
        self._members.add(entry_id)
        self._order.append(entry_id)
        if len(self._order) > self._capacity:
            self._members.discard(self._order.popleft())
        return True

    def take_new(self, entries: Sequence[LogEntry]) -> Sequence[LogEntry]:
        """The entries whose ids are new, each remembered (a page's ids are distinct already:
        `newest_first` saw to it). Set operations for the usual page of nothing but new ids."""
        columns = columns_of(entries)  # (a typed page's: its ids are a column already)
        ids = [entry.id for entry in entries] if columns is None else columns.ids
        if len(set(ids)) != len(ids):
            return [entry for entry in entries if self.add(entry.id)]
        members = self._members
        if members.isdisjoint(ids):
            fresh = list(entries) if columns is None else entries.copy()  # type: ignore[attr-defined]
        elif columns is not None:  # (a page boundary repeats a few: the rest kept, the columns with them)
            fresh = entries.without(list(map(members.__contains__, ids)))  # type: ignore[attr-defined]
            ids = fresh.columns.ids
        else:
            fresh = [entry for entry in entries if entry.id not in members]
            ids = [entry.id for entry in fresh]
        members.update(ids)
        order = self._order
        order.extend(ids)
        excess = len(order) - self._capacity
        if excess > 0:  # (the oldest let go, in C)
            members.difference_update(list(map(deque.popleft, repeat(order, excess))))
        return fresh

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self._members


Problems = Counter[tuple[str, str, str]]  # (what, noun, plural) → how many (`StreamContract.problems`)


class Checked(msgspec.Struct):
    """A page as the contract admits it: `entries` newest first; `ignored`: the page shows the
    server ignoring where it was asked to start (the pager strikes, and goes on from the cursor
    `next_cursor` gives, unless that was the third strike)."""

    entries: Sequence[LogEntry]
    ignored: bool = False


class StreamContract(msgspec.Struct):
    """The checks common to every API, for one request stream. `seen(id)`: whether the stream
    has already taken an entry with that id."""

    source: Source
    seen: Callable[[str], bool]
    floor: datetime | None = None  # the oldest time taken so far
    strikes: int = 0
    received: int = 0  # entries the pages held
    problems: Problems = msgspec.field(default_factory=Counter)  # (what, noun, plural) → how many
    # Pages whose times broke the contract (out of order, outside their cursor, repeated): what
    # such a page seems to cover proves nothing, and the archive records no span from it on.
    doubts: int = 0
    confirming: bool = False  # past a short page (the end, by the contract): the next page tells whether it was

    def check(self, page: Page, cursor: Cursor) -> Checked:
        return Checked(self.in_order(page))

    def in_order(self, page: Page) -> Sequence[LogEntry]:
        """The page's entries newest first; a page that came otherwise is said, and doubted."""
        ordered = newest_first(page.entries)
        if ordered is not page.entries and (len(ordered) != len(page.entries)
                                            or any(a is not b for a, b in zip(ordered, page.entries))):
            self.note(what_was_wrong(page.entries, ordered), 1, "page", "pages", doubt=True)
        return ordered

    def took(self, fresh: Sequence[LogEntry]) -> None:
        """The entries the stream took from the last page (new ids, in contract)."""
        columns = columns_of(fresh)  # (a typed page's: every entry timed)
        times = [e.time for e in fresh if e.time is not None] if columns is None else columns.times
        if times:
            oldest = min(times)
            self.floor = oldest if self.floor is None else min(self.floor, oldest)

    def next_cursor(self, page: Page, checked: Checked, cursor: Cursor) -> Cursor | None:
        return self.source.next_cursor(page, cursor)

    def strike(self, cursor: Cursor) -> None:
        """One more page in a row showing the server ignoring its cursor: the last one allowed
        raises `ContractBroken`."""
        self.strikes += 1
        self.doubts += 1
        if self.strikes >= CONTRACT_STRIKES:
            raise ContractBroken(self.ignored_message(cursor), self._corrected())

    def ignored_message(self, cursor: Cursor) -> str:
        return f"the server ignored the cursor {cursor!r}: {CONTRACT_STRIKES} pages in a row brought nothing new"

    def note(self, problem: str, times: int = 1, noun: str = "entry", plural: str = "entries", *,
             doubt: bool = False) -> None:
        """Count `times` entries (or pages: `noun`) of what `problem` says was wrong with them.
        `doubt`: a problem of time or order (see `doubts`)."""
        if times:
            self.doubts += doubt
            key = (problem, noun, plural)
            self.problems[key] += times

    def _corrected(self) -> str | None:
        return corrections(self.problems)

    def summary(self) -> str | None:
        """At the stream's natural end: what the server got wrong that paging corrected, or
        None for an honest server."""
        return broken_contract_words(self.problems)


def corrections(problems: Problems) -> str | None:
    """What `problems` counts, in words (None: nothing)."""
    if not problems:
        return None
    return "; ".join(f"{counted(times, noun, plural)} {problem}".strip() if noun else problem
                     for (problem, noun, plural), times in problems.items())


def broken_contract_words(problems: Problems) -> str | None:
    """What `problems` counts, as a stream's end says it (None: nothing)."""
    corrected = corrections(problems)
    return None if corrected is None else f"the server broke its contract: {corrected}"


class TimeCursorContract(StreamContract):
    """Supermetrics: `before` pages back in time. An entry at or after the `before` it was asked
    with, or newer than entries already taken, is out of contract: an honest server sent it on an
    earlier page (a repeat) or never should have. It is left out, so what is taken stays newest
    first; the cursor never moves forward; a page with nothing older than its cursor is a strike.
    Entries at exactly `before` show an inclusive server, which the API leaves open: they are in
    contract, and the next cursor is then the oldest time itself (just past it would bring the
    group a millisecond newer back again)."""

    at_or_after: int = 0  # entries at or after their cursor in the pages struck so far
    inclusive: bool = False  # the server sent entries at exactly `before`: it reads it as "at or before"
    refused: RecentIds = msgspec.field(default_factory=RecentIds)  # entries left out (a page boundary repeats some)
    fresh: int = 0  # new entries the last page brought
    cuts_short: bool = False  # the server sent a page shorter than asked before the end of the data
    at_the_group: str | None = None  # the cursor at a short page's oldest time, when the page past it brings only it

    def check(self, page: Page, cursor: Cursor) -> Checked:
        ordered = self.in_order(page)
        before = parse_api_time(cursor) if isinstance(cursor, str) else None
        if before is None:
            return Checked(ordered)
        floor, seen = self.floor, self.seen
        columns = columns_of(ordered)  # (a typed page's: every entry timed)
        newest = next((e.time for e in ordered if e.time is not None), None) if columns is None else \
            next(iter(columns.times), None)
        if newest is None or (newest < before and (floor is None or newest <= floor)):
            # The honest page (the usual one): every entry older than its cursor and the floor.
            self.strikes = self.at_or_after = 0
            return Checked(ordered)
        self.inclusive = self.inclusive or any(e.time == before for e in ordered)
        inclusive = self.inclusive
        admitted: list[LogEntry] = []
        older = after = newer = beyond = 0  # older: new entries in contract
        for entry in ordered:
            moment = entry.time
            if moment is None or ((moment < before or (inclusive and moment == before))
                                  and (floor is None or moment <= floor)):
                admitted.append(entry)
                older += moment is not None and not seen(entry.id)
            elif moment >= before:
                beyond += moment > before or not seen(entry.id)  # (a repeat at `before`: inclusive)
                after += not seen(entry.id) and self.refused.add(entry.id)
            elif not seen(entry.id) and self.refused.add(entry.id):
                newer += 1
        self.note("at or after the `before` cursor they were asked with, left out", after, doubt=True)
        self.note("newer than entries sent before them, left out", newer, doubt=True)
        # An honest server never sends what is after `before`: with nothing new and older, the
        # page is the server ignoring the cursor (repeats at `before` are an inclusive server).
        ignored = older == 0 and beyond > 0
        if ignored:
            self.at_or_after += beyond
        else:
            self.strikes = self.at_or_after = 0
        return Checked(admitted, ignored)

    def took(self, fresh: Sequence[LogEntry]) -> None:
        self.fresh = len(fresh)
        super().took(fresh)

    def next_cursor(self, page: Page, checked: Checked, cursor: Cursor) -> Cursor | None:
        short = len(page.entries) < self.source.page_limit
        if self.confirming:
            self.confirming, at_the_group = False, self.at_the_group
            self.at_the_group = None
            if not self.fresh and short and at_the_group is not None:
                # Its oldest time's group again and nothing older, from a server that cuts its pages: the
                # cut may have hidden what is older; a cursor at that time tells
                self.confirming = True
                return at_the_group
            if not self.fresh and short:
                return None  # nothing older: the short page was the end
            self.cuts_short = True
            self.note("shorter than asked before the end of the data (paging went on; some entries of the time a page "
                      "was cut at may be missing)", 1, "page", "pages",
                      doubt=True)  # (the first cut inside a tie group hides the group's rest: the archive trusts none)
        following = self.source.next_cursor(page, cursor)
        oldest = oldest_time(page.entries)
        if following is None and self.fresh and short and (admitted := oldest_time(checked.entries)) is not None:
            # A short page ends the data by the contract, but a server with a bug may send one
            # mid-stream, and the archive would hold all that is older as fetched, for good (s30
            # walk): one request more tells, as an honest server has nothing older.
            self.confirming = True
            following = format_api_time(admitted)
            if self.cuts_short:  # (from just past its oldest time, as after a full page: a cut inside a tie group
                # hid the group's rest, 66 of 5,008 entries in a walk; then at that time, if need be)
                self.at_the_group = format_api_time(admitted - ONE_MILLISECOND) if self.inclusive else following
                following = format_api_time(admitted + ONE_MILLISECOND)
        if following is not None and self.inclusive and oldest is not None and oldest.microsecond % 1000 == 0:
            # Just past the oldest time asks an inclusive server for the group a millisecond newer
            # again; the oldest time itself brings the oldest group back whole, and what is older.
            following = format_api_time(oldest)
        if following is None or not isinstance(cursor, str):
            return following
        before, after = parse_api_time(cursor), parse_api_time(following)
        if before is not None and after is not None and after > before:
            return cursor  # the cursor never moves forward
        return following

    def ignored_message(self, cursor: Cursor) -> str:
        asked = parse_api_time(cursor) if isinstance(cursor, str) else None
        where = format_api_time(asked) if asked is not None else str(cursor)
        return (f"the server ignored the before cursor: {CONTRACT_STRIKES} pages in a row asked for entries "
                f"before {where} and brought none older ({counted(self.at_or_after)} at or after it)")


class OffsetContract(StreamContract):
    """Aitronos: `offset` pages through a pinned range newest first; `total`, `has_more` and
    `returned` describe it. Every entry within the range the server counted is kept (entries
    newer than ones sent before them too: said to be out of order, kept where they came, or
    sorted into place by a reader that sorts: `in_time_order`).
    `returned`, `total` and `has_more` that disagree with what arrives are corrected: paging goes
    on while either says more, until a page brings nothing. Strikes: a page of nothing but
    entries already taken (the offset ignored); beyond the total (or without one), a page of
    nothing but entries newer than every one taken before (not a page of this range at all)."""

    total: int | None = None  # the latest page's
    disorder: int = 0  # pages in a row, beyond the total, of entries newer than everything taken
    beyond_total: bool = False  # the page asked for lies past what `total` counted
    # A tail's range has no end (`open_top`): what arrives while it pages comes on top, newer than
    # the first page's newest (`top`), and moves every offset down by as many. Later pages then
    # bring some of it, newer than what was taken, and a page moved down by a page or more holds
    # only entries taken already: both honest, neither doubted nor struck (the latter still goes
    # on to the next offset: the entries below it are yet to come). A tail waiting 11 s for the
    # budget at 80 entries a second had its cycle, and the next, claim nothing (s18 W4). Moved down
    # by what arrived since the page before, not since the first: counted from the first, a burst
    # early in a cycle excused every repeat after it, and a tail over a server ignoring its offset
    # asked for the same page for good, its cycle never ending, "● live" and no row (s30).
    open_top: bool = False
    top: datetime | None = None
    moved_down: bool = False  # the last page repeated only because arrivals moved the offsets

    def check(self, page: Page, cursor: Cursor) -> Checked:
        ordered = self.in_order(page)
        self.received += len(page.entries)
        if page.returned is not None and page.returned != len(page.entries):
            self.note("whose `returned` disagreed with the entries they held (the entries were counted)", 1,
                      "page", "pages")
        if self.open_top and self.top is None:
            self.top = next((e.time for e in ordered if e.time is not None), None)
        before = self.total  # (the page before's: what arrived since is the total's growth)
        if page.total is not None:  # the latest: entries may arrive late within the pinned range, honestly
            self.total = page.total
        self.beyond_total = self.total is None or (isinstance(cursor, int) and cursor >= self.total)
        repeated = bool(ordered) and isinstance(cursor, int) and cursor > 0 and all(self.seen(e.id) for e in ordered)
        arrived = 0 if before is None or page.total is None else page.total - before
        self.moved_down = repeated and self.open_top and arrived >= len(ordered)
        if not repeated:
            self.strikes = 0
        return Checked(ordered, repeated)

    def took(self, fresh: Sequence[LogEntry]) -> None:
        floor = self.floor
        times = [e.time for e in fresh if e.time is not None]
        top = self.top if self.open_top else None
        newer = sum(1 for t in times if floor is not None and t > floor and (top is None or t < top))
        self.note(f"newer than entries sent before them, {KEPT_WHERE_THEY_CAME}", newer, doubt=True)
        if times and newer == len(times) and self.beyond_total:
            self.disorder += 1
            if self.disorder >= CONTRACT_STRIKES:
                past = "past its total " if self.total is not None else ""
                raise ContractBroken(
                    f"the server's pages are not newest first: {CONTRACT_STRIKES} pages in a row {past}brought "
                    "only entries newer than ones it had sent before", self._corrected())
        elif times:
            self.disorder = 0
        super().took(fresh)

    def strike(self, cursor: Cursor) -> None:
        if not self.moved_down:
            super().strike(cursor)

    def next_cursor(self, page: Page, checked: Checked, cursor: Cursor) -> Cursor | None:
        assert isinstance(cursor, int)
        # By the page's distinct entries, at most the limit: a repeat may be no row of the server's,
        # and stepping past it skipped an entry (s30 walk). Too short a step only repeats entries.
        count = len({entry.id for entry in page.entries})
        if len(page.entries) > self.source.page_limit:
            self.note("holding more entries than the limit asked (the offset moved by the limit)", 1,
                      "page", "pages")
            count = min(count, self.source.page_limit)
        by_total = None if self.total is None else cursor + count < self.total
        if count == 0:
            if page.has_more or by_total:
                self.note("empty where `total` or `has_more` promised more", 1, "page", "pages")
            return None
        if page.has_more is None and by_total is None:
            return cursor + count if count >= self.source.page_limit else None
        if page.has_more is not None and by_total is not None and page.has_more != by_total:
            self.note("whose `has_more` disagreed with `total` (paging went on while either said more)", 1,
                      "page", "pages")
        return cursor + count if (page.has_more or by_total) else None

    def ignored_message(self, cursor: Cursor) -> str:
        return (f"the server ignored the offset: {CONTRACT_STRIKES} pages in a row, the last at offset {cursor}, "
                "repeated entries it had already sent")

    def summary(self) -> str | None:
        if self.total is not None and self.received != self.total:
            self.note(f"`total` said {counted(self.total)}, {counted(self.received)} came", 1, "")
        return super().summary()


def in_time_order(words: str) -> str:
    """A contract's words (a summary, or what `ContractBroken` corrected before it) as said by a
    reader that puts every entry in time order, whatever order they came in."""
    return words.replace(KEPT_WHERE_THEY_CAME, SORTED_INTO_PLACE)


def stream_contract(source: Source, seen: Callable[[str], bool], *, open_top: bool = False) -> StreamContract:
    """The checks for one request stream of `source`; `open_top`: a range without an end (the tail's)."""
    if source.kind == "supermetrics":
        return TimeCursorContract(source, seen)
    if source.kind == "aitronos":
        return OffsetContract(source, seen, open_top=open_top)
    return StreamContract(source, seen)
