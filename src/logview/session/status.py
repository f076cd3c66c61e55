"""What the status line says about the connection: one function of a session's state (no Textual),
so every state it can be in is named here, in the order that decides between them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, Protocol

from logview.api.types import BudgetState, done_in, format_wait
from logview.files.envelope import UNREADABLE_SOURCE
from logview.model import counted
from logview.store import EntryStore


class SessionState(Protocol):
    """What the status line reads of a session (`ViewerSession` has it all)."""

    store: EntryStore
    phase: str
    pages: int
    capped: bool
    want_tail: bool
    tail_paused: bool
    file_mode: bool
    merged: bool
    file_scanned: float
    max_entries: int | None
    interval_s: float
    source_troubles: dict[str, str]
    from_archive: int
    searching: str | None

    @property
    def needs_connector(self) -> bool: ...

    @property
    def total(self) -> int | None: ...


@dataclass(frozen=True)
class Waits:
    """What is being waited for, with the banner's deadlines (so both count down in step)."""

    retry: tuple[str, float] | None = None  # a request being retried: (cause, seconds left)
    tail_failing: tuple[str, float] | None = None  # the live tail's next try: (cause, seconds left)
    backfilling: bool = False  # a backfill (or a file's reading) is running
    poll_waiting_s: float | None = None  # how long the tail's current cycle has waited for the server
    budget: BudgetState | None = None  # the API's request budget, shown when it binds
    backfill_eta_s: float | None = None  # when the budget lets the backfill finish


POLL_SLOW_S = 5.0  # a tail cycle waiting this long for the server is said on the status line


class ConnectionState(NamedTuple):
    """What the status line says of the connection: `state` picks its colour and mark; `short`,
    where `text` is long for a narrow line (a budget that binds), says the same in fewer words."""

    state: str
    text: str
    short: str = ""


def connection_state(session: SessionState, waits: Waits) -> ConnectionState:
    """The status line's state and text (a plain (state, text) pair but where `short` helps)."""
    state, text = _state_and_text(session, waits)
    budget = waits.budget
    if budget is None or not budget.binds or state not in ("loading", "live") or session.merged:
        return ConnectionState(state, text)
    store = session.store
    if state == "live":
        return ConnectionState(state, text, f"live · {budget.brief()}")
    what = f"{_percent(len(store), session.total)}%" if session.total else f"page {session.pages + 1}"
    return ConnectionState(state, text, f"{what} · {budget.brief()}{done_in(waits.backfill_eta_s)} …")


def _percent(loaded: int, total: int) -> int:
    return min(100, 100 * loaded // total)


def _state_and_text(session: SessionState, waits: Waits) -> tuple[str, str]:
    if session.needs_connector and session.phase != "error":  # nothing to load until one is chosen
        return "paused", "choose a connector (c)"
    if waits.retry is not None:
        cause, remaining = waits.retry
        when = f"retrying in {format_wait(remaining)}" if remaining > 0.5 else "retrying now"
        return "retrying", f"{cause} · {when}"
    if session.phase == "error":
        return "error", "error — r retries"
    if waits.tail_failing is not None and session.want_tail:  # loaded, but the tail cannot reach the API
        cause, remaining = waits.tail_failing
        when = f"next try in {format_wait(remaining)}" if remaining > 0.5 else "trying now"
        return "retrying", f"live tail failing: {cause} · {when}"
    if session.phase == "cancelled":
        return "cancelled", "stopped — r reloads"
    store = session.store
    loading = waits.backfilling or session.phase == "loading"
    if session.file_mode and not session.merged and loading:
        rows, ready = len(store), store.ready - store.head
        if session.file_scanned < 1.0:
            return "loading", f"indexing the file · {counted(rows)} ({int(100 * session.file_scanned)}%) …"
        return "loading", f"reading fields · {ready:,} of {rows:,} ({100 * ready // max(1, rows)}%) …"
    archived = f"{session.from_archive:,} from the archive" if session.from_archive else ""
    budget = _budget_text(waits, loading)
    if loading:
        if session.merged:
            read = f" · {int(100 * session.file_scanned)}%" if 0 < session.file_scanned < 1 else ""
            return "loading", f"reading the file{read} …"
        what = f"loading page {session.pages + 1}"
        if session.total:
            what += f" · {len(store):,} of {session.total:,} ({_percent(len(store), session.total)}%)"
        return "loading", " · ".join(part for part in (what, archived, budget) if part) + " …"
    cap = f"capped at {session.max_entries:,}" if session.capped and session.max_entries else ""
    if session.want_tail:
        text = f"live · every {session.interval_s:g} s"
        waited = waits.poll_waiting_s
        if waited is not None and waited >= max(POLL_SLOW_S, session.interval_s):  # (a hung request: 30 s)
            text = f"live · waiting {format_wait(waited)} for the server"
        if session.searching:  # (the rows shown are the last search's until it ends)
            text += " · searching …"
        return "live", " · ".join(part for part in (text, cap, budget) if part)
    if cap:
        return "capped", cap + " — older entries not loaded"
    if session.searching:  # (the rows shown are the last search's until it ends)
        return "loading", "searching …"
    if session.merged:
        # (a mixed file's lines that name no source are a part, not a source)
        sources = sum(1 for label in store.origins.values[1:] if label != UNREADABLE_SOURCE)
        failed = sum(trouble == "failed" for trouble in session.source_troubles.values())
        merged = (f"{sources - failed} of {counted(sources, 'source', 'sources')} merged" if failed
                  else f"{counted(sources, 'source', 'sources')} merged")
        troubles = [f"{label}: {trouble}" for label, trouble in session.source_troubles.items()]
        if not troubles:
            return "complete", merged
        # (⟳ while a source is retrying; a source that failed for good waits for r)
        settled = all(trouble == "failed" for trouble in session.source_troubles.values())
        return ("error" if settled else "retrying"), " · ".join([merged, *troubles])
    if session.file_mode:
        return "complete", "file loaded"
    loaded = f"all loaded · {archived}" if archived else "all loaded"
    if session.tail_paused:
        return "paused", f"{loaded} · tail paused (t resumes)"
    return "complete", loaded


def _budget_text(waits: Waits, loading: bool) -> str:
    """The API's budget, only when it binds: `API budget 0/100 · resets in 41 s · backfill
    waits · done in ~2m 05s`."""
    budget = waits.budget
    if budget is None or not budget.binds:
        return ""
    text = budget.describe()
    return text + done_in(waits.backfill_eta_s) if loading else text


def trouble(session: SessionState, waits: Waits) -> str | None:
    """What is wrong with this source now, in a few words (None when nothing is): marked on its
    tab, and told by the merged timeline, which would otherwise look fine while stale."""
    if session.phase == "error":
        return "failed"
    if waits.tail_failing is not None and session.want_tail:
        return f"live tail failing ({waits.tail_failing[0]})"
    return None if waits.retry is None else f"retrying ({waits.retry[0]})"
