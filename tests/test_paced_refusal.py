"""How `export` and `sql --sync` say that logview's own pace holds the next request longer than they
wait (s30): as logview's, never with a server's code (`RATE_LIMITED: API budget 7/10 …` read as a 429
that never came), the requests left beside the wait; a 429's wait still running is said as the API's."""

from __future__ import annotations

import pytest

from logview.api.types import BudgetState
from logview.model import PACED_BY_LOGVIEW, ApiError, ApiFailure

HOUR = 3600.0
PACED = BudgetState(limit=10, remaining=7, window_s=HOUR, resets_in_s=HOUR, waiting=True, known=True,
                    reset_known=True)


@pytest.mark.parametrize(("state", "said"), [
    (PACED, "the API budget (7/10 left, resets in 60 min) paces the next request to ~8m 35s from now"),
    (BudgetState(limit=10, remaining=7, window_s=HOUR, resets_in_s=HOUR, waiting=True, known=False,
                 window_known=False),
     "the API budget (~7/10 left, reset time unknown: the API publishes a window of 60 min) paces the next "
     "request to ~8m 35s from now"),
    (BudgetState(limit=10, remaining=0, window_s=HOUR, resets_in_s=515, waiting=True, known=True, reset_known=True),
     "the API budget (0/10 left, resets in 9 min) holds the next request until its reset, ~8m 35s from now"),
    (BudgetState(limit=2, remaining=2, window_s=HOUR, resets_in_s=HOUR, waiting=True, known=True, reset_known=True,
                 unspent=True),
     "the API's published pace (2/h; its budget 2/2 left) paces the next request to ~8m 35s from now"),
    (BudgetState(limit=10, remaining=0, window_s=HOUR, resets_in_s=HOUR, waiting=True, known=True, blocked_s=515),
     "the API answered 429 and asked to wait: the next request may go ~8m 35s from now (API budget 0/10 left)"),
])
def test_the_pace_is_said_in_logviews_words(state, said):
    assert state.holds_next(515) == said


def test_a_refusal_of_logviews_own_pace_says_no_code_and_a_servers_keeps_its_own():
    paced = ApiError(code=PACED_BY_LOGVIEW, message=PACED.holds_next(515), retry_after=515)
    assert ApiFailure(paced).describe() == PACED.holds_next(515)
    refused = ApiError(status=429, code="RATE_LIMITED", message="slow down", request_id="r1")
    assert ApiFailure(refused, gave_up="gave up after 6 attempts").describe() == (
        "HTTP 429 RATE_LIMITED: slow down (request r1); gave up after 6 attempts")
