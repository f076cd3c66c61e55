"""The banner says an envelope's `details` in the words `export` prints (s31): `organization_id:
org_other`, not the raw JSON `{"organization_id":"org_other"}` it showed under the error."""

from __future__ import annotations

import pytest

from logview.demo import DEMO_AITRONOS_KEY, DemoServer
from logview.model import Filters
from logview.options import Connection, ViewerOptions
from logview.sources.aitronos import AitronosSource
from logview.ui.app import LogViewApp
from ui_helpers import FAST, screen_text, settle, wait_until


@pytest.mark.parametrize("size", [(160, 48), (80, 24)], ids=["160x48", "80x24"])
async def test_a_refused_organization_shows_its_details_as_words(fresh_demo: DemoServer, size) -> None:
    source = AitronosSource("org_other", base_url=fresh_demo.url)
    options = ViewerOptions(filters=Filters(), connection=Connection(source, DEMO_AITRONOS_KEY, "other org"))
    app = LogViewApp(options, policy=FAST)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await wait_until(pilot, lambda: "INSUFFICIENT_PERMISSIONS" in screen_text(app))
        if "m shows all" in screen_text(app):  # (folded on a small screen: m unfolds it)
            await pilot.press("m")
            await settle(pilot)
        text = screen_text(app)
        assert "Insufficient permissions for this operation" in text
        assert "organization_id: org_other" in text
        assert "{" not in text and '"organization_id"' not in app.viewer.banner.plain()
