"""What the APIs say about the things logs refer to: Supermetrics connectors (for a picker when no
`--connector` is given) and Aitronos credentials (so `tcred_…` ids get the names people gave them).

Both are read through the same retrying client as the logs. Their shapes are tolerated, not
trusted: a field of the wrong type is skipped, never fatal, and a listing that is not the
documented shape is an `InvalidBody` (retried like any torn page).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from logview.api.types import Priority, RetryEvent
from logview.sources.base import InvalidBody, load_json

if TYPE_CHECKING:
    from logview.api.client import ApiClient


@dataclass(frozen=True)
class ConnectorInfo:
    """A Supermetrics Connector Builder connector of a team."""

    identifier: str
    name: str
    description: str


@dataclass(frozen=True)
class CredentialInfo:
    """An Aitronos credential (a connected account of a personal connector)."""

    id: str
    display_name: str
    account_email: str
    tool_key: str

    @property
    def label(self) -> str:
        """How the table and the filter name it: `Work Gmail`, else the account's e-mail."""
        return self.display_name or self.account_email or self.id

    def as_item(self) -> dict[str, str]:
        """As the archive keeps it (`archive/names.py`)."""
        return asdict(self)


def credentials_from_items(items: list[dict[str, Any]]) -> dict[str, CredentialInfo]:
    """What `as_item` made, read back by id (an item without an id, kept by some other version,
    is left out)."""
    return {item["id"]: CredentialInfo(item["id"], _text(item.get("display_name")), _text(item.get("account_email")),
                                       _text(item.get("tool_key")))
            for item in items if _text(item.get("id"))}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _list_of(body: bytes, key: str) -> list[dict[str, Any]]:
    document = load_json(body)
    items = document.get(key) if isinstance(document, dict) else None
    if not isinstance(items, list):
        raise InvalidBody(f"the response has no `{key}` list")
    return [item for item in items if isinstance(item, dict)]


def parse_connectors(body: bytes) -> list[ConnectorInfo]:
    """`GET /v1/teams/{team}/connector_builder/connectors` → its connectors, in the API's order."""
    return [ConnectorInfo(item["connector_identifier"], _text(item.get("name")), _text(item.get("description")))
            for item in _list_of(body, "connectors") if _text(item.get("connector_identifier"))]


def parse_tool_keys(body: bytes) -> list[str]:
    """`GET /v1/personal-connectors` → the tool keys of the connected connectors."""
    return [item["tool_key"] for item in _list_of(body, "connectors")
            if _text(item.get("tool_key")) and item.get("connected", True) is not False]


def parse_connections(body: bytes, tool_key: str) -> list[CredentialInfo]:
    """`GET /v1/personal-connectors/connections/{tool_key}` → its credentials."""
    return [CredentialInfo(item["id"], _text(item.get("display_name")), _text(item.get("account_email")),
                           _text(item.get("tool_key")) or tool_key)
            for item in _list_of(body, "connections") if _text(item.get("id"))]


async def list_connectors(client: ApiClient, team_id: int, priority: Priority = Priority.FIRST,
                          on_sent: Callable[[], None] | None = None,
                          on_retry: Callable[[RetryEvent], None] | None = None) -> list[ConnectorInfo]:
    """`priority`: FIRST while the user waits for the picker (what they just asked for);
    `on_sent` hears when the request left, `on_retry` of each retry it waits for."""
    return await client.fetch(f"/v1/teams/{team_id}/connector_builder/connectors", {}, parse_connectors,
                              on_retry, priority=priority, on_sent=on_sent)


async def list_credentials(client: ApiClient, organization_id: str) -> dict[str, CredentialInfo]:
    """Every credential of the organization's connected connectors, by id (one request for the
    connectors, then one per connector, in parallel). At the backfill's priority: names only
    decorate, so they never go before the live tail or a query's first page."""
    params = {"organization_id": organization_id}
    tool_keys = await client.fetch("/v1/personal-connectors", params, parse_tool_keys, priority=Priority.BACKFILL)

    async def connections(tool_key: str) -> list[CredentialInfo]:
        # the key comes from the API: quoted, so it can only ever name one path segment
        return await client.fetch(f"/v1/personal-connectors/connections/{quote(tool_key, safe='')}", params,
                                  lambda body: parse_connections(body, tool_key), priority=Priority.BACKFILL)

    found = await asyncio.gather(*(connections(key) for key in tool_keys))
    return {credential.id: credential for group in found for credential in group}
