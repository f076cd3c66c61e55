"""Ctrl-C in a field (`/` search, `d` dates) said nothing (s29 walk #8): on the table it says how to quit
("Press ctrl+q to quit the app", Textual's answer to the reflex), but a field runs its own keys at once
(`fields.py`), and its ctrl+c, copy, with nothing selected, did nothing, the app's answer never reached.
With nothing selected it says how to quit there too; the field keeps what was typed."""

from __future__ import annotations

from pathlib import Path

from test_ui_empty_keys import write_file
from ui_helpers import SIZE, file_app, kept_toasts, settle, wait_until

HINT = "Press [b]ctrl+q[/b] to quit the app"


async def test_ctrl_c_in_the_search_field_says_how_to_quit(tmp_path: Path) -> None:
    app = file_app(write_file(tmp_path / "few.jsonl", 3))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        said = kept_toasts(app)
        await pilot.press("slash", "a", "b", "ctrl+c")
        await wait_until(pilot, lambda: said, said=lambda: said)
        assert said == [HINT], said  # (the toast as it is said: its markup's [b] taken as markup)
        assert app.focused is not None and getattr(app.focused, "value", None) == "ab"
        assert app.return_code is None  # (still running: ctrl+q quits, not ctrl+c)
