"""The merged tab's detail names an Aitronos entry's credential as its own tab does: it showed the bare
`tcred_…` id with no name line under it, where the entry's tab showed `Work Gmail · dana… · gmail`
(found by a tester: several profiles open, `all`, `4`, Enter on an Aitronos row)."""

from __future__ import annotations

from logview.demo import DemoServer
from logview.demo.data import CREDENTIALS
from ui_helpers import SIZE, detail_text, settle, two_tabs_app, wait_until


async def test_the_merged_detail_names_the_credential_as_its_tab_does(demo: DemoServer) -> None:
    app = two_tabs_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        ait, _sm, merged = app.viewers
        await settle(pilot)
        await wait_until(pilot, lambda: ait.names.credentials != {}, said=lambda: ait.names.credentials)
        await pilot.press("right_square_bracket", "right_square_bracket")
        await wait_until(pilot, lambda: app.screen is merged and len(merged.view) == len(demo.state.aitronos_logs)
                         + len(demo.state.supermetrics_logs), said=lambda: len(merged.view))
        await pilot.press("4")  # (errors: both APIs' rows)
        await settle(pilot)
        rows = merged.session.origins_of(merged.view.index[:50])
        await pilot.press(*["down"] * rows.index("demo data (aitronos)"), "enter")
        await pilot.pause()
        entry = merged.browser.selected_entry()
        credential = next(c for c in CREDENTIALS if c.id == entry.raw["credential_id"])
        detail = detail_text(app)
        assert "demo data (aitronos) · " in detail and credential.id in detail
        assert f"{credential.display_name} · {credential.account_email} · {credential.tool_key}" in detail, detail
