"""The saves (`s`) of one app, and quitting while one is unwritten.

The app owns one `Saves` and hands it to each viewer: it knows which saves are being written
(`SaveRun`: how far each is, and a stop asked of it) and which wait for the rows to settle, and
asks before `q` quits while any is unwritten (the `ConfirmQuit` dialog, which reads its question
here). The writing itself is `save.py`'s.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from textual.app import App
from textual.screen import Screen
from textual.timer import Timer

from logview.files.watch import FileWatch
from logview.model import counted
from logview.session import ViewerSession
from logview.ui.workers import running

if TYPE_CHECKING:  # (the writing, and its formats, load at the first save)
    from logview.ui.save import SaveRun

QUITS = "Enter or y quits · Esc or n cancels"
PROGRESS_EVERY_S = 0.5  # how often the status line says again how far a save is


class SaidAtSave(NamedTuple):
    """What `s`'s dialog said as it closed: the rows shown (None: it named no count, the rows still
    settling), and why they are a part of what they will be (asked again as the save starts)."""

    opened_with: int | None = None
    partial: Callable[[], str | None] = lambda: None


class Saves:
    """The saves of `app`'s viewers being written or waiting to be, and `q`'s question meanwhile."""

    def __init__(self, app: App, leave: Callable[[], None] | None = None,
                 progress: Callable[[], None] = lambda: None) -> None:
        """`progress`: says how far the saves are (the viewers' status lines: `saving_words`),
        called every PROGRESS_EVERY_S while one is written, and once it has ended."""
        self._app = app
        self._leave = leave or (lambda: app.exit(0))  # (quitting, once no save is left: it may wait for the archive)
        self._progress = progress
        self._ticking: Timer | None = None
        self._waiting: set[Path] = set()  # saves waiting for the rows to settle
        self._runs: list[SaveRun] = []  # saves being written (and some just ended: `being_written` forgets them)
        # No waiting save starts under "quit anyway? It will not be written" (one started behind it,
        # and `y` then left a blank screen for 8 s while it wrote the file, s21 walk #1).
        self._asking_to_quit = False
        self._asked_about: set[Path] = set()  # what was unwritten when `q` asked

    # -- saving ---------------------------------------------------------------------------
    def ask_where(self, screen: Screen, session: ViewerSession, partial: Callable[[], str | None],
                  shown_file: FileWatch | None = None) -> None:
        """`s`: ask where to write the rows `session` shows, then write them once they settle
        (`partial`: why they are a part of what they will be, `ViewerSession.save_note`; `shown_file`:
        the file they were read from, watched: a save over it is asked and said as such)."""
        from logview.ui.screens.save_dialog import SaveDialog  # (dialogs load when asked for)

        if running(screen, "save"):  # (a second save to the same new name would race it)
            screen.notify("A save is still being written: its message says when it is done.", timeout=4, markup=False)
            return
        # (more rows that come while the name is typed are saved too, the most the user can have: the
        # dialog's count follows them, and the toast says those that came after it last said one)
        dialog = SaveDialog("logview-export.jsonl", lambda: len(session.view), session.save_waits_for,
                            merged=session.merged, partial=partial,
                            replacing=lambda path, shown, count: replace_question(shown_file, session, path, shown,
                                                                                  count),
                            refusing=lambda path: csv_over_shown(shown_file, path))
        self._app.push_screen(dialog, lambda path: path is not None and self.save_when_settled(
            screen, path, session, SaidAtSave(dialog.said, partial), shown_file))

    def save_when_settled(self, screen: Screen, path: Path, session: ViewerSession,
                          said: SaidAtSave = SaidAtSave(), shown_file: FileWatch | None = None) -> None:
        """Save the view once it shows every row its filters pick: a big file's fields still being
        read, a mixed file still being read, or a search still running, would otherwise leave the
        file short without a word (`ViewerSession.save_waits_for`)."""
        from logview.ui.save import save_view

        awaited = session.save_waits_for()
        over = shown_file if shown_file is not None and shown_file.holds(path) else None
        if awaited is None:
            save_view(screen, path, session, self._begun, said.opened_with, said.partial(), over)
            return
        screen.notify(f"Saving to {path} once {awaited} …", markup=False, timeout=4)
        self._waiting.add(path)

        def check() -> None:
            if path not in self._waiting:  # dropped: the user quit anyway
                timer.stop()
            elif session.save_waits_for() is None and not self._asking_to_quit:
                timer.stop()
                self._waiting.discard(path)
                save_view(screen, path, session, self._begun, said.opened_with, said.partial(), over)

        timer = screen.set_interval(0.1, check)

    def _begun(self, run: SaveRun) -> None:
        self._runs.append(run)
        if self._ticking is None:  # (the toast is gone after 4 s; a million entries to CSV took 35, s28 walk #11)
            self._ticking = self._app.set_interval(PROGRESS_EVERY_S, self._tick)
        self._progress()

    def _tick(self) -> None:
        if not self.being_written() and self._ticking is not None:
            self._ticking.stop()
            self._ticking = None
        self._progress()

    def saving_words(self) -> str:
        """How far the save being written is, for the status line (`saving big2.csv 42%`); "" when none is."""
        runs = self.being_written()
        if not runs:
            return ""
        run = runs[0]
        more = f" (+{len(runs) - 1} more)" if len(runs) > 1 else ""
        return f"saving {run.path.name} {run.written * 100 // max(1, run.rows)}%{more}"

    def being_written(self) -> list[SaveRun]:
        self._runs = [run for run in self._runs if not run.finished]
        return list(self._runs)

    def unwritten(self) -> set[Path]:
        """The saves being written or waiting to be."""
        return self._waiting | {run.path for run in self.being_written()}

    # -- quitting -------------------------------------------------------------------------
    def ask_to_quit(self) -> None:
        """`q`: quit, but ask first while a save is being written or waits to be: quitting dropped
        it (a walk's save of 1,000,000 entries vanished without a word, exit 0)."""
        from logview.ui.screens.confirm import ConfirmQuit

        self._asked_about = self.unwritten()
        if not self._asked_about:
            self._leave()
            return
        self._asking_to_quit = True
        self._app.push_screen(ConfirmQuit(self), self._answered)

    def _answered(self, yes: bool | None) -> None:
        self._asking_to_quit = False
        if yes:
            self.quit_now()

    def quit_now(self) -> None:
        """Quit as the user answered: the saves being written are stopped (their thread leaves the
        next chunk unwritten and removes the file begun), those still waiting are dropped."""
        self._waiting.clear()
        for run in self.being_written():
            run.stop()
        self._app.exit(0)

    def wait_then_quit(self) -> None:
        """`w` in the quit dialog: the saves go on (a waiting one starts once its rows settle)."""
        self._asking_to_quit = False

    def all_written(self) -> bool:
        return not self.unwritten()

    def quit_question(self, waiting: bool) -> tuple[str, str]:
        """The quit dialog's question and keys as things stand (it asks again every 0.2 s: it stayed
        up saying "It will not be written" under the toast saying the file was saved, s19 V5)."""
        runs, left = self.being_written(), self.unwritten()
        if not left:
            return f"The save to {_names(self._asked_about)} has ended (see its message): quit now?", QUITS
        written = "".join(f" ({run.written:,} of {counted(run.rows)} written)" for run in runs[:1])
        if waiting:
            return (f"Quitting once the save to {_names(left)} is written{written} …",
                    "Enter or y stops it and quits now · Esc or n stays")
        if runs:
            # (a pipe took what was written as it came: the dialog said "removed" of it, s22)
            kept = "".join(f" It is stopped; the part written stays in {run.path} ({run.in_place})."
                           for run in runs[:1] if run.in_place)
            return (f"A save to {_names(left)} is being written{written}: quit anyway?"
                    f"{kept or ' It is stopped, and the part written removed.'}",
                    "w waits for it, then quits · Enter or y stops it and quits · Esc or n cancels")
        return (f"A save to {_names(left)} is not finished: quit anyway? It will not be written.",
                f"w saves it, then quits · {QUITS}")


def replace_question(shown_file: FileWatch | None, session: ViewerSession, path: Path, shown: str,
                     count: int | None) -> str | None:
    """The save dialog's question before it replaces the file shown (`shown`, `count`: the entries shown,
    in words and in number, None while they settle), what leaves the file said; None for another file
    (a replace of the file shown was asked as of any file, s25 walk #9)."""
    if shown_file is None or not shown_file.holds(path):
        return None
    question, read = f"{path} is the file shown. Replace it with {shown}", len(session.store)
    if session.capped:
        return f"{question}? It was read only in part (--max-entries): the rest will no longer be in it."
    if count is not None and count < read:
        return f"{question}? The other {read - count:,} read from it will no longer be in it."
    return f"{question}{', all those read from it' if count is not None else ''}?"


def csv_over_shown(shown_file: FileWatch | None, path: Path) -> str | None:
    """Why a save as CSV may not take the file shown's place (it is named `.csv`, or linked to by
    such a name): the file is JSONL (`--file` reads nothing else), and CSV under its name would put
    the source's columns in place of the entries as received, a file `--file` and `r` then refuse.
    Refused, not asked: the JSONL is lost whatever the answer (a CSV name was not special, s26)."""
    from logview.files.writer import format_for  # (as the save dialog does: when asked)

    if shown_file is None or format_for(None, path) != "csv" or not shown_file.holds(path):
        return None
    return (f"{path} is the file shown, read as JSONL: as CSV it would hold the source's columns instead of the "
            "entries as received, and --file could not open it again. Save the CSV under another name.")


def _names(paths: set[Path]) -> str:
    return ", ".join(sorted(str(path) for path in paths))

