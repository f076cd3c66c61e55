"""What the app asks the APIs besides logs: the connector to read (a picker, when `--connector`
was not given) and the names of Aitronos credentials (shown instead of bare `tcred_…` ids).

Names are a convenience: if they cannot be had, ids are shown and the user is told once, quietly.
A connector is a necessity: without one nothing loads, so a failure to list them is reported
(the screen shows it in the banner), and `r` (or `c`) asks again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.message import Message
from textual.widget import Widget

from logview.model import ApiError, ApiFailure
from logview.sources import AitronosSource, SupermetricsSource
from logview.sources.base import Source
from logview.ui.widgets.error_banner import error_head
from logview.ui.workers import running

if TYPE_CHECKING:  # httpx and the client load only once there is an API to ask (never for a file)
    from logview.api.client import ApiClient
    from logview.api.directory import CredentialInfo


def credential_labels(credentials: dict[str, CredentialInfo]) -> dict[str, str]:
    """id → what to show: the credential's name, with the id's end when two share a name."""
    counts: dict[str, int] = {}
    for credential in credentials.values():
        counts[credential.label] = counts.get(credential.label, 0) + 1
    return {cid: credential.label if counts[credential.label] == 1 else f"{credential.label} …{cid[-4:]}"
            for cid, credential in credentials.items()}


class Names(Widget):
    """Non-visual: picks the connector and names the credentials; posts what it found."""

    class ConnectorChosen(Message):
        def __init__(self, identifier: str) -> None:
            super().__init__()
            self.identifier = identifier

    class ConnectorsListed(Message):
        """The team's connectors are on screen to choose from (the table behind says so)."""

    class NoConnector(Message):
        """The picker was left without a choice, or the list could not be loaded (`error`)."""

        def __init__(self, error: ApiError | None = None, gave_up: str | None = None) -> None:
            super().__init__()
            self.error, self.gave_up = error, gave_up

    class CredentialsNamed(Message):
        def __init__(self, labels: dict[str, str], notes: dict[str, str]) -> None:
            super().__init__()
            self.labels = labels  # id → the name shown
            self.notes = notes  # id → the line the detail pane shows under it

    def __init__(self, source: Source, client: ApiClient | None) -> None:
        super().__init__()
        self.display = False
        self.source, self.client = source, client
        self.credentials: dict[str, CredentialInfo] = {}
        self.connector_message = "Listing the team's connectors…"  # the empty table's text meanwhile
        self._names_asked = False

    @property
    def listing(self) -> bool:
        """Whether the team's connectors are being listed (`c`)."""
        return running(self, "directory")

    def choose_connector(self) -> str | None:
        """c: list the team's connectors to pick from; or why there is nothing to pick."""
        if self.client is None and isinstance(self.source, SupermetricsSource):
            return "A file holds the one connector it was exported from: none to choose."
        if not isinstance(self.source, SupermetricsSource) or self.client is None:
            return "Only a Supermetrics source has connectors to choose from."
        self._pick_connector()
        return None

    @work(exclusive=True, group="directory", exit_on_error=False)
    async def _pick_connector(self) -> None:
        source, client = self.source, self.client
        assert isinstance(source, SupermetricsSource) and client is not None
        from logview.api.directory import list_connectors

        try:
            connectors = await list_connectors(client, source.team_id)
        except ApiFailure as failure:
            self.connector_message = "No connector to read: the list of connectors could not be loaded."
            self.post_message(self.NoConnector(failure.error, failure.gave_up))
            return
        from logview.ui.screens.connector_picker import ConnectorPicker

        if source.connector_id is None:  # (the table behind the picker says what it waits for)
            self.connector_message = f"Choose one of team {source.team_id}'s {len(connectors)} connectors."
            self.post_message(self.ConnectorsListed())
        self.app.push_screen(ConnectorPicker(source.team_id, connectors, source.connector_id), self._chosen)

    def _chosen(self, identifier: str | None) -> None:
        source = self.source
        assert isinstance(source, SupermetricsSource)
        if identifier is not None and identifier != source.connector_id:
            source.choose_connector(identifier)
            self.post_message(self.ConnectorChosen(identifier))
        elif source.connector_id is None:
            self.connector_message = "No connector chosen: press c to choose one."
            self.post_message(self.NoConnector())

    def name_credentials(self) -> None:
        """Once the logs are in (names only decorate: they must not compete with the first screen
        of logs for the connection or the rate limit)."""
        if not self._names_asked and self.client is not None and isinstance(self.source, AitronosSource):
            self._names_asked = True
            self._load_credential_names()

    @work(exclusive=True, group="names", exit_on_error=False)
    async def _load_credential_names(self) -> None:
        source, client = self.source, self.client
        assert isinstance(source, AitronosSource) and client is not None
        from logview.api.directory import list_credentials

        try:
            credentials = await list_credentials(client, source.organization_id)
        except ApiFailure as failure:
            self.notify(f"Credential names are not available ({error_head(failure.error)}); showing ids.",
                        timeout=4, markup=False)
            return
        self.credentials = credentials
        notes = {cid: " · ".join(part for part in (c.display_name, c.account_email, c.tool_key) if part)
                 for cid, c in credentials.items()}
        self.post_message(self.CredentialsNamed(credential_labels(credentials), notes))
