"""Regenerate the README's screenshots (SVG, through Textual's own screenshot export) from the
embedded demo server's fixed dataset, at 160×48:

    .venv/bin/python docs/screenshots.py
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from logview.demo import DEMO_AITRONOS_KEY, DEMO_CONNECTOR, DEMO_ORG, DEMO_SUPERMETRICS_KEY, DEMO_TEAM
from logview.demo import DemoServer, DemoState
from logview.model import Filters
from logview.options import Connection, ViewerOptions
from logview.sources import AitronosSource, SupermetricsSource
from logview.ui.app import LogViewApp

HERE = Path(__file__).parent
NOW = datetime(2025, 11, 15, 12, 0, tzinfo=timezone.utc)


def app_for(server: DemoServer, kind: str) -> LogViewApp:
    if kind == "aitronos":
        connection = Connection(AitronosSource(DEMO_ORG, base_url=server.url), DEMO_AITRONOS_KEY, "demo data (aitronos)")
    else:
        connection = Connection(SupermetricsSource(DEMO_TEAM, DEMO_CONNECTOR, base_url=server.url),
                                DEMO_SUPERMETRICS_KEY, "demo data (supermetrics)")
    return LogViewApp(ViewerOptions(filters=Filters(), connection=connection))


async def shoot(server: DemoServer, kind: str, keys: list[str], name: str) -> None:
    app = app_for(server, kind)
    async with app.run_test(size=(160, 48)) as pilot:
        while app.viewer.session.phase == "loading":
            await pilot.pause(0.05)
        await pilot.pause(0.5)
        for key in keys:
            await pilot.press(key)
            await pilot.pause(0.3)
        await pilot.pause(0.5)
        app.save_screenshot(filename=f"{name}.svg", path=str(HERE))
    print(f"wrote {HERE / (name + '.svg')}")


async def main() -> None:
    state = DemoState(aitronos_entries=5000, supermetrics_entries=20000, live_rate=0.0, now=NOW, seed=7)
    with DemoServer(state) as server:
        await shoot(server, "supermetrics", ["h", "left", "left", "left", "left", "left"], "histogram")
        await shoot(server, "aitronos", ["i", "down", "down"], "stats")


if __name__ == "__main__":
    os.environ["TZ"] = "UTC"
    time.tzset()
    sys.exit(asyncio.run(main()))
