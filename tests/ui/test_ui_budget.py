"""The API's request budget on the status line: shown when it binds (what remains, when it resets,
that the backfill waits, when the backfill will be done), and never a 429 from a paced backfill."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from logview.demo import DemoServer, DemoState
from ui_helpers import SIZE, make_app, screen_text, settle


@pytest.fixture
def metered() -> Iterator[DemoServer]:
    state = DemoState(aitronos_entries=1000, supermetrics_entries=0, live_rate=0.0, seed=21,
                      budget={"aitronos": "4/1.5"})
    with DemoServer(state) as server:
        yield server


async def test_the_status_line_shows_the_budget_while_it_holds_the_backfill_back(metered) -> None:
    app = make_app(metered, page_limit=100)
    seen: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(80):
            await pilot.pause(0.1)
            app.viewer.refresh_status()
            line = screen_text(app).splitlines()[0]
            if "API budget" in line:
                seen.append(line)
            if app.viewer.session.phase == "complete":
                break
        await settle(pilot)
        assert len(app.viewer.store) == 1000
        final = screen_text(app).splitlines()[0]
    assert seen, "the budget never showed while it held the backfill back"
    assert any("backfill waits" in line and "/4" in line for line in seen)
    assert any("done in ~" in line for line in seen)  # Aitronos counts its entries: an estimate
    assert "API budget" not in final  # once nothing waits, it is not in the way
    assert metered.state.served("aitronos").throttled == 0
