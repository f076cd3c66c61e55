"""directory: connector and credential listings from the demo server over HTTP, and the parsers
holding up against shapes the APIs might send."""

from __future__ import annotations

import json

import pytest

from logview.demo import DEMO_ORG, DEMO_TEAM, DemoServer
from logview.demo.data import CREDENTIALS, SUPERMETRICS_CONNECTORS
from logview.api.directory import (ConnectorInfo, CredentialInfo, list_connectors, list_credentials, parse_connections,
                               parse_connectors, parse_tool_keys)
from logview.model import ApiFailure
from logview.sources.base import InvalidBody

from support import aitronos, supermetrics


async def test_supermetrics_connectors_are_listed_in_order(server: DemoServer) -> None:
    _, client = supermetrics(server)
    async with client:
        connectors = await list_connectors(client, DEMO_TEAM)
    assert connectors == [ConnectorInfo(c["connector_identifier"], c["name"], c["description"])
                          for c in SUPERMETRICS_CONNECTORS]


async def test_aitronos_credentials_are_named_from_every_connected_connector(server: DemoServer) -> None:
    _, client = aitronos(server)
    server.state.clear_request_log()
    async with client:
        credentials = await list_credentials(client, DEMO_ORG)
    assert credentials == {c.id: CredentialInfo(c.id, c.display_name, c.account_email, c.tool_key) for c in CREDENTIALS}
    paths = [path for _, path, _ in server.state.request_log]
    assert sum("/connections/" in p for p in paths) == len({c.tool_key for c in CREDENTIALS})
    assert all("organization_id=org_demo" in p for p in paths)


async def test_a_listing_the_key_may_not_read_fails_with_the_api_error(fresh_server: DemoServer) -> None:
    fresh_server.state.directory_forbidden = True
    _, client = aitronos(fresh_server)
    async with client:
        with pytest.raises(ApiFailure) as failure:
            await list_credentials(client, DEMO_ORG)
    assert failure.value.error.status == 403 and failure.value.error.code == "INSUFFICIENT_PERMISSIONS"
    _, client = supermetrics(fresh_server)
    async with client:
        with pytest.raises(ApiFailure) as failure:
            await list_connectors(client, DEMO_TEAM)
    assert failure.value.error.status == 403 and failure.value.error.code == "FORBIDDEN"


async def test_an_unknown_team_is_the_apis_error(server: DemoServer) -> None:
    _, client = supermetrics(server)
    async with client:
        with pytest.raises(ApiFailure) as failure:
            await list_connectors(client, 999)
    assert failure.value.error.status == 403


def test_odd_items_are_skipped_and_odd_fields_blanked() -> None:
    body = json.dumps({"connectors": [
        {"connector_identifier": "A1", "name": 7, "description": None},
        {"name": "no identifier"}, "not an object", {"connector_identifier": ["x"]},
        {"connector_identifier": "B2", "name": "[bold]B\x1b]2;t\x07", "description": "d"},
    ]}).encode()
    assert parse_connectors(body) == [ConnectorInfo("A1", "", ""), ConnectorInfo("B2", "[bold]B\x1b]2;t\x07", "d")]
    keys = json.dumps({"connectors": [{"tool_key": "gmail"}, {"tool_key": "slack", "connected": False},
                                      {"tool_key": 3}, {"connected": True}]}).encode()
    assert parse_tool_keys(keys) == ["gmail"]
    connections = json.dumps({"connections": [{"id": "tcred_1", "display_name": None, "account_email": "a@x"},
                                              {"display_name": "no id"}]}).encode()
    assert parse_connections(connections, "gmail") == [CredentialInfo("tcred_1", "", "a@x", "gmail")]
    assert CredentialInfo("tcred_1", "", "a@x", "gmail").label == "a@x"


@pytest.mark.parametrize("body", [b'{"connectors": "nope"}', b"[]", b"<html>", b'{"connections": []}'])
def test_a_body_that_is_not_a_listing_is_invalid(body: bytes) -> None:
    with pytest.raises(InvalidBody):
        parse_connectors(body)
