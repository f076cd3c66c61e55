"""One page ahead: a backfill stream sends its next request before it checks and hands over the page at hand.

Without it the server sits idle while a page is checked and handed over, and the pager idles
while the server builds the next. Where the next cursor can be read from the parsed page before
the contract's checks (`predicted_cursor`: Supermetrics' `before` is just past the page's oldest
time; Aitronos' offset is the next page's unless `has_more` is false), that request goes out
first and the page is handed over while the server works.

The prediction is a guess; the pager's own decision (`contract.py` checks the page first) is what
counts. The prefetched request is used only for exactly the cursor the pager then asks for;
otherwise it is cancelled and never read, and the stream stops guessing (a server that breaks the
contract, or a guess that fails, costs at most one request). So:

- a page is never requested twice: a guess equal to the cursor at hand is no guess;
- a page that turns out broken stops the stream as before, its prefetched successor discarded
  unseen (the stream's `close`);
- no more requests are made than without prefetching (tests/test_prefetch_requests.py): no guess
  from a page that may reach the cap (`room`, an archived pager's too) or the range's start, that
  does not parse, while the budget binds, nor from merged streams under a cap. What a body cannot
  show may still cost one: the user quitting or changing the query while a page is handed over,
  or a server whose pages bring nothing new until the pager gives up (`MAX_BARREN_PAGES`);
- one request at most is ahead: an answer that arrives before its page is asked for waits, unparsed,
  until it is (its own guess, the request after it, waits too);
- the prefetched request takes its budget turn like any other backfill request (`Priority.BACKFILL`:
  the tail and the first page of a query still go first).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from logview.api.contract import StreamContract
from logview.api.types import Priority, RetryEvent
from logview.model import Page, ServerQuery
from logview.sources.base import ONE_MILLISECOND, Cursor, Source
from logview.sources.page_columns import oldest_time
from logview.times import format_api_time, parse_api_time

# How long a page's parsing waits for its successor's request to be on the wire (a loopback
# request is sent in well under a millisecond; a budget wait is the prefetched request's own).
SEND_WAIT_S = 0.02
_HAS_MORE = b'"has_more"'
_FALSE = re.compile(rb"\s*:\s*false")

Send = Callable[..., Awaitable[Page]]  # (cursor, priority, on_retry=, on_body=, on_sent=) -> the page
Predict = Callable[[bytes, Page, Cursor], "Cursor | None"]  # (the raw body, its parse, its cursor)


@dataclass
class Request:
    """One page's request in flight; `taken` once the pager asked for its cursor."""

    cursor: Cursor
    task: asyncio.Future[Page] = field(init=False)
    retries: asyncio.Queue[RetryEvent] = field(default_factory=asyncio.Queue)
    taken: asyncio.Future[None] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


def predicted_cursor(source: Source, query: ServerQuery, contract: StreamContract,
                     room: Callable[[], int | None], goes_now: Callable[[], bool] = lambda: True) -> Predict | None:
    """A cheap guess at the cursor after a page, from its raw body (None: no guess, the page may
    be the last); None for a source whose cursor cannot be read that way. `room`: how many entries
    the cap leaves (a page that may reach it is the last). While the stream's `contract` counts the
    server breaking it (a strike, pages out of order), nothing is guessed: the page at hand may be
    the one that stops the stream. Nor while the budget binds (`goes_now` false): a paced stream's
    requests are seconds apart, a page's parse gains nothing there, and the wait for the budget
    must stay the page the user waits for (its countdown on the status line, `export -v`'s),
    not a request in the background the user may never need (a quit, a wait too long)."""
    if source.kind == "supermetrics":
        guess = _time_cursor_guess(source, query, contract, room)
    elif source.kind == "aitronos":
        guess = _offset_guess(source, room)
    else:
        return None

    def while_healthy(body: bytes, page: Page, cursor: Cursor) -> Cursor | None:
        if contract.strikes or getattr(contract, "disorder", 0) or not _whole(body) or not goes_now():
            return None
        return guess(body, page, cursor)

    return while_healthy


def _whole(body: bytes) -> bool:
    """Whether `body` may be a whole page: it ends as a JSON object does. A body cut short (a
    dropped connection) is retried: guessing from it would spend a request on a page the stream
    may never reach."""
    return body.rstrip(b" \t\r\n")[-1:] == b"}"


def _time_cursor_guess(source: Source, query: ServerQuery, contract: StreamContract,
                       room: Callable[[], int | None]) -> Predict:
    def guess(body: bytes, page: Page, cursor: Cursor) -> Cursor | None:
        count = len(page.entries)
        left = room()
        if count < source.page_limit or (left is not None and count >= left):
            return None
        # (the parse's oldest, not the body's last: a page out of order, which the contract then
        # corrects and counts, would have its next cursor guessed wrong, a request spent on it)
        oldest = oldest_time(page.entries)
        if oldest is None or (query.start is not None and oldest < query.start):
            return None
        inclusive = getattr(contract, "inclusive", False)  # (the next cursor is then the oldest time itself)
        following = oldest if inclusive and oldest.microsecond % 1000 == 0 else oldest + ONE_MILLISECOND
        before = parse_api_time(cursor) if isinstance(cursor, str) else None
        if before is not None and following >= before:
            return None  # the cursor would not move (a tie group, or a server ignoring it)
        return format_api_time(following)

    return guess


def _offset_guess(source: Source, room: Callable[[], int | None]) -> Predict:
    def guess(body: bytes, page: Page, cursor: Cursor) -> Cursor | None:
        left = room()
        if not isinstance(cursor, int) or (left is not None and source.page_limit >= left):
            return None
        # The page's own `has_more` follows its entries (which may hold the key too); a server
        # that sends it first makes this read an entry's: a wrong guess, discarded.
        last = body.rfind(_HAS_MORE)
        if last >= 0 and _FALSE.match(body, last + len(_HAS_MORE)):
            return None
        return cursor + source.page_limit

    return guess


class OnTheWire:
    """How many of a load's backfill requests are sent and not yet answered. Their budget is spent:
    the status line's "done in" counts the pages still to ask for, not these. Counted as pages to
    fetch, the last page's request, answered slowly under load, brought "done in ~N s" back (the
    wait for a request never to be made) after it had gone (s28: the line changed form twice)."""

    def __init__(self) -> None:
        self.count = 0

    def watch(self, on_sent: Callable[[], None] | None) -> tuple[Callable[[], None], Callable[[object], None]]:
        """The hook for one request's `on_sent` (its first attempt on the wire counts it; a retry's
        is the same request), and the callback for when it ends, answered or not."""
        reached = False

        def sent() -> None:
            nonlocal reached
            if not reached:
                reached, self.count = True, self.count + 1
            if on_sent is not None:
                on_sent()

        def ended(_task: object) -> None:
            if reached:
                self.count -= 1

        return sent, ended


class Prefetch:
    """The requests of one request stream, with the next one sent ahead where `predict` allows;
    a backfill's are counted `on_the_wire` while sent and unanswered."""

    def __init__(self, send: Send, predict: Predict | None = None,
                 heard: Callable[[Page], None] | None = None, on_the_wire: OnTheWire | None = None) -> None:
        self._send = send
        self._predict = predict
        self._on_the_wire = on_the_wire
        # (told each page before its successor is guessed: the budget hears how many requests the
        # stream still needs, `Pager._expect`, before the guess takes its turn, as it would without)
        self._heard = heard
        self._ahead: Request | None = None
        self.discarded = 0  # prefetched requests never read (a wrong guess, or the stream's end)

    def request(self, cursor: Cursor, priority: Priority) -> Request:
        """The request for `cursor`: the prefetched one if it is for exactly that cursor, else a
        new one (a wrong guess is cancelled, and the stream guesses no more)."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None and ahead.cursor == cursor:
            ahead.taken.set_result(None)
            return ahead
        if ahead is not None:
            self._discard(ahead)
            self._predict = None
        request = self._start(cursor, priority)
        request.taken.set_result(None)
        return request

    def close(self) -> None:
        """The stream ends (or fails, or is cancelled): a prefetched request is cancelled unread."""
        if self._ahead is not None:
            self._discard(self._ahead)
            self._ahead = None

    def _start(self, cursor: Cursor, priority: Priority, on_sent: Callable[[], None] | None = None) -> Request:
        request = Request(cursor)
        hooks = {"on_body": self._guesser(request)} if self._predict is not None else {}
        ended = None
        if self._on_the_wire is not None:
            on_sent, ended = self._on_the_wire.watch(on_sent)
        request.task = asyncio.ensure_future(
            self._send(cursor, priority, on_retry=request.retries.put_nowait, on_sent=on_sent, **hooks))
        if ended is not None:
            request.task.add_done_callback(ended)
        return request

    def _guesser(self, request: Request) -> Callable[[bytes, Page], Awaitable[None]]:
        async def on_body(body: bytes, page: Page) -> None:
            if not request.taken.done():
                await request.taken  # answered early: one request ahead at most, this one
            if self._predict is None or self._ahead is not None:
                return  # (a retried answer guesses no more: its first guess is ahead already)
            if self._heard is not None:
                self._heard(page)
            following = self._predict(body, page, request.cursor)
            if following is None or following == request.cursor:
                return
            sent = asyncio.get_running_loop().create_future()
            self._ahead = ahead = self._start(following, Priority.BACKFILL,
                                              lambda: sent.done() or sent.set_result(None))
            try:
                await asyncio.wait({ahead.task, sent}, timeout=SEND_WAIT_S, return_when=asyncio.FIRST_COMPLETED)
            finally:
                sent.cancel()

        return on_body

    def _discard(self, request: Request) -> None:
        self.discarded += 1
        request.task.cancel()
        # A prefetched request that failed before it was discarded: nobody will read the failure.
        request.task.add_done_callback(lambda task: task.cancelled() or task.exception())


__all__ = ["OnTheWire", "Prefetch", "Request", "SEND_WAIT_S", "predicted_cursor"]
