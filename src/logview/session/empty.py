"""What a tab's table says when it shows no row: a connector to choose, a search under way, fields still
being read, nothing matching, a failure, a stop, or a first page the API's budget holds back."""

from __future__ import annotations

from datetime import datetime

from logview.api.types import BudgetState, format_wait
from logview.files.columns import NO_TIME
from logview.sanitize import clean_line
from logview.session.status_inputs import SessionState
from logview.session.summary import filter_parts
from logview.sources import AitronosSource, SupermetricsSource
from logview.times import from_epoch_us


NOTHING_MATCHES = "No loaded entries match the filters."


def names_searched_words(search: str, names: dict[str, str]) -> str:
    """Where a search found nothing and its words are in a credential's name as the table shows it
    (`inbox` for `Support inbox`), why, and the way to that credential (s27 walk #4). The search
    stays over what entries hold, as `export --search` and a file's byte search read it: a name is
    the viewer's own, looked up apart and not in a file or an export."""
    needle = search.casefold()
    named = sorted({name for name in names.values() if needle in name.casefold()})
    if not named:
        return ""
    which = " or ".join(repr(name) for name in named[:3]) + (" …" if len(named) > 3 else "")
    return f"\nThe search reads the entries' values (ids), not the names shown: pick {which} in the sidebar's CREDENTIAL."


def outside_range_words(session: SessionState) -> str:
    """Where the time range in force lies wholly after or before the entries loaded (their fields read),
    when they run and the key that changes it: `2h` over last month's export said only that nothing
    matched (s29 walk #3)."""
    since, until, store = session.filters.since, session.filters.until, session.store
    if since is None and until is None:
        return ""
    times = store.span("time", store.head, store.ready)
    times = times[times != NO_TIME]
    if not len(times):
        return ""
    oldest, newest = from_epoch_us(int(times.min())), from_epoch_us(int(times.max()))
    if not ((since is not None and since > newest) or (until is not None and until < oldest)):
        return ""
    # (two lines: 60 columns hold each)
    return f"\nEntries loaded: {_minute(oldest)} … {_minute(newest)}\nd changes the time range."


def _minute(moment: datetime) -> str:
    """`2025-11-15 11:59`, in local time as the table shows it."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def empty_message(session: SessionState, connector_message: str, budget: BudgetState | None = None,
                  next_request_in_s: float | None = None) -> str:
    """What the table says when it shows no row (`budget`: the API's, when there is one, and
    when it lets the next request go, if it can tell)."""
    if session.needs_connector:
        return connector_message
    store = session.store
    if session.searching:
        return f"Searching for {session.searching!r} …"
    if len(store) and store.covered(session.filters) < store.tail:
        return (f"Reading fields ({store.fields_read:,} of {len(store):,}) — "
                "matching entries appear as they are read.")
    if len(store):
        search = session.filters.search
        return NOTHING_MATCHES + outside_range_words(session) + (
            names_searched_words(search, session.credential_names) if search else "")
    if session.phase == "error":
        return "Nothing loaded — see the error above."
    if session.phase == "cancelled":
        return "Loading stopped — press r to load."
    if session.phase == "loading":
        return _first_page_wait(budget, next_request_in_s) or "Loading …"
    if not (session.file_mode or session.merged):
        return none_on_the_server(session)
    return "No entries." if session.filters.is_empty() else "No entries match the filters."


def none_on_the_server(session: SessionState) -> str:
    """An API's answer of no entry at all: which source and what was asked of it, and the keys that ask
    for more (it said "No entries." alone, or "No entries match the filters." where only the range the
    config's archive_max_age gives was in force: s28)."""
    source, filters = session.store.source, session.filters
    if isinstance(source, SupermetricsSource):
        asked_of = f"connector {source.connector_id} of team {source.team_id}"
    else:
        asked_of = f"organization {source.organization_id}" if isinstance(source, AitronosSource) else "the source"
    server = source.server_side_filters(filters)
    asked = [f"{name} {value}" for name, value in filter_parts(filters, {"credential": session.credential_names})
             if name in server]
    keys = [key for key, wanted in (
        ("d changes the time range", "since" in server or "until" in server),
        ("0 shows every status", "status" in server),
        ("CREDENTIAL (sidebar) takes any", "credential" in server),
        ("c picks another connector", isinstance(source, SupermetricsSource))) if wanted] or ["r asks again"]
    lines = [f"No entries: the server has none for {clean_line(asked_of)}.", *(["Server filters: " + " · ".join(asked)] if asked else []),
             *(" · ".join(keys[at:at + 2]) for at in range(0, len(keys), 2))]  # (two keys a line: 80 columns)
    return "\n".join(lines)


def _first_page_wait(budget: BudgetState | None, next_request_in_s: float | None) -> str | None:
    """How long the first page waits for the budget, paced or spent, or for a 429's Retry-After
    (Supermetrics paces over an hour: "Loading …" alone hid it, found in a walk)."""
    if budget is None or not (budget.blocked_s > 0 or budget.live_waits):
        return None
    exact = budget.blocked_s > 0 or (budget.reset_known and budget.remaining == 0)
    if budget.blocked_s > 0:
        wait_s = budget.blocked_s
    elif budget.remaining == 0 or next_request_in_s is None:
        wait_s = budget.resets_in_s
    else:  # paced: what remains is spread over the window
        wait_s = next_request_in_s
    r_does = "r retries now" if budget.blocked_s > 0 else "r sends it now"  # (nothing failed unless a 429)
    goes_in = f"{'' if exact else '~'}{format_wait(wait_s)}"
    return f"Waiting for the API's budget: the first page goes in {goes_in} ({r_does})."
