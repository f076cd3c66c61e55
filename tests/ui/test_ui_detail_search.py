"""The search marked in the detail pane, and `n`/`N` to its lines there (s23 walk #8): `/` in the
detail filtered the table and left the entry's long text to be scrolled through by eye."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ui_helpers import file_app, kept_toasts, screen_text, settle, toast_said, wait_until

SCROLLBAR = "▁▂▃▄▅▆▇█▀▔▌▐"
LONG_FIELD = "\n".join(f"line {n}: nothing here" for n in range(120))


def a_long_entry(path: Path) -> None:
    entry = {"id": "long-one", "status": "error", "created_at": "2026-12-01T10:00:00Z", "event": "data.page",
             "error": {"message": "boom"}, "notes": LONG_FIELD + "\nthe NEEDLE is here\n" + LONG_FIELD,
             "tail": "and a needle again"}
    other = {"id": "other", "status": "success", "created_at": "2026-12-01T09:00:00Z", "event": "data.page"}
    path.write_text(json.dumps(entry) + "\n" + json.dumps(other) + "\n")


def marked_cells(app) -> list[str]:
    """The detail's text drawn in the match's style (reverse), as the screen shows it."""
    detail = app.viewer.detail
    lines = app.screen._compositor.render_strips()
    region = detail.content_region
    found = []
    for y in range(region.y, region.bottom):
        run = "".join(segment.text for segment in lines[y] if segment.style is not None and segment.style.reverse)
        run = run.strip().strip(SCROLLBAR)  # (the scrollbar's thumb is drawn reversed too)
        if run:
            found.append(run)
    return found


async def detail_focused(pilot, app, search: str = "", rows: int = 2, matching: int = 1) -> None:
    """The newest entry's detail open and focused (the file's `rows` read), after `search` (if any)
    left `matching` of them in the table and the detail marks it."""
    viewer = app.viewer
    await wait_until(pilot, lambda: len(viewer.view) == rows)
    if search:
        await pilot.press("slash", *search, "enter")
        await wait_until(pilot, lambda: viewer.session.filters.search == search and len(viewer.view) == matching,
                         said=lambda: len(viewer.view))
    await pilot.press("enter", "enter")  # (the detail, then its focus)
    await wait_until(pilot, lambda: viewer.focused is viewer.detail and (not search or viewer.detail.needle == search))
    await settle(pilot)


async def test_the_search_is_marked_in_the_detail_and_n_goes_to_its_lines(tmp_path: Path) -> None:
    a_long_entry(tmp_path / "long.jsonl")
    app = file_app(tmp_path / "long.jsonl")
    async with app.run_test(size=(120, 40)) as pilot:
        viewer = app.viewer
        await detail_focused(pilot, app, "needle")
        detail = viewer.detail
        assert "n N next/previous match" in str(detail.border_title)
        assert detail.scroll_y == 0 and marked_cells(app) == []  # (the match is far below the top)
        await pilot.press("n")
        await wait_until(pilot, lambda: detail.scroll_y > 100, said=lambda: detail.scroll_y)
        await settle(pilot)
        assert marked_cells(app)[:1] == ["NEEDLE"], marked_cells(app)
        assert "match 1 of 2 · n N" in str(detail.border_title)
        first = detail.scroll_y
        await pilot.press("n")  # the second, at the end of the entry
        await wait_until(pilot, lambda: detail.scroll_y > first, said=lambda: detail.scroll_y)
        await settle(pilot)
        assert "needle" in marked_cells(app), marked_cells(app)
        await pilot.press("N")
        await wait_until(pilot, lambda: detail.scroll_y == first, said=lambda: detail.scroll_y)
        assert "match 1 of 2 · n N" in str(detail.border_title)


async def test_n_without_a_search_says_how_to_search(tmp_path: Path) -> None:
    a_long_entry(tmp_path / "long.jsonl")
    app = file_app(tmp_path / "long.jsonl")
    async with app.run_test(size=(120, 40)) as pilot:
        viewer = app.viewer
        await detail_focused(pilot, app)
        said = kept_toasts(app)
        await pilot.press("n")
        await toast_said(pilot, said, "/ searches the entries")
        assert viewer.detail.scroll_y == 0


async def test_n_reaches_a_match_the_wrap_splits_and_says_one_past_the_cut(tmp_path: Path) -> None:
    """s24 walk #10: `n` searched the wrapped lines' text, so a match the wrap split (marked all the
    same) was skipped, which ones depending on the terminal's width; and a match past the first
    20,000 characters of a value was "cut by a line's end"."""
    split = {"id": "split", "status": "error", "created_at": "2026-12-01T10:00:00Z", "event": "data.page",
             **{f"v{k}": "x" * k + "needle" + "y" * 100 for k in range(60, 90)}}
    far = {"id": "far", "status": "error", "created_at": "2026-12-01T09:00:00Z", "event": "data.page",
           "big": "A" * 30_000 + " needle "}
    (tmp_path / "wrap.jsonl").write_text(json.dumps(split) + "\n" + json.dumps(far) + "\n")
    app = file_app(tmp_path / "wrap.jsonl")
    said = kept_toasts(app)
    async with app.run_test(size=(120, 40)) as pilot:
        viewer = app.viewer
        # (the newest: every field's needle, wherever the wrap falls)
        await detail_focused(pilot, app, "needle", rows=2, matching=2)
        await pilot.press("n")
        await wait_until(pilot, lambda: "match 1 of 30 · n N" in str(viewer.detail.border_title),
                         said=lambda: (viewer.detail.border_title, said))
        await pilot.press("escape", "j", "enter", "enter")  # (the far one)
        await wait_until(pilot, lambda: viewer.focused is viewer.detail and viewer.detail.entry is not None
                         and viewer.detail.entry.id == "far", said=lambda: viewer.detail.entry)
        await pilot.press("n")
        await toast_said(pilot, said, "past the first 20,000 characters")


def current_match_cells(app) -> list[str]:
    """The detail's text drawn as the current match (reverse and underlined), as the screen shows it."""
    detail = app.viewer.detail
    lines = app.screen._compositor.render_strips()
    region = detail.content_region
    return [run for y in range(region.y, region.bottom)
            if (run := "".join(segment.text for segment in lines[y]
                               if segment.style is not None and segment.style.reverse and segment.style.underline))]


async def test_n_counts_matches_one_space_apart_one_by_one_and_marks_the_current(tmp_path: Path) -> None:
    """s25 walk #1: thirty needles one space apart were one match ("match 1 of 2" for 60 marks), and every
    mark looked alike, so nothing said which one `n` had gone to."""
    words = {"id": "words", "status": "error", "created_at": "2026-12-01T10:00:00Z", "event": "data.page",
             "notes": " ".join(["needle"] * 30)}
    (tmp_path / "words.jsonl").write_text(json.dumps(words) + "\n")
    app = file_app(tmp_path / "words.jsonl")
    async with app.run_test(size=(160, 48)) as pilot:
        viewer = app.viewer
        await detail_focused(pilot, app, "needle", rows=1)
        assert current_match_cells(app) == []  # (none is current before n)
        await pilot.press("n")
        await wait_until(pilot, lambda: "match 1 of 30 · n N" in str(viewer.detail.border_title),
                         said=lambda: viewer.detail.border_title)
        await settle(pilot)
        assert current_match_cells(app) == ["needle"], current_match_cells(app)
        await pilot.press("n", "n")
        await wait_until(pilot, lambda: "match 3 of 30 · n N" in str(viewer.detail.border_title),
                         said=lambda: viewer.detail.border_title)
        await pilot.press("N", "N", "N")
        await wait_until(pilot, lambda: "match 30 of 30 · n N" in str(viewer.detail.border_title),
                         said=lambda: viewer.detail.border_title)
        await settle(pilot)
        assert current_match_cells(app) == ["needle"], current_match_cells(app)
        assert marked_cells(app)[0].count("needle") >= 2  # (the others still marked beside it)


@pytest.mark.parametrize("size", [(80, 24), (60, 20), (160, 48)])
async def test_the_detail_s_title_keeps_esc_closes_whole_at_any_width(tmp_path: Path, size) -> None:
    """At 80 columns with a search the title was cut to `… n N next/previous match · Esc cl…` (found
    in a walk): its keys are said in fewer words where the border is short, Esc closes kept whole."""
    a_long_entry(tmp_path / "long.jsonl")
    app = file_app(tmp_path / "long.jsonl")
    async with app.run_test(size=size) as pilot:
        viewer = app.viewer
        await detail_focused(pilot, app, "needle")
        detail = viewer.detail
        for step in ("focused", "n", "blurred"):
            if step == "n":
                await pilot.press("n")
                await wait_until(pilot, lambda: "match 1 of 2" in str(detail.border_title) or detail.size.width < 30,
                                 said=lambda: detail.border_title)
            elif step == "blurred":
                await pilot.press("tab")
                await wait_until(pilot, lambda: viewer.focused is not detail)
            await settle(pilot)
            top = screen_text(app).splitlines()[detail.region.y]
            title = str(detail.border_title)
            assert "Esc closes" in title and title in top, (step, top)
            if size[0] >= 160:
                assert title in (detail.SEARCH_TITLE.replace("n N next/previous match", "match 1 of 2 · n N"),
                                 detail.SEARCH_TITLE, detail.TITLE)  # (all of it, where it fits)


async def test_the_detail_opened_again_after_a_new_search_starts_at_its_top(tmp_path: Path) -> None:
    """`n` into the entry, Esc, a new search, Enter on the same row: the detail kept its place, the summary
    under its title scrolled off (found in a walk)."""
    a_long_entry(tmp_path / "long.jsonl")
    app = file_app(tmp_path / "long.jsonl")
    async with app.run_test(size=(120, 40)) as pilot:
        viewer = app.viewer
        await detail_focused(pilot, app, "needle")
        detail = viewer.detail
        await pilot.press("n")
        await wait_until(pilot, lambda: detail.scroll_y > 100, said=lambda: detail.scroll_y)
        await pilot.press("escape", "escape")  # (the detail's focus, then the detail)
        await wait_until(pilot, lambda: not viewer.browser.shown("detail"))
        await pilot.press("slash", "ctrl+u", *"again", "enter")
        await wait_until(pilot, lambda: viewer.session.filters.search == "again" and len(viewer.view) == 1)
        await pilot.press("enter")
        await wait_until(pilot, lambda: viewer.browser.shown("detail") and detail.needle == "again")
        await settle(pilot)
        assert detail.entry.id == "long-one" and detail.scroll_y == 0
