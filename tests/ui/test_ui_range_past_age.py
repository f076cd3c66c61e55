"""A range picked in the viewer that reaches past `archive_max_age` is said, as a launch's is (s27 walk
#6): `--since 3d` under `archive_max_age = "1d"` said at launch "Entries older than 1 day are shown but
not kept", while `d 3d` in the viewer said nothing, and the quit then dropped what it had loaded."""

from __future__ import annotations

import dataclasses

from logview.archive import Archive, Retention
from logview.demo import DemoServer
from logview.model import Filters
from logview.options import ViewerOptions
from logview.ui.app import LogViewApp
from ui_helpers import FAST, SIZE, connection, kept_toasts, settle, wait_until

NOT_KEPT = ("Entries older than 1 day are shown but not kept: the config's archive_max_age drops them from the "
            "archive, so the next run fetches them again.")


async def typed_range(pilot, app: LogViewApp, since: str) -> None:
    """`d`, the range typed over the one in force, Enter; then the load it asks for, done."""
    await pilot.press("d", "ctrl+u", *since, "enter")
    await wait_until(pilot, lambda: app.viewer.session.filters.since_text == since)
    await settle(pilot)


async def test_a_range_typed_past_the_age_is_said_once_and_one_within_it_is_not(fresh_demo: DemoServer,
                                                                                tmp_path) -> None:
    with Archive.open(tmp_path / "archive.sqlite3", retention=Retention(max_age_s=86400)) as archive:
        real = dataclasses.replace(connection(fresh_demo, "aitronos"), demo=False)  # (the demo's is its own run's)
        options = ViewerOptions(filters=Filters().with_time_range("1d", ""), connection=real)
        app = LogViewApp(options, policy=FAST, archive=archive)
        said = kept_toasts(app)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert NOT_KEPT not in said  # (the launch's range is the age's own: the command line says any other)
            await typed_range(pilot, app, "12h")
            assert NOT_KEPT not in said
            await typed_range(pilot, app, "3d")
            await wait_until(pilot, lambda: NOT_KEPT in said, said=lambda: said)
            await pilot.press("r")  # (the same range loaded again: said already)
            await settle(pilot)
            await typed_range(pilot, app, "5d")
            await wait_until(pilot, lambda: said.count(NOT_KEPT) == 2, said=lambda: said)
            assert said.count(NOT_KEPT) == 2, said
