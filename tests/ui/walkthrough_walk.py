"""The walk-through's frame (test_ui_walkthrough.py): the viewer's keys by action, a `Walk` (an app in
one state, its keys pressed and what it then shows), and the registry of checks by action that
`walkthrough_checks.py` fills."""


from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Input

from logview.model import Filters
from logview.ui.app import LogViewApp
from logview.ui.viewer import ViewerScreen
from logview.ui.widgets.detail_pane import DetailPane
from logview.ui.widgets.log_table import LogTable
from ui_helpers import kept_toasts, screen_text, settle, widget_text

PALETTE = "ctrl+p"


def keys_of(bindings: list[Binding | tuple]) -> dict[str, str]:
    """key → action, with `up,k` split into its keys; a key's first binding (the one Textual tries
    first: a later one acts only where the first is not allowed, as `t` on a file)."""
    found: dict[str, str] = {}
    for binding in bindings:
        binding = binding if isinstance(binding, Binding) else Binding(*binding)
        for key in binding.key.split(","):
            found.setdefault(key.strip(), binding.action)
    return found


def viewer_keys(focused: type = LogTable) -> dict[str, str]:
    """Every key the user can press on the viewer's main screen with `focused` (the table or the
    detail pane) focused: the focused widget's bindings win over the screen's and the app's."""
    own = keys_of(focused.BINDINGS)
    if focused is DetailPane:  # and the scrolling keys it takes from VerticalScroll
        own = {**{key: action for key, action in keys_of(VerticalScroll.BINDINGS).items()
                  if key in ("up", "down", "pageup", "pagedown", "home", "end")}, **own}
    return {**keys_of(LogViewApp.BINDINGS), **keys_of(ViewerScreen.BINDINGS), **own, PALETTE: "command_palette"}


@dataclass
class Walk:
    """One app in one state, and how to get back to that state between keys."""

    app: LogViewApp
    pilot: object
    state: str
    said: list[str] = field(init=False)  # (every toast since the last `reset`, as it is said)

    def __post_init__(self) -> None:
        self.said = kept_toasts(self.app)

    @property
    def viewer(self) -> ViewerScreen:
        return self.app.viewer

    def text(self) -> str:
        return screen_text(self.app)

    def status_line(self) -> str:
        return widget_text(self.viewer.status_bar)

    def notes(self) -> list[str]:
        return list(self.said)

    async def press(self, *keys: str) -> None:
        await self.pilot.press(*keys)  # type: ignore[attr-defined]
        await self.pilot.pause()  # type: ignore[attr-defined]

    async def reset(self) -> None:
        """Back to the state's starting point: no dialog, filters and panels as they began,
        the cursor on the fourth row, focus where the state has it."""
        app = self.app
        while not isinstance(app.screen, ViewerScreen):
            app.pop_screen()
            await self.pilot.pause()  # type: ignore[attr-defined]
        if self.state == "merged" and app.screen is not app.viewers[-1]:
            app.show_tab(len(app.viewers) - 1)
            await self.pilot.pause()  # type: ignore[attr-defined]
        viewer = self.viewer
        viewer.histogram.display = viewer.stats.display = False
        if viewer.filters != Filters():
            viewer.sidebar.show_time_inputs("", "")
            viewer.apply_filters(Filters())
        app.clear_notifications()
        self.said.clear()
        await settle(self.pilot)  # type: ignore[arg-type]
        viewer.table.move_to_row(3)
        viewer.detail.display = self.state in ("detail", "detail_focused")
        if viewer.detail.display:
            viewer.browser.show_detail()
        focus = {"input": viewer.sidebar.query_one("#search", Input), "detail_focused": viewer.detail}
        viewer.set_focus(focus.get(self.state, viewer.table))
        if self.state == "input":
            viewer.sidebar.query_one("#search", Input).value = ""
        await self.pilot.pause()  # type: ignore[attr-defined]


Check = Callable[[Walk, str], Awaitable[None]]
CHECKS: dict[str, Check] = {}


def check(*actions: str) -> Callable[[Check], Check]:
    def register(function: Check) -> Check:
        for action in actions:
            CHECKS[action] = function
        return function
    return register


def action_name(action: str) -> str:
    """`next_error(1)` → `next_error`; a key the screen hands to the browser,
    `browser('next_error', 1)`, is named by the browser's action too."""
    name, _, arguments = action.partition("(")
    return arguments.split(",")[0].strip("'\") ") if name == "browser" else name
