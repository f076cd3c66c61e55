"""What the app asks the APIs besides logs: the connector to read (a picker, when `--connector`
was not given) and the names of Aitronos credentials (shown instead of bare `tcred_…` ids).

A mixin of `ViewerScreen`. Names are a convenience: if they cannot be had, ids are shown and the
user is told once, quietly. A connector is a necessity: without one nothing loads, so a failure
to list them is shown in the banner, and `r` (or `c`) asks again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work

from logview.api.directory import CredentialInfo, list_connectors, list_credentials
from logview.model import ApiFailure
from logview.sources import AitronosSource, SupermetricsSource
from logview.ui.screens.connector_picker import ConnectorPicker
from logview.ui.widgets.error_banner import error_head

if TYPE_CHECKING:
    from logview.ui.viewer import ViewerScreen

    _Base = ViewerScreen
else:
    _Base = object


def credential_labels(credentials: dict[str, CredentialInfo]) -> dict[str, str]:
    """id → what to show: the credential's name, with the id's end when two share a name."""
    counts: dict[str, int] = {}
    for credential in credentials.values():
        counts[credential.label] = counts.get(credential.label, 0) + 1
    return {cid: credential.label if counts[credential.label] == 1 else f"{credential.label} …{cid[-4:]}"
            for cid, credential in credentials.items()}


class DirectoryMixin(_Base):
    """Connector picking and credential names."""

    def init_directory_state(self) -> None:
        self.credentials: dict[str, CredentialInfo] = {}
        self._names_asked = False
        self.connector_message = "Listing the team's connectors…"  # the empty table's text meanwhile

    @property
    def needs_connector(self) -> bool:
        return isinstance(self.source, SupermetricsSource) and self.source.connector_id is None

    def start_directory(self) -> None:
        """On mount: ask for the connector list if one must be chosen."""
        if self.feed.client is not None and self.needs_connector:
            self._pick_connector()

    def backfill_finished(self) -> None:
        """Credential names are asked for once the logs are in: they only decorate, and must not
        compete with the first screen of logs for the connection or the rate limit."""
        if not self._names_asked and self.feed.client is not None and isinstance(self.source, AitronosSource):
            self._names_asked = True
            self._load_credential_names()

    def action_choose_connector(self) -> None:
        """c: pick another Supermetrics connector."""
        if not isinstance(self.source, SupermetricsSource) or self.feed.client is None:
            self.notify("Only a Supermetrics source has connectors to choose from.", timeout=3)
            return
        self._pick_connector()

    @work(exclusive=True, group="directory", exit_on_error=False)
    async def _pick_connector(self) -> None:
        source = self.source
        assert isinstance(source, SupermetricsSource) and self.feed.client is not None
        try:
            connectors = await list_connectors(self.feed.client, source.team_id)
        except ApiFailure as failure:
            self.phase = "error"
            self.banner.show_failure(failure.error, context="listing the team's connectors", gave_up=failure.gave_up,
                                     hint="r or c asks again")
            self.connector_message = "No connector to read: the list of connectors could not be loaded."
            self.refresh_all()
            return
        self.banner.clear("error")
        self.app.push_screen(ConnectorPicker(source.team_id, connectors, source.connector_id), self._connector_chosen)

    def _connector_chosen(self, identifier: str | None) -> None:
        source = self.source
        assert isinstance(source, SupermetricsSource)
        if identifier is None or identifier == source.connector_id:
            if self.needs_connector:
                self.connector_message = "No connector chosen: press c to choose one."
                self.phase = "cancelled"
                self.refresh_all()
            return
        source.choose_connector(identifier)
        self.label = f"supermetrics team {source.team_id} / {identifier}"
        self.start_loading(clear_now=True)

    @work(exclusive=True, group="names", exit_on_error=False)
    async def _load_credential_names(self) -> None:
        source = self.source
        assert isinstance(source, AitronosSource) and self.feed.client is not None
        try:
            credentials = await list_credentials(self.feed.client, source.organization_id)
        except ApiFailure as failure:
            self.notify(f"Credential names are not available ({error_head(failure.error)}); showing ids.",
                        timeout=4, markup=False)
            return
        self.credentials = credentials
        labels = credential_labels(credentials)
        self.table.set_labels({"credential": labels})
        self.stats.labels = {"credential": labels}
        self.sidebar.set_facet_labels(labels)
        self.detail.notes = {"credential_id": {cid: " · ".join(part for part in (c.display_name, c.account_email, c.tool_key)
                                                               if part) for cid, c in credentials.items()}}
        if self.detail.display:
            self.detail.entry = None  # drawn again, with the names
            self.show_detail()
        self.refresh_all()
