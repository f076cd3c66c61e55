"""Keys in the states where they were silent or left the screen wrong (s30 walk, every key in every state):
Esc back from a detail that covered the table, `q` in a dialog, `n` in the table, Enter on an empty histogram."""

from __future__ import annotations

import json
from pathlib import Path

from test_ui_mixed_file import envelope
from test_ui_tabs import settle_all
from ui_helpers import (SIZE, file_app, hold_the_backfill, kept_toasts, screen_text, settle, table_lines, two_tabs_app,
                        wait_until)

SHORT = (80, 24)  # (under 30 lines the detail opens over the whole table)


def write_rows(path: Path, rows: int) -> Path:
    """`rows` Supermetrics entries a minute apart, newest first, their requests numbered (`GET /r7`)."""
    path.write_text("".join(json.dumps({"id": f"e{i}", "log_time": f"2025-11-15T10:{59 - i:02d}:00Z",
                                        "status": 500 if i % 7 == 3 else 200, "event": "data.page",
                                        "request": f"GET /r{i}", "duration_ms": 40}) + "\n" for i in range(rows)))
    return path


async def test_escape_from_a_detail_over_the_whole_table_shows_the_table_as_it_was(tmp_path: Path) -> None:
    """The table scrolled its entry to its top line while the detail covered it: the newer rows above it were
    hidden, and nothing said so (`▲ N newer` is for rows a filter put there)."""
    app = file_app(write_rows(tmp_path / "rows.jsonl", 40))
    async with app.run_test(size=SHORT) as pilot:
        await settle(pilot)
        await pilot.press(*"jjjjj")
        before = table_lines(app)
        assert "GET /r0" in before[1] and "GET /r5" in before[6]
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert "entry detail" in screen_text(app) and app.viewer.table.size.height <= 1  # (covered)
        await pilot.press("escape")
        await pilot.pause(0.2)
        assert table_lines(app) == before


async def test_an_entry_gone_to_under_a_detail_over_the_table_is_in_sight_after_escape(tmp_path: Path) -> None:
    app = file_app(write_rows(tmp_path / "rows.jsonl", 60))
    async with app.run_test(size=SHORT) as pilot:
        await settle(pilot)
        await pilot.press("enter", "e", "e", "e", "e")  # (the errors: every 7th request from r3; r24 is off the screen)
        await pilot.pause(0.2)
        assert "GET /r24" in screen_text(app)  # (in the detail)
        await pilot.press("escape")
        await pilot.pause(0.2)
        lines = table_lines(app)
        assert any("GET /r24" in line for line in lines) and "GET /r0" not in lines[1]


async def test_q_closes_the_columns_dialog_as_escape_does(tmp_path: Path) -> None:
    """`q` did nothing there, and said nothing (the help closes on it; the save dialog takes it as a letter)."""
    app = file_app(write_rows(tmp_path / "rows.jsonl", 5))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await wait_until(pilot, lambda: "Table columns" in screen_text(app))
        await pilot.press("space", "q")  # (a column unticked, then cancelled: the table keeps its columns)
        await pilot.pause(0.2)
        assert "Table columns" not in screen_text(app) and "request" in table_lines(app)[0]
        assert app.is_running


async def test_q_closes_the_connector_list_as_escape_does(demo) -> None:
    app = two_tabs_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle_all(pilot, app)
        await pilot.press("right_square_bracket", "c")
        await wait_until(pilot, lambda: "Connectors of team" in screen_text(app))
        await pilot.press("q")
        await pilot.pause(0.2)
        assert "Connectors of team" not in screen_text(app) and app.is_running


async def test_q_answers_the_replace_question_as_no(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "kept.jsonl").write_bytes(b"what was there\n")
    app = file_app(write_rows(tmp_path / "rows.jsonl", 5))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("s", *"kept.jsonl", "enter")
        await wait_until(pilot, lambda: "already exists" in screen_text(app))
        await pilot.press("q")
        await pilot.pause(0.2)
        assert "already exists" not in screen_text(app) and app.is_running
        assert (tmp_path / "kept.jsonl").read_bytes() == b"what was there\n"


async def test_n_outside_the_focused_detail_says_where_it_goes_through_the_matches(tmp_path: Path) -> None:
    """n / N act in the focused detail only: in the table, after a search, they did nothing."""
    app = file_app(write_rows(tmp_path / "rows.jsonl", 30))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        said = kept_toasts(app)
        await pilot.press("n")
        assert said == ["n / N go through a search's matches in the focused detail: / searches first."]
        await pilot.press("slash", *"/r1", "enter")
        await settle(pilot)
        assert "shown 11" in screen_text(app).splitlines()[0]  # (r1, r10 … r19)
        await pilot.press("N")
        assert said[-1] == ("n / N go through the search's matches in the focused detail: "
                            "Enter opens an entry's, Enter again focuses it.")
        await pilot.press("enter", "n")
        assert said[-1] == "n / N go through the search's matches in the focused detail: Enter focuses it."
        await pilot.press("enter", "n")
        await pilot.pause(0.2)
        assert len(said) == 3 and "the only match · n N" in screen_text(app)


async def test_escape_on_the_merged_tab_says_where_it_stops_a_tabs_load(demo, monkeypatch) -> None:
    """Esc stops a load the API's budget paces, in its tab; on the merged tab it did nothing and said nothing."""
    release = hold_the_backfill(monkeypatch, after_pages=1)
    app = two_tabs_app(demo)
    try:
        async with app.run_test(size=SIZE) as pilot:
            merged = app.viewers[-1]
            await pilot.press("right_square_bracket", "right_square_bracket")
            await wait_until(pilot, lambda: app.screen is merged and "loading" in screen_text(app).splitlines()[1],
                             said=lambda: screen_text(app).splitlines()[1])
            said = kept_toasts(app)
            await pilot.press("enter", "escape")  # (the detail first, as anywhere)
            assert not said and not merged.browser.shown("detail")
            await pilot.press("escape")
            await wait_until(pilot, lambda: said, said=lambda: said)
            assert said[-1].startswith("Esc in a tab stops its load while the API's budget paces it (")
            assert "loading; [ and ] switch tabs)" in said[-1]
    finally:
        release.set()


async def test_y_copies_a_merged_files_line_that_is_no_envelope_exactly_as_it_is(tmp_path: Path) -> None:
    """It copied the line as a JSON string (`"not json [b]x[/b]"`, quoted and escaped), or an unknown API's
    entry without its envelope: a save writes such a line back as it is, and `y` on a plain file's line does."""
    odd = ["not json at all [b]x[/b]", '{"source": "s2",  "api": "martian", "entry": {"id": "m1"}}']
    path = tmp_path / "merged.jsonl"
    path.write_text("\n".join([envelope("ait", "aitronos", {"id": "a1", "created_at": "2025-11-15T12:00:00Z",
                                                           "status": "success"}), *odd]) + "\n")
    app = file_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        copied = []
        for _ in range(3):
            await pilot.press("y", "j")
            copied.append(app.clipboard)
        assert sorted(copied[1:]) == sorted(odd), copied
