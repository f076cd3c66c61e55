"""A wait the banner counts down keeps its number and unit on one row: at 160 columns a retry's
message of the right length wrapped "retrying in 3" above "s, attempt 2/5" (s29)."""

from __future__ import annotations

import pytest

from logview.api.types import RetryEvent
from logview.model import ApiError
from ui_helpers import SIZE, make_app, screen_text, settle

WORDS = "the upstream answered that it is busy for now and asks to come back later " * 3


def banner_rows(app) -> list[str]:
    box = app.viewer.banner.region
    return [line[box.x:box.right].strip(" ▌│") for line in screen_text(app).splitlines()[box.y:box.bottom]]


@pytest.mark.parametrize("wait_s, said", [(2.6, "3 s"), (124.6, "2m 05s")])
async def test_a_retry_countdown_never_wraps_between_its_number_and_its_unit(demo, wait_s: float, said: str) -> None:
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        banner, split = app.viewer.banner, []
        for length in range(60, 160):  # (some put the wait at the banner's edge, whatever its width)
            error = ApiError(status=503, code="UNAVAILABLE", message=WORDS[:length].strip(), retryable=True)
            banner.show_retry(RetryEvent(attempt=1, max_attempts=5, wait_s=wait_s, error=error), context="loading")
            await pilot.pause()
            rows = "\n".join(banner_rows(app))
            assert "retrying" in rows and "2/5" in rows, rows
            if said not in rows:  # (each row's words are its own: a wrap parted them with a line break)
                split.append(rows)
        banner.clear("retry")
        assert not split, split[0]
