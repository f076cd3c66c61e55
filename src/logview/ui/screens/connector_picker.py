"""Choose the Supermetrics connector to read, when none was given (`--connector` omitted)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from logview.api.directory import ConnectorInfo
from logview.sanitize import clean_line
from logview.ui.screens.dialog import Dialog
from logview.ui.widgets.key_footer import UP_DOWN_KEYS, KeyFooter


def connector_prompt(connector: ConnectorInfo) -> Text:
    """Name, identifier and description: all from the API, so plain text, cleaned."""
    text = Text(clean_line(connector.name or connector.identifier), style="bold")
    text.append(f"  {clean_line(connector.identifier)}", style="dim")
    if connector.description:
        text.append("\n" + clean_line(connector.description)[:200], style="italic")
    return text


class ConnectorList(OptionList):
    """The connectors: j/k move as in the table, and the footer names Enter (it showed only Esc)."""

    BINDINGS = [Binding("enter", "select", "Read its logs"), *UP_DOWN_KEYS]


class ConnectorPicker(Dialog[str | None]):
    """Returns the chosen connector's identifier, or None when dismissed."""

    BINDINGS = [Binding("escape,q", "cancel", "Cancel")]  # (q as in the help: it did nothing, s30 walk)

    def __init__(self, team_id: int, connectors: Sequence[ConnectorInfo], current: str | None = None) -> None:
        super().__init__()
        self.team_id = team_id
        self.connectors = list(connectors)
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-box"):
            yield Static(Text(f"Connectors of team {self.team_id}", style="bold"), id="picker-title")
            if self.connectors:
                yield ConnectorList(*(Option(connector_prompt(c), id=c.identifier) for c in self.connectors),
                                    id="picker-list")
            else:
                yield Static(Text("This team has no Connector Builder connectors.", style="italic"),
                             id="picker-empty")
            yield Static(Text("↑/↓ (j/k) choose · Enter reads its logs · Esc cancels", style="dim"),
                         id="picker-keys")
        yield KeyFooter()  # (over the viewer's, whose keys do nothing here)

    def on_mount(self) -> None:
        if self.connectors:
            options = self.query_one("#picker-list", OptionList)
            ids = [c.identifier for c in self.connectors]
            options.highlighted = ids.index(self.current) if self.current in ids else 0
            options.focus()

    @on(OptionList.OptionSelected, "#picker-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
