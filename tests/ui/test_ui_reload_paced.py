"""`r` while a Supermetrics backfill waits for the API's budget spent one of the window's few
requests to load again what was loaded, and nothing on screen changed (found in a walk): it now says
that the backfill goes on by itself and spends nothing; `r` again soon reloads all the same."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from logview.demo import DemoServer, DemoState
from ui_helpers import SIZE, kept_toasts, make_app, screen_text, wait_until


@pytest.fixture
def hourly() -> Iterator[DemoServer]:
    state = DemoState(aitronos_entries=0, supermetrics_entries=3000, live_rate=0.0, seed=21,
                      budget={"supermetrics": "4/60"})
    with DemoServer(state) as server:
        yield server


def status_line(app) -> str:
    """The header as drawn once it is told to redraw (the pages fetched so far are posted together,
    `POST_ENTRIES_EVERY_S`: waited for, not paused for)."""
    app.viewer.refresh_status()
    return screen_text(app).splitlines()[0]


def last_note(said: list[str]) -> str:
    return said[-1] if said else ""


async def test_r_while_the_budget_holds_the_backfill_spends_nothing_and_says_why(hourly: DemoServer) -> None:
    app = make_app(hourly, "supermetrics", page_limit=100)
    toasts = kept_toasts(app)
    async with app.run_test(size=SIZE) as pilot:
        budget = app.viewer.feed.api.client.budget
        await wait_until(pilot, lambda: budget.state().waiting, timeout=20)
        # (and every page answered is posted, `POST_ENTRIES_EVERY_S` after it came: a loaded machine's
        # look came between the second page's answer and its rows, 100 loaded where 193 were by `r`)
        await wait_until(pilot, lambda: "backfill waits" in status_line(app) and
                         f"loading page {len(hourly.state.request_log) + 1} " in status_line(app),
                         said=lambda: (status_line(app), hourly.state.request_log))
        assert budget.state().waiting
        requests, loaded, generation = len(hourly.state.request_log), len(app.viewer.store), app.viewer.feed.generation
        await pilot.press("r")
        await wait_until(pilot, lambda: last_note(toasts).startswith("The backfill waits for the API's budget ("),
                         said=lambda: toasts)
        await pilot.pause()  # (not `settle`: the backfill waits a minute for the budget, by design)
        assert len(hourly.state.request_log) == requests and len(app.viewer.store) == loaded
        assert app.viewer.feed.generation == generation and app.viewer.feed.backfilling  # it goes on
        assert "r again within 5 s" in last_note(toasts)
        await pilot.press("r")  # asked for knowingly: it loads again
        await wait_until(pilot, lambda: app.viewer.feed.generation == generation + 1)
        again = "Loading again from the newest entry (API budget "
        await wait_until(pilot, lambda: last_note(toasts).startswith(again), said=lambda: toasts)


async def test_a_tail_needing_more_than_the_budget_shares_it_and_the_line_says_so(hourly: DemoServer) -> None:
    """Found in a walk: with --follow on Supermetrics' hourly budget, the tail (a poll every 2 s:
    1,800 an hour) took every request, the backfill stood still, the line said only "…" and `r`
    said it "goes on by itself". Now the two take turns, and the line and `r` say so, with when the
    next page goes; `t` pausing the tail gives the backfill the whole budget."""
    app = make_app(hourly, "supermetrics", page_limit=100, follow=True, interval_s=2.0)
    toasts = kept_toasts(app)
    async with app.run_test(size=SIZE) as pilot:
        budget = app.viewer.feed.api.client.budget
        await wait_until(pilot, lambda: budget.state().waiting and budget.state().tail_halves, timeout=20)
        await wait_until(pilot, lambda: "shared with the tail (t pauses it)" in status_line(app)
                         and re.search(r"next page ~\d+m \d\ds", status_line(app)), said=lambda: status_line(app))
        await pilot.press("r")
        await wait_until(pilot, lambda: "takes turns with the live tail, t pauses the tail" in last_note(toasts),
                         said=lambda: toasts)
        said = last_note(toasts)
        assert re.search(r"its next page goes by itself in ~\d+m \d\ds", said) and "goes on by itself" not in said
        await pilot.press("t")
        await wait_until(pilot, lambda: "tail paused" in status_line(app), said=lambda: status_line(app))
        line = status_line(app)
        assert "shared with the tail" not in line and "next page ~" in line, line


@pytest.mark.parametrize("width", [120, 80])
async def test_a_narrow_line_sharing_the_budget_with_the_tail_says_when_the_next_page_goes(
        hourly: DemoServer, width: int) -> None:
    """At 120 columns the line fell to "◌ page 3 · shared with the tail …" beside "● live · next
    poll in ~29m 59s": when the next page goes, said at 160, was said nowhere (at 80 too)."""
    app = make_app(hourly, "supermetrics", page_limit=100, follow=True, interval_s=2.0)
    async with app.run_test(size=(width, 40)) as pilot:
        budget = app.viewer.feed.api.client.budget
        await wait_until(pilot, lambda: budget.state().waiting and budget.state().tail_halves, timeout=20)
        await wait_until(pilot, lambda: re.search(r"◌ page \d+ · next page ~\d+m \d\ds …", status_line(app)),
                         said=lambda: status_line(app))
        line = status_line(app)
        assert re.search(r"● (live · )?poll ~\d+m \d\ds", line) and "shown " in line, line  # (in fewer words, as the state)


async def test_at_60_columns_the_tails_next_poll_is_said_in_minutes_not_cut(hourly: DemoServer) -> None:
    """s28 walk #5: at 60 columns the line read "● poll ~8m 1…", cut inside its number (as if eight
    minutes): it says the minutes alone where the seconds do not fit."""
    app = make_app(hourly, "supermetrics", page_limit=100, follow=True, interval_s=2.0)
    async with app.run_test(size=(60, 20)) as pilot:
        budget = app.viewer.feed.api.client.budget
        await wait_until(pilot, lambda: budget.state().waiting and budget.state().tail_halves, timeout=20)
        await wait_until(pilot, lambda: re.search(r"◌ page \d+ · next page ~\d+m \d\ds …", status_line(app)),
                         said=lambda: status_line(app))
        line = status_line(app).rstrip()
        assert re.search(r"◌ page \d+ · next page ~\d+m \d\ds …   ● poll ~\d+m$", line), line
