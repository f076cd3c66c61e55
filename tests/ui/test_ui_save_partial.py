"""`s` while a tab is still loading (s22 walk #6): the dialog said `Save the 2,400 entries shown`,
the file got 2,700 (pages came while the name was typed), and nothing said ~3,300 more were to
come. The dialog now says the view is partial and how far the load is, its count following the
rows; the save writes the rows shown as it starts, and its toast says how many came after the
dialog last counted them."""

from __future__ import annotations

import re
from pathlib import Path

from logview.demo import DemoServer, DemoState
from logview.ui.screens.save_dialog import SaveDialog
from ui_helpers import SIZE, kept_toasts, make_app, screen_text, toast_said, wait_until


async def test_s_while_a_paced_tab_loads_says_partial_and_what_came_while_typing(tmp_path: Path) -> None:
    # (Aitronos counts its entries: the percent is of them; 2 requests every 3 s, 100 entries a page)
    state = DemoState(aitronos_entries=6000, supermetrics_entries=0, live_rate=0.0, seed=22,
                      budget={"aitronos": "2/3"})
    with DemoServer(state) as server:
        app = make_app(server, "aitronos")
        async with app.run_test(size=SIZE) as pilot:
            viewer = app.viewer
            await wait_until(pilot, lambda: viewer.session.pages >= 2, timeout=20)
            await pilot.press("s")
            await wait_until(pilot, lambda: isinstance(app.screen, SaveDialog))
            dialog = app.screen
            opened_with = dialog.count
            pages = viewer.session.pages
            # (the dialog's title is redrawn every 0.25 s: wait for one that names the rows)
            await wait_until(pilot, lambda: re.search(r"Save the [\d,]+ entries shown \(partial: loading "
                                                      r"(\d+%|, next page ~\d|, waits)", screen_text(app)),
                             said=lambda: screen_text(app)[:2000])
            # a page comes while the name is typed
            await wait_until(pilot, lambda: viewer.session.pages > pages, timeout=20,
                             said=lambda: viewer.session.pages)
            # ... and the dialog's count follows it (its title is redrawn every 0.25 s)
            await wait_until(pilot, lambda: (dialog.said or 0) > opened_with, said=lambda: (dialog.said, opened_with))
            target = tmp_path / "partial.jsonl"
            toasts = kept_toasts(app)
            await pilot.press(*str(target), "enter")
            said = await toast_said(pilot, toasts, "Saved ", timeout=20)
            found = re.search(r"Saved ([\d,]+) entries to .*? \((?:([\d,]+) came while you typed; )?partial: loading ",
                              said)
            assert found is not None, said
            written, came = (int((group or "0").replace(",", "")) for group in found.groups())
            # what the dialog said last, and what came after it, add up to what was saved (s23 walk #6:
            # "Save the 3,000 entries shown", then "Saved 3,600 (800 came while you typed)")
            assert dialog.said is not None and written == dialog.said + came, (said, dialog.said)
            assert len(target.read_bytes().splitlines()) == written
            assert written < 6000
