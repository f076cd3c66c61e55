"""What the archive keeps for a source and an entry: its identity, and an entry as a table row.

A source is known by its API, base URL and scope (organization, or team and connector) — never by
the key that read it, which is not written anywhere. An entry is its raw JSON as received, plus
the columns that time ranges, filters and SQL need, taken from it once, when it is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from logview.jsonutil import dump_json, load_json
from logview.model import SOURCE_KINDS, LogEntry
from logview.sources import AitronosSource, Source, SupermetricsSource
from logview.sources.aitronos import error_message
from logview.sources.base import connector_of, duration_ms, tool_of
from logview.times import epoch_us

ROW_COLUMNS = ("source", "id", "time_us", "status", "status_code", "event", "tool", "connector",
               "credential_id", "duration_ms", "error", "error_group", "invalid", "raw")
INSERT_ROW = (f"INSERT OR IGNORE INTO entries ({', '.join(ROW_COLUMNS)}) "  # first copy wins
              f"VALUES ({', '.join('?' * len(ROW_COLUMNS))})")


@dataclass(frozen=True)
class SourceIdentity:
    """Which logs: `api` ("aitronos" | "supermetrics"), `base_url` as used (no trailing slash),
    `scope` (Aitronos: the organization id; Supermetrics: "team/connector"). Never a key."""

    api: str
    base_url: str
    scope: str

    def __post_init__(self) -> None:
        if self.api not in SOURCE_KINDS:
            raise ValueError(f"unknown API {self.api!r}")
        object.__setattr__(self, "base_url", self.base_url.rstrip("/"))

    def describe(self) -> str:
        """One line for a person: `aitronos https://api.aitronos.com org_123`."""
        return f"{self.api} {self.base_url} {self.scope}"


def identity_of(source: Source) -> SourceIdentity | None:
    """The identity a source's entries are archived under; None for a Supermetrics source whose
    connector is not chosen yet (nothing to key its entries by)."""
    if isinstance(source, AitronosSource):
        return SourceIdentity("aitronos", source.base_url, source.organization_id)
    if isinstance(source, SupermetricsSource):
        if source.connector_id is None:
            return None
        return SourceIdentity("supermetrics", source.base_url, f"{source.team_id}/{source.connector_id}")
    raise TypeError(f"no archive identity for {type(source).__name__}")


def source_for(identity: SourceIdentity) -> Source:
    """A source of the identity's API, to rebuild entries (`entry_from_raw`) and group errors."""
    if identity.api == "aitronos":
        return AitronosSource(identity.scope, base_url=identity.base_url)
    team, _, connector = identity.scope.partition("/")
    try:
        return SupermetricsSource(int(team), connector, base_url=identity.base_url)
    except ValueError:  # a scope not written by identity_of: parsing entries needs no ids anyway
        return SupermetricsSource(1, None, base_url=identity.base_url)


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (dict, list)):
        return dump_json(value).decode()
    return str(value)


def entry_row(source_id: int, source: Source, entry: LogEntry) -> tuple[Any, ...]:
    """`entry` as a row of `entries` (in ROW_COLUMNS order). Raw bytes are kept as they are;
    anything else is written as compact JSON in its own field order."""
    raw = entry.raw
    if isinstance(raw, (bytes, bytearray, memoryview)):
        blob = bytes(raw)
        try:
            fields = load_json(blob)
        except ValueError:
            fields = None
    else:
        blob, fields = dump_json(raw), raw
    if not isinstance(fields, dict):
        fields = {}
    status = entry.status
    if isinstance(status, bool):
        status = None
    # an integer column holds 64 bits; a hostile status beyond them is kept as text only
    status_code = status if isinstance(status, int) and -(2**63) <= status < 2**63 else None
    error = error_message(fields) if source.kind == "aitronos" else None
    return (source_id, entry.id, epoch_us(entry.time), _text(status), status_code, _text(fields.get("event")),
            _text(tool_of(fields)), _text(connector_of(fields)), _text(fields.get("credential_id")),
            duration_ms(fields), error, source.error_group(status, fields), entry.invalid, blob)


def entry_from_row(source: Source, raw: bytes) -> LogEntry:
    """The entry again, exactly as `entry_from_raw` made it when it was fetched."""
    try:
        value = load_json(raw)
    except ValueError:  # only a file changed behind logview's back: kept, and shown invalid
        value = raw.decode("utf-8", "replace")
    return source.entry_from_raw(value)
