"""The viewer's default start under the config's `archive_max_age` (`within_retention`): from that age on,
unless the user's range names a start, or an end older than the age (s25 walk #7: `--until 2d` under
`archive_max_age = "1d"` crashed with a reversed range the user never typed)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from logview.archive.retention import Retention
from logview.cli.age_range import within_retention
from logview.model import Filters
from logview.options import Connection, ViewerOptions
from logview.sources import AitronosSource

DAY = Retention(max_age_s=86_400)


def options(filters: Filters) -> ViewerOptions:
    return ViewerOptions(filters=filters, connection=Connection(AitronosSource("org_1"), "k", "aitronos org_1"))


def test_no_range_loads_from_the_age_on() -> None:
    bounded = within_retention(options(Filters()), DAY).filters
    assert bounded.since_text == "1d" and bounded.until is None


def test_an_end_within_the_age_keeps_it_and_starts_at_the_age() -> None:
    bounded = within_retention(options(Filters().with_time_range("", "1h")), DAY).filters
    assert (bounded.since_text, bounded.until_text) == ("1d", "1h")


@pytest.mark.parametrize("until", ["2d", (datetime.now(timezone.utc) - timedelta(days=3)).strftime("%Y-%m-%d")])
def test_an_end_older_than_the_age_is_the_users_range_as_given(until: str) -> None:
    given = options(Filters().with_time_range("", until))
    assert within_retention(given, DAY) is given


def test_a_start_the_user_gave_is_kept() -> None:
    given = options(Filters().with_time_range("3d", ""))
    assert within_retention(given, DAY) is given
