"""A file's reading stands back for the user's keys: a movement key comes in bursts (a held key
repeats), so each one holds the reading back for `USER_QUIET_S`; a jump to the newest or oldest
row (g, G, Home, End) is one press and one repaint, so it holds it back only `USER_JUMP_QUIET_S`,
and never cuts short the pause an earlier key asked for."""

from __future__ import annotations

from pathlib import Path

import pytest

from logview.ui.feed import USER_JUMP_QUIET_S, USER_QUIET_S, Feed
from test_ui_file_reload import demo_entries, write_entries
from ui_helpers import SIZE, file_app, settle



@pytest.fixture
def logs(tmp_path: Path) -> Path:
    path = tmp_path / "logs.jsonl"
    write_entries(path, demo_entries(300, seed=3))
    return path


def asked(monkeypatch) -> list[float]:
    """The pauses the app asks the feed for, in order."""
    pauses: list[float] = []
    original = Feed.user_active

    def recording(feed: Feed, seconds: float = USER_QUIET_S) -> None:
        pauses.append(seconds)
        original(feed, seconds)

    monkeypatch.setattr(Feed, "user_active", recording)
    return pauses


@pytest.mark.parametrize(("key", "pause"), [
    *((jump, USER_JUMP_QUIET_S) for jump in ("G", "end", "g", "home")),
    *((other, USER_QUIET_S) for other in ("j", "k", "down", "pagedown", "4")),
])
async def test_a_jump_holds_the_reading_back_briefly_and_any_other_key_for_its_burst(
        logs: Path, key: str, pause: float, monkeypatch) -> None:
    assert USER_JUMP_QUIET_S < USER_QUIET_S
    pauses = asked(monkeypatch)
    app = file_app(logs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(key)
        assert pauses and set(pauses) == {pause}  # (the app sees a key on its way to the screen too)


async def test_a_jump_never_cuts_short_the_pause_an_earlier_key_asked_for(logs: Path) -> None:
    app = file_app(logs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        feed = app.viewer.feed
        assert feed.quiet_left() == 0  # (reading, once the keys are past)
        feed.user_active(USER_QUIET_S)
        feed.user_active(USER_JUMP_QUIET_S)
        assert USER_JUMP_QUIET_S < feed.quiet_left() <= USER_QUIET_S
