"""The status line and the banner at a cap met exactly (s20 #5): "capped … older entries not loaded"
only when older entries exist, "older entries may exist" when it cannot be known without a request
the budget has not to spare, and "all loaded" when the server held no more."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from logview.demo import DemoServer, DemoState
from ui_helpers import SIZE, make_app, screen_text, settle

PAGE = 100
CAPS = {"aitronos": 300, "supermetrics": 397}  # (a full last page: see tests/test_cap_exact.py)


def empty_server(**budget: str) -> DemoServer:
    return DemoServer(DemoState(aitronos_entries=0, supermetrics_entries=0, live_rate=0.0, budget=budget or None))


@pytest.fixture
def empty() -> Iterator[DemoServer]:
    with empty_server() as server:
        yield server


def fill(server: DemoServer, kind: str, count: int) -> None:
    if kind == "aitronos":
        server.state.insert_aitronos(count)
    else:
        server.state.insert_supermetrics(count, same_time=False)


@pytest.mark.parametrize("kind", ["aitronos", "supermetrics"])
@pytest.mark.parametrize("offset", [-1, 0, 1])
async def test_the_status_line_says_capped_only_when_older_entries_exist(empty: DemoServer, kind, offset) -> None:
    cap = CAPS[kind]
    fill(empty, kind, cap + offset)
    app = make_app(empty, kind, max_entries=cap, page_limit=PAGE)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        status, text = screen_text(app).splitlines()[0], screen_text(app)
        assert len(app.viewer.store) == cap + min(offset, 0)
        if offset > 0:
            assert f"capped at {cap} — older entries not loaded" in status, status
            assert "the cap (--max-entries) was reached, older entries were not loaded" in text
        else:
            assert "all loaded" in status and "capped" not in status, status
            assert "--max-entries" not in text


async def test_a_budget_without_a_request_to_spare_says_older_entries_may_exist() -> None:
    # Supermetrics' budget of 3 an hour: the second page takes the window's burst, a third would
    # wait ~an hour; the second page was full, so whether anything is older is not known.
    with empty_server(supermetrics="3/3600") as server:
        cap = 2 * PAGE - 1  # (the second page re-asks one entry from its boundary)
        fill(server, "supermetrics", cap)
        app = make_app(server, "supermetrics", max_entries=cap, page_limit=PAGE)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            status, text = screen_text(app).splitlines()[0], screen_text(app)
            assert len(app.viewer.store) == cap
            assert f"stopped at the cap of {cap} · older entries may exist" in status, status
            assert "the cap (--max-entries) was reached, older entries may exist" in text
