"""Which filters run where, and turning what the user typed into `Filters` (no Textual here).

The store always applies every filter (exactly like `Source.matches`); the server applies the
ones the source supports. A change to a server-side filter therefore means a re-query, a change
to a local one only a re-index of the loaded rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from logview.model import Filters
from logview.sources.base import Source

FIELDS = ("status", "since", "until", "credential", "event", "origin", "search")


def server_fields(source: Source | None) -> frozenset[str]:
    """The filter names this source can apply on the server (none for a file)."""
    return frozenset() if source is None else source.server_fields()


def where(source: Source | None, file_mode: bool) -> dict[str, str]:
    """`server` / `local` per filter name, for the sidebar's tags."""
    on_server = set() if file_mode else server_fields(source)
    return {name: "server" if name in on_server else "local" for name in FIELDS}


def server_part(source: Source, filters: Filters) -> Filters:
    """Only the filters the server applies: what the pager is given. The rest stays local, so
    changing it never needs the network."""
    return source.server_part(filters)


def needs_requery(source: Source | None, file_mode: bool, old: Filters, new: Filters) -> bool:
    if file_mode or source is None:
        return False
    return server_part(source, old) != server_part(source, new)


def status_options(source: Source, filters: Filters) -> tuple[str, ...]:
    """The sidebar's options: the source's choices (keys 1..n), then any other status the
    command line asked for (e.g. Supermetrics `429`), so it can be seen and toggled off."""
    extra = tuple(s for s in filters.statuses if s not in source.status_choices)
    return tuple(source.status_choices) + extra


def toggle_status(options: Sequence[str], filters: Filters, index: int) -> Filters:
    """Filters with option `index` switched; the statuses keep the options' order."""
    if not 0 <= index < len(options):
        return filters
    chosen = set(filters.statuses) ^ {options[index]}
    return filters.model_copy(update={"statuses": tuple(o for o in options if o in chosen)})


def selected_indices(options: Sequence[str], filters: Filters) -> set[int]:
    return {i for i, option in enumerate(options) if option in filters.statuses}


def time_inputs(filters: Filters) -> tuple[str, str]:
    """The sidebar's since/until fields for these filters: as typed when typed (`24h` stays
    `24h`), else the moment picked (the histogram) in local time."""
    return (filters.since_text if filters.since_text is not None else time_input_text(filters.since),
            filters.until_text if filters.until_text is not None else time_input_text(filters.until))


def time_input_text(moment: datetime | None) -> str:
    """How a time from the command line is shown in the sidebar's input (local time)."""
    if moment is None:
        return ""
    local = moment.astimezone()
    return local.strftime("%Y-%m-%dT%H:%M:%S") if local.microsecond == 0 else \
        local.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
