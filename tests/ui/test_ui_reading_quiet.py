"""A file's reading stands back for the user's keys (`ui/user_quiet.py`): a movement key comes in
bursts (a held key repeats), so each one holds the reading back for `USER_QUIET_S`; a jump to the
newest or oldest row (g, G, Home, End) is one press and one repaint, so it holds the reading back
until the screen has shown it, never longer than `USER_JUMP_QUIET_MAX_S`, and never cuts short the
pause an earlier key asked for. Keys that keep coming (a held key) hold it back at most
`USER_QUIET_MOST_S` at a stretch: then it reads for `READING_TURN_S`."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from textual import events
from textual.widgets import Input

from logview.files.columns import ColumnReader
from logview.ui import user_quiet
from logview.ui.user_quiet import READING_TURN_S, USER_JUMP_QUIET_MAX_S, USER_QUIET_MOST_S, USER_QUIET_S, UserQuiet
from test_ui_file_reload import demo_entries, write_entries
from ui_helpers import SIZE, file_app, screen_text, settle


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    path = tmp_path / "logs.jsonl"
    write_entries(path, demo_entries(300, seed=3))
    return path


def asked(monkeypatch) -> list[str]:
    """What the app tells the reading's quiet, in order: a key's pause, a jump, a jump shown."""
    said: list[str] = []
    for name in ("active", "jumped", "jump_shown"):
        original = getattr(UserQuiet, name)

        def recording(quiet: UserQuiet, *args, name=name, original=original) -> None:
            said.append(name)
            original(quiet, *args)
        monkeypatch.setattr(UserQuiet, name, recording)
    return said


@pytest.mark.parametrize(("key", "told"), [
    *((jump, ["jumped", "jump_shown"]) for jump in ("G", "end", "g", "home")),
    *((other, ["active"]) for other in ("j", "k", "down", "pagedown", "4")),
])
async def test_a_jump_holds_the_reading_back_until_it_is_shown_and_any_other_key_for_its_burst(
        logs: Path, key: str, told: list[str], monkeypatch) -> None:
    said = asked(monkeypatch)
    app = file_app(logs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        quiet = app.viewer.feed.quiet
        await pilot.press(key)
        await settle(pilot)
        # (the app sees a key on its way to the screen too, and a jump's again for its binding)
        assert said and sorted(set(said)) == sorted(told), said
        if told[-1] == "jump_shown":
            assert said[-1] == "jump_shown" and quiet.left() == 0  # (shown: the reading goes on)


def test_a_jump_not_shown_holds_the_reading_back_at_most_its_limit_and_never_cuts_a_keys_pause_short() -> None:
    now = [100.0]
    quiet = UserQuiet(clock=lambda: now[0])
    quiet.jumped()
    assert quiet.left() == pytest.approx(USER_JUMP_QUIET_MAX_S)
    now[0] += USER_JUMP_QUIET_MAX_S
    assert quiet.left() == 0  # (a jump whose frame never came: the reading goes on all the same)
    quiet.active(USER_QUIET_S)
    quiet.jumped()
    quiet.jump_shown()
    assert quiet.left() == pytest.approx(USER_QUIET_S)  # (the key's pause before it stands)
    waited: list[bool] = []
    quiet.wait(lambda: waited.append(True) or len(waited) > 1)  # (a cancelled reading stops waiting)
    assert len(waited) == 2


async def test_g_typed_into_the_search_field_is_a_letter_not_a_jump(logs: Path, monkeypatch) -> None:
    """Only the table's jump keys wait for their frame: a `G` typed into a field (whose frame no jump
    brings) holds the reading back for a key's burst, as any letter."""
    said = asked(monkeypatch)
    app = file_app(logs)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await settle(pilot)
        said.clear()
        await pilot.press("G")
        await settle(pilot)
        assert said and set(said) == {"active"}, said
        assert app.viewer.sidebar.query_one("#search", Input).value == "G"


def test_keys_that_keep_coming_hold_the_reading_back_at_most_its_longest_then_it_takes_its_turn(monkeypatch) -> None:
    now = [100.0]
    quiet = UserQuiet(clock=lambda: now[0])

    def held_key_sleep(seconds: float) -> None:  # (a key repeats every 30 ms while the reading sleeps)
        for _ in range(max(1, round(seconds / 0.03))):
            now[0] += min(seconds, 0.03)
            quiet.active()

    monkeypatch.setattr(user_quiet.time, "sleep", held_key_sleep)
    for stretch in range(3):
        quiet.active()
        began = now[0]
        quiet.wait(lambda: False)
        assert now[0] - began == pytest.approx(USER_QUIET_MOST_S, abs=0.031), stretch  # (stood back its longest)
        turn_began = now[0]
        while now[0] - turn_began < READING_TURN_S - 0.01:  # its turn: read whatever the keys
            assert quiet.left() == 0
            now[0] += 0.01
            quiet.active()
        now[0] = turn_began + READING_TURN_S
        assert quiet.left() == pytest.approx(USER_QUIET_S, abs=0.03)  # (the keys still come: it stands back again)
    quiet.active()
    quiet.jumped()
    quiet.wait(lambda: False)  # (a jump never shown stands back no longer than a key's stretch either)
    assert quiet.left() == 0


def wheel_down(app) -> None:
    """One wheel notch over the table, as the driver delivers it."""
    x, y = app.viewer.table.region.x + 4, app.viewer.table.region.y + 3
    app.post_message(events.MouseScrollDown(None, x, y, 0, 1, 0, False, False, False, screen_x=x, screen_y=y))


@pytest.mark.parametrize("held", ["j", "wheel"])
async def test_a_held_key_does_not_keep_the_counts_from_coming(tmp_path: Path, monkeypatch, held: str) -> None:
    """`j` held (or the wheel turned on and on) while a file's columns are read: the reading goes on
    in turns, and the counts come while the key still repeats (they never came before: each key held
    the reading back anew)."""
    path = tmp_path / "logs.jsonl"
    write_entries(path, demo_entries(3_000, seed=5))
    gather = ColumnReader.gather

    def slow(reader: ColumnReader, *args, **kwargs) -> None:  # (a small file read as slowly as a big one)
        time.sleep(0.01)
        gather(reader, *args, **kwargs)

    monkeypatch.setattr(ColumnReader, "chunk_bytes", 16 << 10)  # (~40 chunks: ~0.4 s of reading)
    monkeypatch.setattr(ColumnReader, "gather", slow)
    app = file_app(path)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(30):  # (the rows come first: the key is held once they are there)
            await pilot.pause(0.05)
            if "3,000" in screen_text(app):
                break
        assert "reading fields" in screen_text(app)
        began = time.monotonic()
        while "reading fields" in screen_text(app) and time.monotonic() - began < 20:
            await pilot.press("j") if held == "j" else wheel_down(app)
            await pilot.pause(0.03)
        assert "reading fields" not in screen_text(app), "the counts never came while the key was held"
