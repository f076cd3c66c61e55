"""`s` to a .csv of a file with lines that are not JSON objects (s21 walk #11): the CSV holds the
entries, and the message says how many lines it left out, as `logview export` says it on stderr."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from test_export_fieldless import mixed_file
from test_ui_save_dialogs import type_save_name
from ui_helpers import SIZE, file_app, kept_toasts, settle, wait_until


async def test_a_csv_save_says_what_it_left_out_and_a_jsonl_save_keeps_every_line(tmp_path: Path) -> None:
    app = file_app(mixed_file(tmp_path))
    toasts = kept_toasts(app)  # (the messages as said: a toast wraps its text between borders on the screen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        target = tmp_path / "saved.csv"
        await type_save_name(pilot, str(target))
        said = ("Saved 3 entries to " + str(target) + "; 3 entries with no CSV columns (not JSON objects: "
                ".jsonl keeps them) left out")
        await wait_until(pilot, lambda: said in toasts, said=lambda: toasts)
        rows = list(csv.reader(io.StringIO(target.read_text(), newline="")))
        assert sorted(row[0] for row in rows[1:]) == ["h1", "h2", "h3"]

        kept = tmp_path / "saved.jsonl"
        await type_save_name(pilot, str(kept))
        await wait_until(pilot, lambda: f"Saved 6 entries to {kept}" in toasts, said=lambda: toasts)
        assert len(kept.read_bytes().splitlines()) == 6
