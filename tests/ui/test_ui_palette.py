"""The command palette (ctrl+p): every command once, each doing what it says."""

from __future__ import annotations

from logview.demo import DemoServer
from logview.ui.screens.help import HelpScreen
from pathlib import Path

from ui_helpers import SIZE, file_app, make_app, screen_text, settle


async def palette_titles(pilot, query: str) -> list[str]:
    """The titles the palette lists for `query`, as the user sees them."""
    from textual.command import CommandList, CommandPalette

    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*query)
    await pilot.pause()
    palette = pilot.app.screen
    # the search runs in the palette's workers: wait for them, not for a fixed time (a 0.5 s pause
    # raced Textual's own 0.5 s countdown to "No matches found" on a loaded machine)
    for worker in [worker for worker in pilot.app.workers if worker.node is palette]:
        await worker.wait()
    await pilot.pause()
    options = palette.query_one(CommandList)
    listed = [options.get_option_at_index(i) for i in range(options.option_count)]
    return [str(option.prompt).split("\n")[0] for option in listed if option.id != CommandPalette._NO_MATCHES]


async def test_every_command_is_listed_once(demo: DemoServer) -> None:
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = await palette_titles(pilot, "")
        assert titles and len(titles) == len(set(titles)), titles
        await pilot.press("escape")
        keys = await palette_titles(pilot, "Keys")
        assert keys.count("Keys") == 1
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)  # ours: the full help, every key
        assert "toggle the live tail" in screen_text(app)


def one_entry_file(tmp_path: Path) -> Path:
    path = tmp_path / "logs.jsonl"
    path.write_text('{"id": "a1", "created_at": "2025-11-15T11:00:00.000Z", "status": "success", "tool": "x.y"}\n')
    return path


async def test_a_file_is_offered_no_live_tail(tmp_path: Path) -> None:
    """Found in a walk: the palette offered 'Toggle live tail' on a file, where `t` is not offered."""
    app = file_app(one_entry_file(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = await palette_titles(pilot, "")
        assert "Reload" in titles and "Toggle live tail" not in titles, titles


async def test_the_palette_offers_no_maximize(tmp_path: Path) -> None:
    """Textual's Maximize left the table alone on screen, no status line, sidebar or footer, while
    `/` `d` `h` acted unseen (found in a walk). logview's own commands stay, and Textual's theme."""
    app = file_app(one_entry_file(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = await palette_titles(pilot, "")
        assert "Maximize" not in titles and "Minimize" not in titles, titles
        assert {"Reload", "Keys", "Theme", "Quit"} <= set(titles), titles
        await pilot.press("escape")
        assert (await palette_titles(pilot, "maxim")) == []
