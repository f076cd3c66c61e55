"""The viewer app: the styles, the tabs, and the first screen.

Each source the app is opened on gets a `ViewerScreen` (see `viewer.py`) of its own; the app
shows one at a time and keeps the others loading; `app.viewer` is the one on screen.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, on
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.filter import LineFilter
from textual.screen import Screen

from logview.settings.column_choice import ColumnChoice
from logview.options import ViewerOptions
from logview.settings.saved_filters import SavedFilters
from logview.sources.base import Source
from logview.files.jsonl import FileKind
from logview.ui.bulk_gc import STARTUP_HOLD_S, release_startup_hold
from logview.ui.crash import crash_report
from logview.ui.keys_in import KeysIn
from logview.ui.names import Names, share_credential_names
from logview.ui.file_api import FileApiChanged
from logview.ui.file_viewer import first_viewer, made_again
from logview.ui.quit_archiving import QuitWhileArchiving
from logview.ui.saves import Saves
from logview.ui.screens.dialog import Palette
from logview.ui.stylesheet import KeptStyles, ParsedOnceStylesheet, kept_styles_folder
from logview.ui.textual_internals import escape_then_key, name_keys_first, unhandled_error
from logview.ui.theme_choice import launch_theme
from logview.ui.viewer import ViewerScreen
from logview.ui.widgets.key_footer import key_character, key_display
from logview.ui.widgets.styling import LegibleText
from logview.ui.widgets.tab_strip import TabStrip, merged_tab_label

if TYPE_CHECKING:  # the archive (sqlite) loads when an API source keeps one, not for a file
    from collections.abc import Mapping

    from rich.console import RenderableType
    from textual.actions import ActionParseResult
    from textual.dom import DOMNode

    from logview.api.types import RetryPolicy
    from logview.archive import Archive, Retention

# Textual's own palette commands that logview leaves out: its "Keys" (the viewer has its own), and
# "Maximize" (with its "Minimize"), which hid the status line, the sidebar and the footer while the
# keys went on acting unseen: `/GET⏎` filtered the table with nothing to say so (found in a walk)
LEFT_OUT = frozenset({"Keys", "Maximize", "Minimize"})
# The demo's welcome is ~10 lines drawn (title, 7 lines, borders): on a shorter screen, its fewest words
WELCOME_WHOLE_FROM = 16
SHORT_WELCOME = "Demo data: logview config says how to read yours. Esc hides this."

# logview's keys are named without Textual's lookup in the Unicode name table (`key_footer.KEY_CHARACTERS`:
# why); Textual's own function names the rest
name_keys_first(key_character)
escape_then_key()  # (Esc and a key typed at once after it are both keys, not Alt+key: why there)


def styles_dir() -> Path:
    """The shipped styles (wheel: logview/styles) or, in a source checkout, the repo's styles/.
    (Looked up beside the package, not with `importlib.resources`: ~1.5 ms of imports at start-up,
    and Textual reads the styles from a directory on disk either way.)"""
    package = Path(__file__).resolve().parents[1]
    packaged = package / "styles"
    return packaged if packaged.is_dir() else package.parents[1] / "styles"


def stylesheets() -> list[Path]:
    return sorted(styles_dir().glob("*.tcss"))


class LogViewApp(App[int]):
    """The viewer: one `ViewerScreen` per source it was opened on, as tabs (`[` and `]`)."""

    TITLE = "logview"
    CSS_PATH = stylesheets()
    BINDINGS = [
        # (named in a footer of several tabs where it has room: only the tab row said them, s23 walk #7)
        Binding("right_square_bracket", "switch_tab(1)", "Tabs", key_display="[ ]"),
        Binding("left_square_bracket", "switch_tab(-1)", "Previous tab", show=False),
        *(Binding(key, "no_tabs", show=False) for key in ("right_square_bracket", "left_square_bracket")),
    ]

    def __init__(self, options: ViewerOptions, *more: ViewerOptions, policy: RetryPolicy | None = None,
                 source: Source | None = None, file_kind: FileKind | None = None,
                 saved_filters: SavedFilters | None = None, column_choice: ColumnChoice | None = None,
                 archive: Archive | None = None, archive_problem: str | None = None,
                 kept_styles: KeptStyles | None = None) -> None:
        """One viewer on `options` (a file needs its `source` and `file_kind`; a mixed file opens
        as the merged timeline), and a tab more for each of `more` (connections to APIs).
        `archive`: where API entries are kept and read back (`archive_problem`: why there is
        none although one was wanted, said once on screen). `kept_styles`: the styles parsed at
        an earlier launch (`stylesheet.py`)."""
        super().__init__()
        self.legible_text = LegibleText()
        # (no source read yet: the stylesheet Textual made holds only the theme's variables)
        if ParsedOnceStylesheet.fits(self.stylesheet):
            self.stylesheet = ParsedOnceStylesheet.instead_of(self.stylesheet, kept=kept_styles)
        self.archive_problem = archive_problem
        self.welcome = options.welcome
        self.notes = options.notes
        labels = [tab_label(o) for o in (options, *more)]
        labels += [merged_tab_label(labels)] if more else []
        # (the saves being written, and quitting meanwhile; then the archive's writer, if behind)
        self.saves = Saves(self, leave=QuitWhileArchiving(self, lambda: self.viewers).quit,
                           progress=lambda: [viewer.refresh_status() for viewer in self.viewers])
        settings = {"saved_filters": saved_filters, "column_choice": column_choice, "saves": self.saves}
        self._first = partial(first_viewer, options, policy=policy, tabs=labels if more else None, archive=archive, **settings)
        first = self._first(source, file_kind)
        self._drawn: set[ViewerScreen] = set()  # viewers a frame was drawn of (see `post_display_hook`)
        self.closing = False  # `exit` was asked: what else was typed acts no more (`run_action`)
        self.keys_in = KeysIn(self)  # (each key's way in: the reading stands back, the layout, a dialog's burst)
        self.viewers = [first]
        self.viewers += [ViewerScreen(extra, policy=policy, tabs=labels, tab=index, archive=archive, **settings)
                         for index, extra in enumerate(more, start=1)]
        if more:  # and a last tab: all of them merged into one timeline
            from logview.ui.merged import MergedScreen, reach_of, source_of

            share_credential_names(viewer.names for viewer in self.viewers)  # (one lookup for an organization's tabs)
            sources = list(zip(labels, self.viewers))
            self.viewers.append(MergedScreen(lambda: [(label, viewer.store) for label, viewer in sources],
                                             sources=lambda: [source_of(viewer) for _, viewer in sources],
                                             reaches=lambda: [reach_of(label, viewer) for label, viewer in sources],
                                             credentials=lambda: [viewer.names.credentials for _, viewer in sources],
                                             retry_failed=self._retry_failed, toggle_tails=self._toggle_tails,
                                             tabs=labels, tab=len(labels) - 1,
                                             **settings))

    @on(FileApiChanged)
    async def _file_api_changed(self, changed: FileApiChanged) -> None:
        await made_again(self, self.viewers, self._first, changed)

    @property
    def viewer(self) -> ViewerScreen:
        """The viewer on screen (under any dialog), or the first before one is shown."""
        for screen in reversed(self.screen_stack):
            if isinstance(screen, ViewerScreen):
                return screen
        return self.viewers[0]

    def get_line_filters(self) -> Sequence[LineFilter]:
        # (after Textual's: a theme's ANSI and dim colours are resolved by then)
        return [*super().get_line_filters(), self.legible_text]

    async def on_mount(self) -> None:
        self.set_timer(STARTUP_HOLD_S, release_startup_hold)  # should no rows come (the viewer's first rows do)
        # Every tab is shown once so that all of them load from the start, then the first stays.
        for index, viewer in enumerate(self.viewers):
            self.install_screen(viewer, name=f"tab-{index}")
        for index in range(1, len(self.viewers)):  # mounted (and loading) once, kept while hidden
            await self.push_screen(f"tab-{index}")
            await self.pop_screen()
        # The first tab is shown once Textual's start-up batch is over (a message, not at once):
        # nothing drawn inside the batch reaches the terminal, and a viewer shown from here was
        # laid out and drawn there for nothing (~40 ms of a big file's first rows), drawn again
        # after it, and its file's reading went on before that second, real, frame.
        self.call_later(self.push_screen, "tab-0")
        if self.archive_problem:  # on the banner, once the first query has started (it clears it)
            first = self.viewers[0]
            first.call_after_refresh(partial(first.banner.show_notice, self.archive_problem, slot="archive"))
        if len(self.viewers) > 1:
            self.set_interval(1.0, self._show_troubles)
        if self.welcome:  # (in its fewest words where the whole would stand taller than the screen, its title cut off)
            welcome = self.welcome if self.size.height >= WELCOME_WHOLE_FROM else SHORT_WELCOME
            self.notify(welcome, title="Welcome to logview", timeout=20, markup=False)
        if not self.viewers[0].session.needs_connector:  # (else once one is chosen: `_connector_chosen`)
            self._say_notes()

    def _say_notes(self) -> None:
        """The launch's notes (printed on stderr too, where the viewer's screen hides them), once."""
        notes, self.notes = self.notes, ()
        for note in notes:
            self.notify(note, severity="warning", timeout=10, markup=False)

    @on(Names.ConnectorChosen)
    def _connector_chosen(self) -> None:
        """A load starts: a launch that first lists the connectors to choose from says its notes now. At
        mount they covered the picker's last lines, "Loading the last 1 day" before anything loaded (s28)."""
        self._say_notes()

    def post_display_hook(self) -> None:
        # The first frame drawn of a viewer holds its first rows (put in its table as it mounted):
        # its file's reading goes on from that frame, not after the refreshes that follow it (a
        # pass of the screen each, which a reading beside them would slow: `FileReading`).
        stack = self.screen_stack
        viewer = stack[-1] if stack else None
        if isinstance(viewer, ViewerScreen) and viewer.is_mounted and viewer not in self._drawn:
            self._drawn.add(viewer)
            viewer.painted()

    def _show_troubles(self) -> None:
        """Every tab strip marks the failing sources, and the merged tab names them (and the tabs
        it leaves out for reading what an earlier one reads)."""
        from logview.session.troubles import same_as, shares
        from logview.ui.merged import same_readings  # (loaded with the merged tab, when there are tabs)

        troubles = [viewer.trouble() for viewer in self.viewers[:-1]] + [None]
        for viewer in self.viewers:
            if viewer.tab_strip is not None:
                viewer.tab_strip.show_troubles(troubles)
        labels = self.viewers[-1].tab_strip.labels if self.viewers[-1].tab_strip is not None else []
        said = {label: trouble for label, trouble in zip(labels, troubles) if trouble}
        for label, first in same_readings([(label, viewer) for label, viewer in zip(labels, self.viewers[:-1])
                                           if label not in said]).items():
            said[label] = same_as(first)  # (merged once: the merged tab leaves the later one out)
        merged = self.viewers[-1].session
        for label, (count, first) in merged.folded.items():  # (its shared entries shown once, as the first's)
            said.setdefault(label, shares(count, first))
        merged.source_troubles = said
        merged.source_loading = {  # (how far each tab not whole is: the merged tab says it)
            label: progress for label, viewer in zip(labels, self.viewers[:-1])
            if label not in said and (progress := viewer.session.source_progress(viewer.loader.waits())) is not None}
        self._count_tails()
        self.viewers[-1].merge_now()  # (the rows with the line: it said "2 sources merged" over "No entries.")

    def _count_tails(self) -> None:
        """The merged tab's `● live` (`live 1 of 2`): how many tabs' tails are on, of the tabs that read an API."""
        tabs = [viewer.session for viewer in self.viewers[:-1] if not viewer.feed.file_mode]
        self.viewers[-1].session.tails_live = (sum(session.want_tail for session in tabs), len(tabs))

    def _retry_failed(self) -> int:
        """`r` in the merged tab: each tab whose loading failed, or whose live tail stopped on a server
        that broke its contract, loads again, as its own `r` does (the merged tab said the tail stopped,
        and r there said no source had failed: s30)."""
        failed = [viewer for viewer in self.viewers[:-1]
                  if (trouble := viewer.trouble()) is not None and trouble.kind in ("failed", "tail_stopped")]
        for viewer in failed:
            viewer.action_reload()
        return len(failed)

    def _toggle_tails(self) -> str:
        """`t` in the merged tab: the live tail of every tab that can have one on, or all of them
        off once they all are on; what it did, in words."""
        labels = self.viewers[-1].tab_strip.labels if self.viewers[-1].tab_strip is not None else []
        tabs = list(zip(labels, self.viewers[:-1]))
        able = [(label, viewer) for label, viewer in tabs if viewer.loader.why_no_tail() is None]
        unable = ", ".join(label for label, viewer in tabs if (label, viewer) not in able)
        if not able:
            return f"No tab can tail ({unable}): a file holds what was written to it; a tab with nothing loaded: r."
        on = not all(viewer.session.want_tail for _, viewer in able)
        for _, viewer in able:
            if viewer.session.want_tail != on:
                viewer.loader.toggle_tail(say=False)
        self._count_tails()  # (the merged tab's line says it at once)
        names = ", ".join(label for label, _ in able)
        said = f"Live tail on in {names}: new entries appear here as they come (t stops them)" if on \
            else f"Live tail paused in {names}"  # (the status line's word for it)
        return said + (f"; {unable}: no live tail." if unable else ".")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # (one tab: `[` `]` are not offered, and say why: `no_tabs`)
        return not (action == "switch_tab" and len(self.viewers) < 2)

    def action_switch_tab(self, step: int) -> None:
        if isinstance(self.screen, ViewerScreen):
            self.show_tab((self.viewers.index(self.screen) + step) % len(self.viewers))

    def action_no_tabs(self) -> None:
        if isinstance(self.screen, ViewerScreen):
            self.notify("One source is open: tabs come with several --profile options.", timeout=3, markup=False)

    def exit(self, result: int | None = None, return_code: int = 0, message: RenderableType | None = None) -> None:
        self.closing = True
        super().exit(result, return_code, message)

    async def run_action(self, action: str | ActionParseResult, default_namespace: DOMNode | None = None,
                         namespaces: Mapping[str, DOMNode] | None = None) -> bool:
        """No action once the viewer closes: a key typed with `q` in one read of the terminal (a
        fast typist, a paste) mounted a panel on screens being torn down, a MountError (s20 #1)."""
        if self.closing:
            return True  # (taken: nothing is left to do)
        return await super().run_action(action, default_namespace, namespaces)

    async def action_quit(self) -> None:
        """ctrl+q, Textual's own quit: asks first while a save is unwritten, as `q` does; asked
        already, a second ctrl+q quits."""
        from logview.ui.screens.confirm import ConfirmQuit

        if isinstance(self.screen, ConfirmQuit):
            self.saves.quit_now()
        else:
            self.saves.ask_to_quit()

    def show_tab(self, index: int) -> None:
        if 0 <= index < len(self.viewers) and self.viewers[index] is not self.screen:
            if index == len(self.viewers) - 1 > 0:  # (the merged tab, as it is now: its first second said every tab loading)
                self._show_troubles()
            self.switch_screen(f"tab-{index}")

    def on_tab_strip_picked(self, event: TabStrip.Picked) -> None:
        self.show_tab(event.index)

    async def on_event(self, event: events.Event) -> None:
        await self.keys_in.take(event, super().on_event)  # (`keys_in.py`)

    def on_key(self, event: events.Key) -> None:
        """Back from the screen it was sent to, for its binding: not if that was a dialog since gone."""
        if self.keys_in.stray(event):
            event.prevent_default()  # (Textual's `App._on_key`, which looks the binding up, is not called)

    def action_command_palette(self) -> None:
        """Textual's, with a palette that answers once (`screens/dialog.py`)."""
        if self.use_command_palette and not Palette.is_open(self):
            self.push_screen(Palette(id="--command-palette"))

    def _fatal_error(self) -> None:
        """An unexpected error ends the viewer with a short report: Textual's own (every frame's
        locals) took minutes after a RecursionError, the screen frozen (see `crash.py`)."""
        error, traceback = sys.exc_info()[1], sys.exc_info()[2]
        if error is None and (noted := unhandled_error(self)) is not None:
            error, traceback = noted, noted.__traceback__
        self.bell()
        self.panic(crash_report(error, traceback))

    def get_key_display(self, binding: Binding) -> str:
        """As Textual's, without its lookup in the Unicode name table for logview's keys."""
        shown = key_display(binding)
        return super().get_key_display(binding) if shown is None else shown

    def get_system_commands(self, screen: Screen) -> Iterator[SystemCommand]:
        # The viewer's own "Keys" (the full help) replaces Textual's panel of the focused widget's keys.
        for command in super().get_system_commands(screen):
            if command.title == "Quit":  # (Textual's "as soon as possible": logview's asks first while a save is written)
                yield command._replace(help="Quit logview, as q does (a save still being written is asked about first)")
            elif command.title == "Screenshot":  # (saved where it can be, and said where: screenshot.py)
                from logview.ui.screenshot import take_screenshot

                yield command._replace(help="Save an SVG of the screen in the downloads folder, else the current one",
                                       callback=lambda: self.set_timer(0.1, partial(take_screenshot, self)))
            elif command.title not in LEFT_OUT:
                yield command
        yield from self.viewer.system_commands()


def tab_label(options: ViewerOptions) -> str:
    if options.connection is not None:
        return options.connection.label.removeprefix("profile ")
    return options.file.name if options.file is not None else "?"


def open_archive(wanted: bool, retention: Retention | None,
                 path: Path | None = None) -> tuple[Archive | None, str | None]:
    """The archive (at `path`, or the user's), or why there is none although it was wanted (the
    viewer goes on without)."""
    if not wanted:
        return None, None
    from logview.archive import Archive, ArchiveError

    try:
        return Archive.open(path, retention=retention), None
    except ArchiveError as error:
        return None, f"Without the archive this run: {error}"


def run_viewer(options: ViewerOptions, *more: ViewerOptions, keep_archive: bool = False,
               retention: Retention | None = None, archive_path: Path | None = None) -> int:
    """Open the viewer (a tab more for each of `more`); returns the exit code (0 after `q`).
    `keep_archive`: API entries go through the local archive (`--no-archive` turns it off), the
    user's or the one at `archive_path` (the demo's, for its run alone)."""
    source: Source | None = None
    kind: FileKind | None = None
    if options.connection is None:
        from logview.files.jsonl import UnknownFileFormat, detect_kind, source_for_kind

        if options.file is None:
            print("logview: nothing to show (no connection and no file)", file=sys.stderr)
            return 2
        try:
            kind = options.file_source or detect_kind(options.file)  # type: ignore[assignment]
        except (UnknownFileFormat, OSError) as error:
            print(f"logview: {error}", file=sys.stderr)
            return 2
        if kind not in ("aitronos", "supermetrics", "mixed"):
            print(f"logview: unknown source {kind!r}", file=sys.stderr)
            return 2
        source = source_for_kind(kind)  # (its plainly valid rows need no pydantic model)
    archive, problem = open_archive(keep_archive and options.connection is not None, retention, archive_path)
    app = LogViewApp(options, *more, source=source, file_kind=kind, archive=archive, archive_problem=problem,
                     kept_styles=KeptStyles(kept_styles_folder()))
    # (Here, not in the app: a test's headless app looks the same whatever TERM says.)
    theme, said = launch_theme(app.console.color_system, app.no_color, os.environ.get("TEXTUAL_THEME"),
                               app.available_themes, os.environ.get("TERM"))
    if theme is not None:
        app.theme = theme
    if said is not None:  # (a toast, with the launch's notes)
        app.notes = (*app.notes, said)
    # Background threads (file reading, search) hold the GIL in turns of this length; the UI
    # thread waits up to one turn each time it wakes. 5 ms (the default) shows in key latency.
    sys.setswitchinterval(0.001)
    try:
        app.run()
        if isinstance(app.stylesheet, ParsedOnceStylesheet):  # (after the screen is gone)
            app.stylesheet.keep_parsed()  # (for the next launch)
        for viewer in app.viewers:  # (the screen is restored: said where it stays)
            if viewer.feed.unarchived:
                print(f"logview: {viewer.feed.unarchived:,} fetched entries were not archived (the archive's writer "
                      "was behind); the next launch fetches them again", file=sys.stderr)
        for line in archive.prune_shown() if archive is not None else ():  # (no row is shown now)
            print(f"logview: {line}", file=sys.stderr)
    finally:
        if archive is not None:
            archive.close()
    return app.return_code if app.return_code is not None else 0
