"""What the app asks the APIs besides logs: the connector to read (a picker, when `--connector`
was not given) and the names of Aitronos credentials (shown instead of bare `tcred_…` ids).

Names are a convenience: if they cannot be had, ids are shown and the user is told once, quietly.
They are kept in the archive, so a launch shows them at once and asks again only when they are a
day old or the logs name a credential they do not know; asked, they go at the backfill's priority,
after the live tail and a query's first page (the API's budget is the user's). Tabs side by side
that read one organization with one key ask once for all of them (`OrgNames`).
A connector is a necessity: without one nothing loads, so a failure to list them is reported
(the screen shows it in the banner), and `r` (or `c`) asks again. How a listing the budget holds
back meets a user who has moved on: `connector_listing.py`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.message import Message
from textual.widget import Widget

from logview.api.types import Priority, RetryEvent
from logview.model import ApiError, ApiFailure
from logview.sources import AitronosSource, SupermetricsSource
from logview.sources.base import Source
from logview.ui.connector_listing import ConnectorListing
from logview.ui.feed_messages import Retrying
from logview.ui.widgets.error_banner import error_head
from logview.ui.workers import running

if TYPE_CHECKING:  # httpx and the client load only once there is an API to ask (never for a file)
    from logview.api.client import ApiClient
    from logview.session.api_loading import ApiLoading
    from logview.api.directory import ConnectorInfo, CredentialInfo
    from logview.archive import Archive, SourceIdentity
    from logview.archive.names import KeptNames

CREDENTIALS = "credentials"  # the kind of names the archive keeps for an Aitronos source
NAMES_FRESH_FOR_S = 24 * 3600.0  # kept names older than this are asked for again (once the logs are in)
# A file's credentials are named this long after it is read: the archive's imports and ~4 MiB come after the
# first look at its rows (`test_startup_imports.py`), which the names only decorate.
NAMES_AFTER_S = 1.0
LISTING_SAID_AFTER_S = 1.0  # c: a listing not shown by then is said to be under way
LISTING = "listing the team's connectors"  # what the banner says a listing's retry or failure is for


def credential_labels(credentials: dict[str, CredentialInfo]) -> dict[str, str]:
    """id → what to show: the credential's name, with the id's end when two share a name."""
    counts: dict[str, int] = {}
    for credential in credentials.values():
        counts[credential.label] = counts.get(credential.label, 0) + 1
    return {cid: credential.label if counts[credential.label] == 1 else f"{credential.label} …{cid[-4:]}"
            for cid, credential in credentials.items()}


def credential_notes(credentials: dict[str, CredentialInfo]) -> dict[str, str]:
    """id → the line the detail pane shows under it: `Work Gmail · dana@… · gmail`."""
    return {cid: " · ".join(part for part in (c.display_name, c.account_email, c.tool_key) if part)
            for cid, c in credentials.items()}


def connector_label(label: str, source: SupermetricsSource, connector: str) -> str:
    """A Supermetrics tab's label once `connector` is chosen (a profile keeps its name in the header,
    and the demo its "demo data": it was retitled "supermetrics team 1 / EMPTY1", s23 walk #13)."""
    kept = label.split(" · ")[0] if label.startswith(("profile ", "demo data ")) else None
    return f"{kept} · {connector}" if kept else f"supermetrics team {source.team_id} / {connector}"


class OrgNames:
    """The credential names of one Aitronos organization, wanted by each of its tabs (side by side,
    read with one key): each tab asked for them once its own logs were in, one showing ids while
    another showed names (found by a tester). One lookup now names every tab of the organization,
    as soon as it is answered (`share_credential_names`)."""

    def __init__(self, members: list[Names]) -> None:
        self.members = members
        self.asker: Names | None = None  # the tab whose worker asks for them now
        self.answered = False  # a lookup of this run was answered: the names every tab shows are fresh

    def asked_by(self, asker: Names) -> None:
        self.asker = asker
        asker._load_credential_names()

    def waiting(self, besides: Names) -> Names | None:
        """Another tab that wants the names and waits for them (`besides` no longer asks)."""
        return next((one for one in self.members if one is not besides and one.wants_names), None)


def share_credential_names(names: Iterable[Names]) -> None:
    """Tabs that read one Aitronos organization at one host with one key share its credential names
    (another key may not be allowed to list them)."""
    groups: dict[tuple[str, str, str], list[Names]] = {}
    for one in names:
        if isinstance(source := one.source, AitronosSource) and one._api is not None:
            groups.setdefault((source.base_url, source.organization_id, one._api.connection.key), []).append(one)
    for members in groups.values():
        if len(members) > 1:
            org = OrgNames(members)
            for one in members:
                one.org = org


class Names(Widget):
    """Non-visual: picks the connector and names the credentials; posts what it found."""

    class ConnectorChosen(Message):
        def __init__(self, identifier: str) -> None:
            super().__init__()
            self.identifier = identifier

    class ConnectorsListed(Message):
        """The team's connectors were listed (on screen to choose from, with no connector chosen:
        the table behind says so); a retry's countdown is over."""

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

    def __init__(self, source: Source, api: ApiLoading | None, archive: Archive | None = None) -> None:
        super().__init__()
        self.display = False
        self.source, self._api, self.archive = source, api, archive
        self.credentials: dict[str, CredentialInfo] = {}
        self.connector_message = "Listing the team's connectors…"  # the empty table's text meanwhile
        self.connectors = ConnectorListing()
        self._kept: KeptNames | None = None
        self._names_asked = False
        self.org: OrgNames | None = None  # (the other tabs of its organization: `share_credential_names`)
        self._put_off = False  # a listing that gave way to a query, asked again once it is answered
        self._retry_waits = False  # a listing's retry is counted down: r or c asks again now, Esc stops it

    @property
    def client(self) -> ApiClient | None:
        """The API's client (None: a file's viewer), made at its first request if none came yet."""
        return self._api.client if self._api is not None else None

    # -- the connector --------------------------------------------------------------------
    @property
    def listing(self) -> bool:
        """Whether the team's connectors are being listed (`c`)."""
        return running(self, "directory") or self._put_off

    def asking(self) -> str:
        """What is being asked of the API besides logs, in words for the status line: "a listing"
        (of connectors), "credential names", or "" (nothing)."""
        names = running(self, "names") or (self.org is not None and self.org.asker is not None)
        return "a listing" if self.listing else "credential names" if names else ""

    def choose_connector(self) -> str | None:
        """c: list the team's connectors to pick from (at once when they were listed a moment
        ago); or why there is nothing to pick."""
        if self._api is None and isinstance(self.source, SupermetricsSource):
            return "A file holds the one connector it was exported from: none to choose."
        if not isinstance(self.source, SupermetricsSource) or self._api is None:
            return "Only a Supermetrics source has connectors to choose from."
        listed = self.connectors.asked()
        if listed is not None:
            self._show_picker(listed)
            return None
        if not running(self, "directory") or self.connectors.wanted_again() or self._retry_waits:
            # (one listing at a time: a second c waits for the first, unless it had been put off
            # or waits to be retried, which the banner says r cuts short: the 429's wait is theirs)
            if self._retry_waits and self.client.budget is not None:
                self.client.budget.lift_block()
            self._put_off = self._retry_waits = False
            self.connector_message = "Listing the team's connectors…"  # (not "No connector chosen" after an Esc)
            self.connectors.started()
            self._pick_connector(Priority.FIRST)  # (exclusive: one put off and still waiting is cancelled)
        # (a listing the API's budget held back took minutes without a word)
        self.set_timer(LISTING_SAID_AFTER_S, self._still_listing)
        return None

    def _still_listing(self) -> None:
        if self.listing:
            budget = self.client.budget if self._api is not None else None
            state = budget.state() if budget is not None else None
            # (a 429's wait is the API's answer, which the banner counts down: not the budget's pace)
            waits = ("" if state is None or not state.binds else
                     " — the API asked to wait (429)" if state.blocked_s > 0 or self._retry_waits
                     else " — it waits for the API's budget")
            self.notify(f"Listing the team's connectors …{waits}", timeout=4, markup=False)

    def key_pressed(self) -> None:
        """Any key: a listing that comes after it does not take the keyboard (see `ConnectorListing`)."""
        self.connectors.key_pressed()

    def give_way(self) -> None:
        """A query starts: a listing still waiting for the budget is put off until the query's
        first page is in (`query_answered`), then asked at the backfill's priority."""
        if running(self, "directory") and self.connectors.lower():
            self.workers.cancel_group(self, "directory")
            self._put_off = True

    def query_answered(self) -> None:
        if self._put_off:
            self._put_off = False
            self._pick_connector(Priority.BACKFILL)

    @work(exclusive=True, group="directory", exit_on_error=False)
    async def _pick_connector(self, priority: Priority) -> None:
        source, client = self.source, self.client
        assert isinstance(source, SupermetricsSource) and client is not None
        from logview.api.directory import list_connectors

        try:
            connectors = await list_connectors(client, source.team_id, priority, on_sent=self.connectors.sent,
                                               on_retry=self._retrying)
            self._retry_waits = False
        except ApiFailure as failure:
            self._retry_waits = False
            self.connector_message = "No connector to read: the list of connectors could not be loaded."
            self.post_message(self.NoConnector(failure.error, failure.gave_up))
            return
        waited_for = self.connectors.listed(connectors)
        self.post_message(self.ConnectorsListed())
        if source.connector_id is None:  # the picker is the only thing to do: it opens whenever it comes
            # (one listed: "Choose one of team 1's 1 connectors", found in a walk)
            self.connector_message = f"Choose team {source.team_id}'s connector." if len(connectors) == 1 else \
                f"Choose one of team {source.team_id}'s {len(connectors):,} connectors."
            self._show_picker(connectors)
        elif waited_for:
            self._show_picker(connectors)
        else:  # (it would take the keys typed meanwhile: Enter could switch connectors)
            listed = "connector is" if len(connectors) == 1 else f"{len(connectors):,} connectors are"
            self.notify(f"The team's {listed} listed: press c to choose.", timeout=6, markup=False)

    def _retrying(self, event: RetryEvent) -> None:
        """A listing's retry is counted down as the loading's is (a 429 waited a minute unsaid)."""
        self._retry_waits = True
        self.post_message(Retrying(0, event, live=False, context=LISTING))

    def cancel_listing(self) -> bool:
        """Esc during a listing's retry wait: the listing stops (c asks again); whether one did."""
        if not self._retry_waits:
            return False
        self.workers.cancel_group(self, "directory")
        self._retry_waits = False
        self.connector_message = "No connector chosen: press c to choose one."
        return True

    def _show_picker(self, connectors: list[ConnectorInfo]) -> None:
        from logview.ui.screens.connector_picker import ConnectorPicker

        source = self.source
        assert isinstance(source, SupermetricsSource)
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

    # -- credential names -----------------------------------------------------------------
    def recall_credentials(self) -> None:
        """At launch: the names an earlier launch kept, shown at once (before any request)."""
        identity = self._identity()
        if identity is None or self.archive is None:
            return
        from logview.api.directory import credentials_from_items
        from logview.archive import ArchiveError

        try:
            self._kept = self.archive.kept_names(identity, CREDENTIALS)
        except ArchiveError:
            return  # (the feed says what is wrong with the archive)
        if self._kept is not None:
            self._named(credentials_from_items(self._kept.items))

    def name_credentials(self, seen: Callable[[], Iterable[str]]) -> None:
        """Once the logs are in (names only decorate: they must not compete with the first screen
        of logs for the connection or the rate limit), unless the kept names are fresh and know
        every credential id the logs name (`seen` lists them). Asked at most once a launch: an id the API does
        not list (a deleted credential) is not worth a request at every reload."""
        if self._names_asked or self._api is None or not isinstance(self.source, AitronosSource):
            return
        kept = self._kept
        if kept is not None and kept.age_s() < NAMES_FRESH_FOR_S and set(seen()) <= self.credentials.keys():
            return
        self._names_asked = True
        if self.org is None:
            self._load_credential_names()
        elif not (self.org.answered or self.org.asker is not None):  # (else another tab's answer names this one)
            self.org.asked_by(self)

    @property
    def wants_names(self) -> bool:
        """Its logs are in and it asked for names that have not come (see `OrgNames.waiting`)."""
        return self._names_asked and not (self.org is not None and self.org.answered)

    def name_from_archive(self, archive_path: Callable[[], Path | None]) -> None:
        """A file of Aitronos entries, read: its credentials named as its API's tab names them, from the names
        the user's archive keeps (`archive_path`: None where the config keeps none), any organization's (an id
        names one credential). A saved file showed `tcred_…` ids where its tab showed names (s25 walk #3)."""
        if self._names_asked or self._api is not None or not isinstance(self.source, AitronosSource):
            return
        self._names_asked = True
        self.set_timer(NAMES_AFTER_S, lambda: self._read_kept_names(archive_path))

    @work(thread=True, exclusive=True, group="names", exit_on_error=False)
    def _read_kept_names(self, archive_path: Callable[[], Path | None]) -> None:
        path = archive_path()
        if path is None or not path.is_file():
            return
        from logview.api.directory import credentials_from_items
        from logview.archive import Archive, ArchiveError

        try:
            with Archive.open(path, readonly=True) as archive:
                items = archive.names_of_api("aitronos", CREDENTIALS)
        except ArchiveError:
            return  # (names are a convenience: ids stay)
        if credentials := credentials_from_items(items):
            self.app.call_from_thread(self._named, credentials)

    def stop_naming(self) -> None:
        """Esc on a retry: a lookup of the credentials' names stops with the loading (against a
        server that fails it retried on, unseen); the next load's end asks again (`r`)."""
        if running(self, "names"):
            self.workers.cancel_group(self, "names")
            self._names_asked = False
            if (org := self.org) is not None and org.asker is self:
                org.asker = None
                if (other := org.waiting(self)) is not None:  # (another tab still wants them: it asks on)
                    org.asked_by(other)

    @work(exclusive=True, group="names", exit_on_error=False)
    async def _load_credential_names(self) -> None:
        source, client = self.source, self.client
        assert isinstance(source, AitronosSource) and client is not None
        from logview.api.directory import list_credentials

        org = self.org
        try:
            credentials = await list_credentials(client, source.organization_id)
        except ApiFailure as failure:
            if self._kept is None:  # (else the kept names stay: a day older is still a name)
                self.notify(f"Credential names are not available ({error_head(failure.error)}); showing ids.",
                            timeout=4, markup=False)
            return
        finally:
            if org is not None and org.asker is self:
                org.asker = None
        if org is not None:
            org.answered = True
        for tab in org.members if org is not None else (self,):  # (every tab of the organization at once)
            tab._named(credentials)
        await asyncio.to_thread(self._keep, credentials)

    def _keep(self, credentials: dict[str, CredentialInfo]) -> None:
        """For the next launch (in a thread: another process's write may hold the archive a while)."""
        identity = self._identity()
        if identity is None or self.archive is None:
            return
        from logview.archive import ArchiveError

        try:
            self.archive.keep_names(identity, CREDENTIALS, [c.as_item() for c in credentials.values()])
        except ArchiveError:
            pass  # asked again next launch

    def _identity(self) -> SourceIdentity | None:
        """What an Aitronos source's names are kept under (None: no names to keep)."""
        if not isinstance(self.source, AitronosSource) or self._api is None:
            return None
        from logview.archive import identity_of

        return identity_of(self.source)

    def _named(self, credentials: dict[str, CredentialInfo]) -> None:
        self.credentials = credentials
        self.post_message(self.CredentialsNamed(credential_labels(credentials), credential_notes(credentials)))
