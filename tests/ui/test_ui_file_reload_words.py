"""`r` as the help (`?`) and the palette describe it over a file (found by a tester): they said an API's
`r`, "reload; after an error: retry; during a retry's wait: send it now…" and "Load again from the newest
entry; retries after an error", where over a file it reads the file again and tells its API again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from test_ui_help_scope import help_text
from ui_helpers import SIZE, file_app, make_app, settle

FILE_R = ("r read the file again, as it is now, and tell its API again (another API's export in its place is read "
          "as that)")
API_R = "r reload; after an error: retry; during a retry's wait: send it now"
FILE_PALETTE = "Reload Read the file again as it is now, telling its API again (r)"
API_PALETTE = "Reload Load again from the newest entry; retries after an error (r)"
ENTRY = {"id": "a1", "log_time": "2025-11-15T11:00:00Z", "status": 200, "event": "x"}


async def palette_reload(pilot) -> str:
    """The palette's Reload command as listed: its title and its help."""
    from textual.command import CommandList

    await pilot.press("ctrl+p", *"Reload")
    palette = pilot.app.screen
    for worker in [worker for worker in pilot.app.workers if worker.node is palette]:
        await worker.wait()
    await pilot.pause()
    options = palette.query_one(CommandList)
    prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
    await pilot.press("escape")
    return " ".join(next(prompt for prompt in prompts if prompt.startswith("Reload")).split())


@pytest.mark.parametrize("shown", ["plain", "mixed", "api"])
async def test_r_is_described_as_what_it_does_on_the_source_shown(tmp_path: Path, request, shown: str) -> None:
    path = tmp_path / "logs.jsonl"
    path.write_text(json.dumps({"source": "b", "api": "supermetrics", "entry": ENTRY} if shown == "mixed" else ENTRY))
    app = make_app(request.getfixturevalue("demo")) if shown == "api" else file_app(path)
    said, unsaid, palette = (API_R, FILE_R, API_PALETTE) if shown == "api" else (FILE_R, API_R, FILE_PALETTE)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = await help_text(app, pilot)
        assert said in text and unsaid not in text, text
        assert await palette_reload(pilot) == palette
