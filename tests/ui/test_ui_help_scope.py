"""`?` marks the keys that do nothing on the source shown (s23 walk #7): it was one page everywhere, listing `c`
on an Aitronos source, `[ ]` with one tab and `t` on a file, each key then answering with a toast that it does
nothing here. They are dimmed and say why; and a footer of several tabs names `[ ]` where it has room."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from logview.demo import DemoServer, DemoState
from logview.ui.screens.help import HelpScreen
from ui_helpers import FIXED_NOW, file_app, make_app, screen_text, settle, two_tabs_app, widget_text

NO_CONNECTORS = "c choose another Supermetrics connector of the team — not here: only a Supermetrics tab reading its API"
NO_TABS = "[ ] previous / next tab (several --profile options; the last tab merges them) — not here: one source is open"
NO_TAIL = "t toggle the live tail (new entries appear at the top) — not here: a file has no live tail"


async def help_text(app, pilot) -> str:
    """The help's every line (scrolled out of view too; in two columns, the right one's: the keys of the
    Data section), its words joined by one space."""
    await pilot.press("question_mark")
    await pilot.pause()
    assert isinstance(app.screen, HelpScreen)
    lines = widget_text(app.screen.query_one("#help-body")).splitlines()
    if "Patterns" in lines[0]:  # (two columns: the right one's lines, where its sections are)
        lines = [line[lines[0].index("Patterns"):] for line in lines]
    text = " ".join(" ".join(lines).split())
    await pilot.press("escape")
    await pilot.pause()
    return text


@pytest.mark.parametrize("size", [(160, 48), (80, 24)])
async def test_one_aitronos_source_marks_c_and_the_tab_keys(demo: DemoServer, size) -> None:
    app = make_app(demo)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        text = await help_text(app, pilot)
    assert NO_CONNECTORS in text and NO_TABS in text and text.count("not here") == 2, text


async def test_tabs_mark_c_but_where_a_supermetrics_tab_is_shown_and_the_footer_names_the_tab_keys(demo) -> None:
    app = two_tabs_app(demo)  # (an Aitronos tab, a Supermetrics tab, the merged tab)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        seen = [await help_text(app, pilot)]
        for _ in range(2):
            await pilot.press("right_square_bracket")
            await settle(pilot)
            seen.append(await help_text(app, pilot))
    aitronos, supermetrics, merged = seen
    assert NO_CONNECTORS in aitronos and aitronos.count("not here") == 1, aitronos
    assert "not here" not in supermetrics, supermetrics
    assert NO_CONNECTORS in merged and merged.count("not here") == 1, merged
    async with two_tabs_app(demo).run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        footer = screen_text(pilot.app).splitlines()[-1]
    assert " [ ] Tabs " in footer, footer


async def test_a_file_marks_the_tail_and_connectors(tmp_path: Path) -> None:
    state = DemoState(aitronos_entries=50, supermetrics_entries=0, live_rate=0.0, now=FIXED_NOW, seed=9)
    path = tmp_path / "logs.jsonl"
    path.write_text("".join(json.dumps(entry) + "\n" for entry in state.aitronos_logs))
    app = file_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = await help_text(app, pilot)
        footer = screen_text(app).splitlines()[-1]
    assert NO_TAIL in text and NO_CONNECTORS in text and NO_TABS in text and text.count("not here") == 3, text
    assert "Tabs" not in footer, footer


@pytest.mark.parametrize("size, scrolls", [((220, 90), False), ((160, 48), True), ((80, 24), True)])
async def test_the_help_says_it_scrolls_where_it_runs_past_the_box_and_no_toast_covers_it(tmp_path: Path, size,
                                                                                           scrolls: bool) -> None:
    """s25 walk #9: at 80×24 the launch's toast covered the help's lower right, and nothing said it scrolled
    (how to close it was at its end, out of sight)."""
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps({"id": "a", "created_at": "2026-12-01T10:00:00Z", "status": "error"}) + "\n")
    app = file_app(path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        app.notify("a toast of the launch", timeout=30)
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        title = widget_text(app.screen.query_one("#help-title"))
        assert ("↓ PgDn for more · Esc closes" in title) is scrolls, title
        assert "a toast of the launch" not in screen_text(app)
