"""The viewer's keys: what each one does (`VIEWER_KEYS`, the screen's bindings, which the footer
shows), when the keys that open a field may act (`key_allowed`), and the same actions as commands
in the palette (`key_commands`, titled in `commands.py`).

Apart from `viewer.py`, which wires the parts together and holds the actions: here is only which
key (or command) names which action, so the table of keys reads on its own.
"""

from __future__ import annotations

from collections.abc import Iterator

from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input

from logview.ui.browser import LogBrowser
from logview.ui.commands import COMMANDS, FILE_HELP

VIEWER_KEYS = [
    # priority: taken in the order typed, before a key after it (`/`, `s`) moves the focus and it
    # is lost (s20 #2); not while typing in a field or under a dialog (`key_allowed`)
    Binding("q", "quit_viewer", "Quit", priority=True),
    Binding("question_mark", "help", "Help"),
    # (r before the rest: on a failed load at 80 columns the one key the banner asks for was cut off, s23 walk #7)
    Binding("r", "reload", "Reload"),
    Binding("b", "toggle_sidebar", "Filters"),  # (fitting.py: the sidebar folds away on narrow screens)
    # priority: focus must move before the next key arrives, or fast typing after `/` lands
    # in the table (`key_allowed` lets the key through to an input that has focus)
    Binding("slash", "focus_search", "Search", priority=True),
    Binding("d", "focus_dates", "Dates", priority=True),
    Binding("t", "toggle_tail", "Tail"),
    Binding("t", "no_tail", show=False),  # (where toggle_tail is not offered, a file: says why)
    # the table area's keys: their actions are the browser's (`browser.action_…`)
    Binding("e", "browser('next_error', 1)", "Next error"),
    Binding("E", "browser('next_error', -1)", "Prev error", show=False),
    Binding("h", "browser('toggle_histogram')", "Histogram"),
    Binding("i", "browser('toggle_stats')", "Stats"),
    Binding("x", "browser('clear_pattern_filters')", "Clear stats filters", show=False),
    Binding("c", "choose_connector", "Connector"),  # (a Supermetrics source's footer never named it, s23 walk #7)
    Binding("c", "no_connector", show=False),  # (where choose_connector is not offered: says why)
    Binding("f", "pick_columns", "Columns", show=False),
    Binding("y", "browser('copy_entry')", "Copy"),
    Binding("s", "save", "Save", priority=True),  # (the name typed at once after it goes to its dialog)
    Binding("escape", "escape", "Close", show=False),
    Binding("m", "browser('toggle_banner')", "Banner", show=False),  # (the banner says it where it folds)
    Binding("n,N", "browser('where_matches_are')", show=False),  # (the focused detail's own n/N come first)
    Binding("0", "clear_status", "All statuses", show=False),
    *[Binding(str(n), f"toggle_status({n - 1})", f"Status {n}", show=False) for n in range(1, 10)],
]


def key_allowed(screen: Screen, action: str) -> bool:
    """`/`, `d`, `s` and `q` (priority keys) open their field (or quit) unless the user is typing in one (the key
    goes to it then) or a dialog is on top of `screen`; every other key acts."""
    if action in ("focus_search", "focus_dates", "save", "quit_viewer"):
        typing = isinstance(screen.focused, Input) or type(screen.focused).__name__ == "SelectOverlay"
        return screen.app.screen is screen and not typing  # (and no dialog on top)
    return True


def key_commands(screen: Screen, browser: LogBrowser, *, connectors: bool) -> Iterator[SystemCommand]:
    """The keys' actions as the palette's commands: each one `screen`'s, or else `browser`'s;
    choosing a connector only where there are connectors to choose, the tail where there is one."""
    offered = {"choose_connector": connectors, "toggle_tail": screen.check_action("toggle_tail", ()) is not False}
    file_help = FILE_HELP if not offered["toggle_tail"] else {}  # (only a file has no live tail)
    for title, help_text, action in COMMANDS:
        if offered.get(action, True):
            owner = screen if hasattr(screen, f"action_{action}") else browser
            yield SystemCommand(title, file_help.get(action, help_text), getattr(owner, f"action_{action}"))
