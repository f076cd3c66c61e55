"""`r` with the API's budget spent (walk s23 #11): it sends one request at once, whatever the pace and
what other clients of the key are kept, and the server's answer says the wait; what remains and when the
window resets stay as the server said (one `r` showed "1/20" left of a spent window, moved a Supermetrics
reset a full hour from the key press, 38 min past the server's, and sent nothing)."""

from __future__ import annotations

import httpx
import pytest

from logview.api.budget import Budget
from logview.api.client import ApiClient, RetryPolicy
from logview.demo import DEMO_SUPERMETRICS_KEY, DEMO_CONNECTOR, DEMO_TEAM, DemoServer, DemoState, Served
from logview.model import ApiFailure
from logview.sources import SupermetricsSource

WINDOW_S = 60


@pytest.fixture
def hourly():
    """Supermetrics' hourly budget, compressed: 5 requests a minute, no reset header (as the API)."""
    with DemoServer(DemoState(aitronos_entries=0, supermetrics_entries=300, live_rate=0.0,
                              budget={"supermetrics": f"5/{WINDOW_S}"})) as server:
        yield server


async def test_r_on_a_window_another_client_spent_sends_one_request_and_the_429_says_the_wait(hourly):
    source = SupermetricsSource(DEMO_TEAM, DEMO_CONNECTOR, base_url=hourly.url)
    headers = source.auth_headers(DEMO_SUPERMETRICS_KEY)
    budget = Budget("supermetrics")
    once = RetryPolicy(max_retries=0)  # the 429's answer ends the fetch: its Retry-After is what the test reads
    async with ApiClient(source.base_url, headers, policy=once, budget=budget) as client:
        async def fetch() -> None:
            await client.fetch(source.logs_path(), {}, source.parse_page)

        await fetch()
        with httpx.Client(base_url=hourly.url, headers=headers) as other:  # another logview on the key
            for _ in range(3):
                assert other.get(source.logs_path()).status_code == 200
        await fetch()  # the window's last request
        spent = budget.state()
        assert (spent.remaining, hourly.state.served("supermetrics")) == (0, Served(requests=5, throttled=0))

        budget.lift_block()  # `r`
        lifted = budget.state()
        assert lifted.remaining == 0 and lifted.resets_in_s <= spent.resets_in_s
        with pytest.raises(ApiFailure) as refused:
            await fetch()
    assert hourly.state.served("supermetrics") == Served(requests=6, throttled=1)  # sent at once, and refused
    told = budget.state()
    assert told.remaining == 0 and 0 < told.blocked_s <= WINDOW_S and told.resets_in_s <= WINDOW_S
    assert refused.value.describe().startswith("HTTP 429 TOO_MANY_REQUESTS: ")  # (the server's refusal: its code, s30)
