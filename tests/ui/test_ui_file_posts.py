"""A big file's filter columns reach the screen in posts of bounded size: the columns a child
read for the back of the file come much faster than the viewer's own reading, and posted in one
go they were held twice over (the chunks and their join) as the store took them, the peak of the
whole read. With the cap made small, every post of the child's columns stays within it, and the
counts are those of the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from logview.files import early, split_read
from logview.ui import file_reading
from logview.ui.feed import Feed
from test_ui_bigfile import status_in
from test_ui_file_reload import demo_entries, write_entries
from ui_helpers import SIZE, file_app, screen_text, wait_until

CAP = 1_500


async def test_a_childs_columns_come_in_posts_no_bigger_than_the_cap(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "logs.jsonl"
    entries = demo_entries(12_000, seed=8)
    write_entries(path, entries)
    monkeypatch.setattr(file_reading, "POST_COLUMNS_ROWS_AT_MOST", CAP)
    monkeypatch.setattr(split_read, "SPLIT_FROM_BYTES", 0)  # (a small file stands for a big one)
    monkeypatch.setattr(split_read, "CHILD_CHUNK_BYTES", 64 << 10)
    sizes: list[int] = []
    taken = Feed.on_feed_columns_read

    def recording(feed: Feed, message: Feed.ColumnsRead) -> None:
        sizes.append(len(message.chunk))
        taken(feed, message)

    monkeypatch.setattr(Feed, "on_feed_columns_read", recording)
    early.begin(path, "supermetrics", with_child=True)
    app = file_app(path, max_entries=None)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.viewer.session.phase == "complete")
        assert sum(sizes) == len(entries)
        front, *back = sizes  # (the viewer reads the front in one chunk of its own here)
        assert front < len(entries) / 2 and len(back) >= (len(entries) - front) // (CAP + 400)
        assert max(back) < CAP + 400  # (a post passes the cap by at most the child's chunk that reached it: ~300 rows)
        failed = sum(1 for entry in entries if status_in("supermetrics", entry.get("status"), "5xx"))
        await pilot.press("4")  # 5xx
        await wait_until(pilot, lambda: f"shown {failed:,} " in screen_text(app))
