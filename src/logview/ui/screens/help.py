"""The full key reference (`?`). Static text we wrote, so plain Text is enough."""

from __future__ import annotations

from collections.abc import Callable

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from logview.ui.screens.dialog import Dialog
from logview.ui.widgets.key_footer import KeyFooter

KEYS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("Moving", (
        ("↑ ↓  j k", "previous / next entry"),
        ("PgUp PgDn", "a page up / down"),
        ("g  Home", "newest entry (and back to following the live tail)"),
        ("G  End", "oldest loaded entry; keeps going as older pages arrive"),
        ("e  E", "next / previous error, warning or invalid entry"),
        ("← →", "scroll the table sideways to the columns that do not fit (or the wheel with Shift)"),
        ("mouse", "click selects, click again (or double-click) opens the detail"),
    )),
    ("Reading", (
        ("Enter", "open / focus the detail of the selected entry"),
        ("", "in the focused detail: ↑ ↓ j k PgUp PgDn g G Home End (and the wheel) scroll it"),
        ("n N", "in the focused detail: the next / previous match of the search (/), marked there"),
        ("Esc", "close the detail · leave an input · cancel a retry wait · stop a paced load · fold the banner, hide the messages"),
        ("m", "the banner's message in full, or folded to what failed and its keys"),
        ("y", "copy the selected entry as JSON (exactly as received)"),
        ("s", "save the filtered view to a file (.jsonl raw entries, .csv columns)"),
        ("f", "choose the table's columns and their order, fields found in the data too (remembered per API)"),
    )),
    ("Filtering", (
        ("1 … 9", "toggle the n-th status option (none selected = all)"),
        ("0", "clear the status filter"),
        ("b", "show / hide the filter sidebar; below 120 columns it folds away and one line says the filters"),
        ("/", "search all fields (Enter applies, Esc clears)"),
        ("d", "edit the time range: 2h, 7d, 2025-11-15, 2025-11-15T10:30Z (Enter applies)"),
        ("", "server: the API applies the filter, changing it reloads"),
        ("", "local: applied to the loaded rows instantly"),
    )),
    ("Patterns", (
        ("h", "volume histogram above the table, focused; again: hide it (focus it, if it lost the focus)"),
        ("", "←/→ (j/k) pick a bar, g/G the newest/oldest with entries, Enter (or a click) narrows the dates"
             " to it, Backspace zooms out"),
        ("i", "stats: per tool / credential / event — entries, failed, p50 p95 p99 — and error groups,"
              " then the invalid entries (and other failures) no group holds"),
        ("", "←/→ group by, ↑/↓ PgUp PgDn g/G move, Enter filters by the row (again: lifts it; no filter picks"
             " the failures no group holds: e/E go to them); i hides it as h does"),
        ("x", "lift the filters picked in the stats (tool, credential, event, source, error group)"),
    )),
    ("Data", (
        ("t", "toggle the live tail (new entries appear at the top)"),
        ("r", "reload; after an error: retry; during a retry's wait: send it now, the load going on where it was; "
              "while the live tail fails: poll now"),
        ("c", "choose another Supermetrics connector of the team"),
        ("[  ]", "previous / next tab (several --profile options; the last tab merges them)"),
        ("ctrl+p", "command palette"),
        ("?", "this help"),
        ("q", "quit"),
    )),
)


# The keys that act only on some sources: the action the viewer offers each by, and what it is not there.
# (`?` was one page everywhere: on an Aitronos source it listed c, on one source [ ], on a file t, and
# each key then answered with a toast that it does nothing here, s23 walk #7)
SCOPED_KEYS: dict[str, tuple[str, str]] = {
    "c": ("choose_connector", "not here: only a Supermetrics tab reading its API has connectors to choose from"),
    "t": ("toggle_tail", "not here: a file has no live tail"),
    "[  ]": ("switch_tab", "not here: one source is open (tabs come with several --profile options)"),
}
NOT_HERE_STYLE = "dim"
# What a key does on a file, where it differs ("reload; after an error: retry; during a retry's wait:
# send it now" was said of `r` over a file, which it reads again: found by a tester)
FILE_WORDS = {"r": "read the file again, as it is now, and tell its API again (another API's export in its place "
                   "is read as that)"}


def shows_a_file(offered: Callable[[str], bool]) -> bool:
    """Whether the screen shows a file: only a file offers no live tail."""
    return not offered("toggle_tail")


def everywhere(action: str) -> bool:
    """Every key acts (the help of no screen in particular)."""
    return True


def _sections_table(sections: tuple[tuple[str, tuple[tuple[str, str], ...]], ...],
                    offered: Callable[[str], bool]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True, min_width=10)
    table.add_column()
    words = FILE_WORDS if shows_a_file(offered) else {}
    for section, keys in sections:
        table.add_row(Text(section, style="bold underline"), "")
        for key, what in keys:
            what = words.get(key, what)
            action, not_here = SCOPED_KEYS.get(key, ("", ""))
            if action and not offered(action):  # (dimmed and said why, not left out: the key is learnt)
                table.add_row(Text(key, style=NOT_HERE_STYLE), Text(f"{what} — {not_here}", style=NOT_HERE_STYLE))
            else:
                table.add_row(key, what)
        table.add_row("", "")
    return table


TWO_COLUMNS_WIDTH = 150  # the help box's width in two columns; narrower screens get one (scrolled)


def help_table(two_columns: bool = True, offered: Callable[[str], bool] = everywhere) -> Table:
    """The sections in two columns, so that all of them fit a 48-line terminal; in one column
    where two would be cut off on the right. `offered(action)`: whether the screen shown offers a
    key's action (`SCOPED_KEYS`): the keys it does not are dimmed, with why."""
    if not two_columns:
        return _sections_table(KEYS, offered)
    half = (len(KEYS) + 1) // 2
    table = Table.grid(padding=(0, 3), expand=True)
    table.add_column(ratio=1)
    table.add_column(ratio=1)
    table.add_row(_sections_table(KEYS[:half], offered), _sections_table(KEYS[half:], offered))
    return table


class HelpScreen(Dialog[None]):
    """Every key, grouped, those that do nothing on the screen below dimmed; any of Esc, ? or q closes it."""

    BINDINGS = [
        Binding("escape,question_mark,q", "close", "Close"),
    ]

    def __init__(self, offered: Callable[[str], bool] = everywhere) -> None:
        super().__init__()
        self._offered = offered

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(Text("logview — keys", style="bold"), id="help-title")
            yield Static(help_table(offered=self._offered), id="help-body")
            yield Static(Text("Esc, ? or q closes this help", style="dim"), id="help-footer")
        yield KeyFooter()  # (over the viewer's, whose keys do nothing here: q closes the help)

    def on_mount(self) -> None:
        self.app.clear_notifications()  # (a launch's toast covered the help's lower right at 80×24, s25 walk #9)

    def on_resize(self) -> None:
        self.query_one("#help-body", Static).update(help_table(self.size.width >= TWO_COLUMNS_WIDTH + 2, self._offered))
        self.call_after_refresh(self._say_scrolling)

    def _say_scrolling(self) -> None:
        """Where the keys run past the box (80×24), its title says they scroll: nothing did, the box's end
        (how to close it) out of sight."""
        box = self.query_one("#help-box", VerticalScroll)
        more = " · ↓ PgDn for more · Esc closes" if box.max_scroll_y > 0 else ""
        self.query_one("#help-title", Static).update(Text.assemble(("logview — keys", "bold"), (more, "dim")))

    def action_close(self) -> None:
        self.dismiss(None)
