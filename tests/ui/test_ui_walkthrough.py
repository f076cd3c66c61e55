"""The walk-through: every key of the viewer, pressed in every state where a user meets it, and
what the screen shows afterwards checked against what the help says the key does.

Driven from the bindings: `viewer_keys()` reads them from the app, the viewer screen and the
table, so a key added there fails `test_every_key_has_a_walk_through_check…` until it has a check
in walkthrough_checks.py and a line in the help. States: an API (Aitronos and Supermetrics), a file, the live tail,
the merged timeline, the detail pane open, and an input focused (where keys are typed, not run).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Input

from logview.demo import DemoServer, DemoState
from logview.model import Filters
from logview.options import ViewerOptions
from logview.ui.app import LogViewApp
from logview.ui.widgets.detail_pane import DetailPane
from logview.ui.widgets.log_table import LogTable
from ui_helpers import FAST, FIXED_NOW, SIZE, UNSPENT_BUDGET, connection, file_app, make_app, settle, wait_until
import walkthrough_checks  # noqa: F401  (registers each action's check in CHECKS)
from walkthrough_walk import CHECKS, PALETTE, Walk, action_name, viewer_keys


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServer]:
    """The conftest's quiet dataset, on a server that counts a budget no walk spends: a walk reloads
    Aitronos' 6 pages some 40 times (the budget's pacing has tests of its own: test_budget*,
    test_ui_budget)."""
    state = DemoState(aitronos_entries=600, supermetrics_entries=3000, live_rate=0.0, now=FIXED_NOW, seed=11,
                      budget=UNSPENT_BUDGET)
    with DemoServer(state) as server:
        yield server


# -- states -----------------------------------------------------------------------------------

def demo_file(tmp_path: Path) -> Path:
    state = DemoState(aitronos_entries=0, supermetrics_entries=400, live_rate=0.0, now=FIXED_NOW, seed=9)
    path = tmp_path / "walk.jsonl"
    path.write_text("".join(json.dumps(entry) + "\n" for entry in state.supermetrics_logs))
    return path


def long_entries_file(tmp_path: Path) -> Path:
    """Entries much longer than the detail pane: 80 input keys each."""
    state = DemoState(aitronos_entries=40, supermetrics_entries=0, live_rate=0.0, now=FIXED_NOW, seed=9)
    path = tmp_path / "long.jsonl"
    entries = [{**entry, "inputs": {f"k{i:02d}": i for i in range(80)}} for entry in state.aitronos_logs]
    path.write_text("".join(json.dumps(entry) + "\n" for entry in entries))
    return path


def build(state: str, demo: DemoServer, tmp_path: Path) -> LogViewApp:
    if state == "file":
        return file_app(demo_file(tmp_path))
    if state == "detail_focused":
        return file_app(long_entries_file(tmp_path))
    if state == "merged":
        first = ViewerOptions(filters=Filters(), connection=connection(demo, "aitronos"))
        second = ViewerOptions(filters=Filters(), connection=connection(demo, "supermetrics"))
        return LogViewApp(first, second, policy=FAST)
    kind = "supermetrics" if state == "supermetrics" else "aitronos"
    return make_app(demo, kind, follow=state == "tail")


TABLE_STATES = ("api", "supermetrics", "file", "tail", "merged", "detail")
STATES = {**{state: LogTable for state in TABLE_STATES}, "detail_focused": DetailPane}


def test_every_key_has_a_walk_through_check_and_a_line_in_the_help() -> None:
    from logview.ui.screens.help import KEYS

    actions = {action_name(a) for focused in set(STATES.values()) for a in viewer_keys(focused).values()}
    missing = sorted(actions - set(CHECKS))
    assert not missing, f"keys without a walk-through check: {missing}"
    described = " ".join(keys for _, section in KEYS for keys, _ in section)
    described += " 1 2 3 4 5 6 7 8 9" if "1 … 9" in described else ""
    names = {"question_mark": "?", "slash": "/", "left_square_bracket": "[", "right_square_bracket": "]",
             "pageup": "PgUp", "pagedown": "PgDn", "home": "Home", "end": "End", "enter": "Enter", "escape": "Esc",
             "up": "↑", "down": "↓", "left": "←", "right": "→", PALETTE: "ctrl+p",
             "ctrl+j": "Enter"}  # (an Enter typed before the viewer had the terminal arrives so)
    keys = {key for focused in set(STATES.values()) for key in viewer_keys(focused)}
    undescribed = sorted(key for key in keys if names.get(key, key) not in described.split())
    assert not undescribed, f"keys the help does not list: {undescribed}"


# Each state's keys are walked in two parts (every other key), one app each: a whole state's walk
# took 45-60 s, longer than the rest of a worker's share at the end of a run (one core then idle).
PARTS = 2


@pytest.mark.parametrize("part", range(PARTS))
@pytest.mark.parametrize("state", STATES)
async def test_walk_every_key(state: str, part: int, demo: DemoServer, tmp_path: Path) -> None:
    app = build(state, demo, tmp_path)
    failures: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        walk = Walk(app, pilot, state)
        await settle(pilot)
        if state == "merged":
            await wait_until(pilot, lambda: all(v.session.phase == "complete" for v in app.viewers[:-1]))
        for key, action in list(viewer_keys(STATES[state]).items())[part::PARTS]:
            await walk.reset()
            try:
                await CHECKS[action_name(action)](walk, key)
            except AssertionError as error:
                failures.append(f"{key} ({action}) in {state}: {error}")
    assert not failures, "\n".join(failures)


async def test_walk_keys_typed_into_an_input_are_text(demo: DemoServer, tmp_path: Path) -> None:
    """With the search focused, every printable key is typed; no viewer action runs."""
    app = make_app(demo)
    failures: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        walk = Walk(app, pilot, "input")
        await settle(pilot)
        search = app.viewer.sidebar.query_one("#search", Input)
        for key in viewer_keys():
            character = {"question_mark": "?", "slash": "/", "left_square_bracket": "[",
                         "right_square_bracket": "]"}.get(key, key)
            if len(character) != 1:
                continue
            await walk.reset()
            screen, filters = app.screen, app.viewer.filters
            await walk.press(key)
            if search.value != character or app.screen is not screen or app.viewer.filters != filters \
                    or app.viewer.focused is not search:
                failures.append(f"{key!r}: input {search.value!r}, screen {type(app.screen).__name__}")
        await walk.reset()
        await walk.press(*"zz9", "enter")  # Enter applies, and returns to the table
        await settle(pilot)
        assert app.viewer.filters.search == "zz9" and app.viewer.focused is app.viewer.table
        await walk.press("slash", "escape")  # Escape clears the search
        await settle(pilot)
        assert app.viewer.filters.search is None and search.value == ""
    assert not failures, "\n".join(failures)


async def test_q_quits_from_every_table_state(demo: DemoServer, tmp_path: Path) -> None:
    for state in ("api", "file", "detail"):
        app = build(state, demo, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await Walk(app, pilot, state).reset()
            await pilot.press("q")
            await pilot.pause()
            assert not app.is_running and app.return_code == 0
