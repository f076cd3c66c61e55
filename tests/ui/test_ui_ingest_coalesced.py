"""A fast backfill reaches the screen a few times a second, not once a page: each post costs the
screen a layout and a repaint. The first page still shows at once, and the status line counts
every entry at the end."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator

import pytest

from logview.demo import DemoServer
from logview.ui.feed import POST_ENTRIES_EVERY_S, Feed
from ui_helpers import SIZE, make_app, screen_text, settle, supermetrics_server

ENTRIES, PAGE = 8000, 250


@pytest.fixture
def quick() -> Iterator[DemoServer]:
    with supermetrics_server(ENTRIES, seed=5) as server:
        yield server


async def test_pages_are_posted_together_the_first_at_once_and_the_counts_exact_at_the_end(
        quick: DemoServer, monkeypatch: pytest.MonkeyPatch) -> None:
    posted: list[tuple[float, int]] = []  # (when, how many entries) of each backfill message taken
    taken = Feed.on_feed_loaded

    def recording(feed: Feed, message: Feed.Loaded) -> None:
        if not message.live and message.entries:
            posted.append((time.perf_counter(), len(message.entries)))
        taken(feed, message)

    monkeypatch.setattr(Feed, "on_feed_loaded", recording)
    app = make_app(quick, "supermetrics", page_limit=PAGE)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        status = screen_text(app).splitlines()[0]
        assert len(app.viewer.store) == ENTRIES
    pages = math.ceil(ENTRIES / PAGE)
    assert posted[0][1] == PAGE  # the first page alone, at once: the first rows wait for nothing
    assert sum(count for _, count in posted) == ENTRIES
    elapsed = posted[-1][0] - posted[0][0]
    # one message per POST_ENTRIES_EVERY_S at most, plus the first and the one the end flushes
    assert len(posted) <= 2 + math.ceil(elapsed / POST_ENTRIES_EVERY_S) < pages, (len(posted), elapsed)
    assert f"loaded {ENTRIES:,}" in status and f"shown {ENTRIES:,}" in status
