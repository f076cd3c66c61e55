"""The footer names the keys that act in the state shown (s23 walk #7): a failed load's `r` within
80 columns, a Supermetrics source's `c`, and no `c` where there is no connector to choose (the key
still says why)."""

from __future__ import annotations

from logview.demo import DemoServer
from ui_helpers import file_app, kept_toasts, make_app, screen_text, settle, toast_said, wait_until


def footer_line(app) -> str:
    return screen_text(app).splitlines()[-1]


async def test_a_failed_load_at_80_columns_names_r_in_the_footer(demo: DemoServer) -> None:
    app = make_app(demo, "aitronos", key="not-the-key")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.viewer.session.phase == "error", said=lambda: app.viewer.session.phase)
        await settle(pilot)
        assert "r Reload" in footer_line(app), footer_line(app)


async def test_a_supermetrics_source_offers_c_and_an_aitronos_one_does_not(demo: DemoServer) -> None:
    app = make_app(demo, "supermetrics")
    async with app.run_test(size=(200, 48)) as pilot:
        await settle(pilot)
        assert "c Connector" in footer_line(app), footer_line(app)
    app = make_app(demo, "aitronos")
    async with app.run_test(size=(200, 48)) as pilot:
        await settle(pilot)
        assert "Connector" not in footer_line(app), footer_line(app)
        said = kept_toasts(app)
        await pilot.press("c")  # (not offered, but the key says why)
        await toast_said(pilot, said, "Supermetrics")


async def test_a_file_offers_no_c_and_the_key_says_why(tmp_path, demo: DemoServer) -> None:
    path = tmp_path / "sm.jsonl"
    path.write_text('{"id": "a", "status": "success", "created_at": "2026-12-01T10:00:00Z", "event": "e"}\n')
    app = file_app(path)
    async with app.run_test(size=(200, 48)) as pilot:
        await wait_until(pilot, lambda: len(app.viewer.view) == 1)
        await settle(pilot)
        assert "Connector" not in footer_line(app), footer_line(app)
        said = kept_toasts(app)
        await pilot.press("c")
        await wait_until(pilot, lambda: len(said) > 0)
