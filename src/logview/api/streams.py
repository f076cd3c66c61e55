"""A backfill's request streams, merged newest first (`paging.py`): the batch each page brings,
what is ready to hand over, and whether anything follows it (for a cap met exactly: s20 #5)."""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from typing import TYPE_CHECKING, Union

import msgspec

from logview.api.page_order import sort_key
from logview.api.events import Notice
from logview.api.types import RetryEvent
from logview.model import LogEntry

if TYPE_CHECKING:
    from logview.api.budget import Budget


SPARE_WAIT_S = 1.0  # the longest a look past the cap may wait for the budget (`BINDS_AFTER_S`'s second)


class Batch(msgspec.Struct):
    """Fresh entries from one page of one stream (before client-side filtering)."""

    entries: Sequence[LogEntry]
    total: int | None
    # whether the stream has entries after this page: False, it ended; True, the server's count or
    # has_more says so; None, a full page that counts nothing (Supermetrics': only the next page knows)
    more: bool | None = None


StreamItem = Union[Batch, RetryEvent, Notice]


class Probed(msgspec.Struct, frozen=True):
    """What a look past the cap found (`probe`): see `Notice.older`."""

    older: bool | None


def spare_request(budget: Budget | None) -> bool:
    """A request to learn whether anything is older than a cap met exactly is cheap: no budget, or
    one whose pace lets it go now (a metered user would not wait minutes of an hourly pace for it)."""
    if budget is None:
        return True
    wait_s = budget.estimates.eta_s(1)  # (None: the window is not known, nor the wait)
    return wait_s is not None and wait_s <= SPARE_WAIT_S


def following_entries(buffers: list[deque[LogEntry]], active: set[int], more: list[bool | None]) -> bool | None:
    """Whether entries follow what was taken: True, buffered or counted by the server; None, a
    stream's last page was full and counted nothing; False, every stream ended."""
    if any(buffers) or any(more[index] for index in active):
        return True
    return None if any(more[index] is None for index in active) else False


def take_ready(buffers: list[deque[LogEntry]], active: set[int]) -> Sequence[LogEntry]:
    """Pop every buffered entry no live stream can still precede, merged newest first.

    A live stream's future entries are all older than its oldest buffered one, so an entry is safe
    once it is at least as new as the newest of those "oldest buffered" marks. The marks are the
    minimum of each buffer, not its last entry: an API may send a page out of order, or entries
    without a time, and a mark taken from the wrong end would leave the merge waiting forever on a
    stream that has nothing more to give until its buffer is drained. With the minimum, the stream
    that sets the threshold always drains whole, so every call makes progress.
    """
    if len(buffers) == 1:  # one stream: nothing to merge with, every buffered entry is ready
        ready = buffers[0]  # (the stream's last batch as it came: see `paging.Pager.backfill`)
        buffers[0] = deque()
        return ready  # type: ignore[return-value]
    marks = [min(map(sort_key, buffers[index])) for index in active if buffers[index]]
    threshold = max(marks) if marks else float("-inf")
    ready: list[LogEntry] = []
    for buffer in buffers:
        if not buffer:
            continue
        keep = [entry for entry in buffer if sort_key(entry) < threshold]
        if len(keep) == len(buffer):
            continue
        ready.extend(entry for entry in buffer if sort_key(entry) >= threshold)
        buffer.clear()
        buffer.extend(keep)
    if len(buffers) > 1:
        ready.sort(key=sort_key, reverse=True)
    return ready


async def probe(streams: list[AsyncIterator[StreamItem]], active: set[int], more: list[bool | None],
                wanted: Callable[[LogEntry], bool] | None) -> AsyncIterator[StreamItem | Probed]:
    """The next page of each stream not known ended, until one holds an entry `wanted` (None: any;
    True: older entries exist); False when every stream ends; None (unknown) when a page brings
    only repeats."""
    for index in sorted(active):
        while more[index] is None:
            try:
                item = await anext(streams[index])
            except StopAsyncIteration:
                more[index] = False
                break
            if not isinstance(item, Batch):
                yield item
                continue
            if any(wanted is None or wanted(entry) for entry in item.entries):
                yield Probed(True)
                return
            if item.more is not False:
                yield Probed(None)
                return
            more[index] = False
    yield Probed(following_entries([], active, more))
