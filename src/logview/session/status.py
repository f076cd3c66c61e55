"""What the status line says about the connection: one function of a session's state (no Textual),
so every state it can be in is named here, in the order that decides between them."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from msgspec.structs import replace

from logview.api.types import BudgetState, done_in, format_wait, no_answer
from logview.model import sized
from logview.session.progress import LoadProgress, load_progress, rough_wait
from logview.session.status_inputs import SessionState, Waits
from logview.session.troubles import merged_forms, tail_unanswered, trouble  # (trouble: the session says it from here)

# the tail would need more than half the budget and takes turns with the backfill (`BudgetState.tail_halves`)
SHARED = ("backfill shares the budget with the tail (t pauses it)", "shared with the tail (t pauses it)",
          "shared with the tail")


class ConnectionState(NamedTuple):
    """What the status line says of the connection: `state` picks its colour and mark; `shorter`,
    where `text` is long, says the same in fewer words, each form dropping the least important
    part left (the archive's count, "backfill waits", the budget's long words, "loading page"), so
    a line too narrow for one takes the next, not the fewest words at once; `tail`, while loading, whether
    the live tail is on ("live", or "live · next poll in ~8m 02s" when the budget holds it back) or
    stopped by t ("paused"): after loading, `text` says it; the merged tab's, whether its tabs' tails
    are on ("live", "live 1 of 2" when only some), in every state; `tail_brief`, the tail's poll in
    the fewest words ("live · poll ~8m"), for a line too narrow for its seconds."""

    state: str
    text: str
    shorter: tuple[str, ...] = ()
    tail: str = ""
    tail_brief: str = ""


def connection_state(session: SessionState, waits: Waits) -> ConnectionState:
    """The status line's state, text, shorter forms and (while loading) the tail's state."""
    if waits.archive_behind is not None:  # (nothing loads while the writer catches up: its "done in" counted down, s23 #13)
        waits = replace(waits, backfill_eta_s=None)
    state, forms = _state_and_forms(session, waits)
    if waits.archiving and state in ("live", "complete", "paused", "capped"):
        # (in every form: at 100 and 80 columns it went first, before "loaded 100,000" said again
        # what the state said, and it is the one hint that a quit now waits for the archive, s20 #3)
        forms = tuple(f"{form} · archiving …" for form in forms)
    if waits.archive_behind is not None and state == "loading":
        forms = _behind_forms(forms, waits.archive_behind, load_progress(session, waits))
    unique = tuple(dict.fromkeys(forms))  # (a part that is not there drops nothing)
    tail = brief = ""
    if state == "loading" and not (session.file_mode or session.merged):
        tail = "live" if session.want_tail else "paused" if session.tail_paused else ""
        if tail == "live" and waits.tail_idle:
            tail = brief = "live · idle"
        elif tail == "live" and (held := _next_poll(session, waits)):
            # (at 60 columns "● poll ~8m 1…" was cut inside its number, and read as eight minutes, s28 walk #5)
            tail, brief = f"live · {held}", f"live · poll ~{_next_poll_wait(session, waits, rough_wait)}"
    if session.merged:  # (its line never said whether t had turned the tabs' tails on or off, s28 walk #3)
        live, able = session.tails_live
        tail = "" if not live else "live" if live >= able else f"live {live} of {able}"
    return ConnectionState(state, unique[0], unique[1:], tail, brief)


def _behind_forms(forms: tuple[str, ...], waiting: int, progress: LoadProgress) -> tuple[str, ...]:
    """The load's forms saying why it stands still: the archive's writer is behind (at "loading
    page 12 …" alone, a stopped or starved writer looked like a hung server, s20 #4); the hint
    kept to the narrowest, the load's own words going first, its counts before the budget's (at 160
    columns the line fell to "30% · budget 100/100 · 100/min …", s23 walk #13)."""
    said = f"archive writer behind ({sized(waiting)} waiting)"

    def joined(form: str, hint: str) -> str:
        return f"{form.removesuffix(' …')} · {hint} …"

    page = progress.page.removeprefix("loading ")  # ("page 12": its own words, not read back out of a form)
    counts = _form(progress.page, progress.count, said)
    return (*(joined(form, said) for form in forms[:2]), counts, *(joined(form, said) for form in forms[2:]),
            *(joined(form, "archive behind") for form in forms[-1:]), f"{page} · archive behind …", "archive behind …")


def _next_poll(session: SessionState, waits: Waits) -> str:
    """`next poll in ~7m 55s` (see `_next_poll_wait`), or nothing."""
    return f"next poll in ~{wait}" if (wait := _next_poll_wait(session, waits)) else ""


def _next_poll_wait(session: SessionState, waits: Waits, said: Callable[[float], str] = format_wait) -> str:
    """The wait for the tail's next poll (`7m 55s`) when the budget holds it back longer than its interval
    (Supermetrics' hourly pace: "live" alone, while nothing was asked for minutes, misled), and all along
    while its pace holds every poll back (`_tail_period`): it came and went between polls. Else "".
    `said`: how the wait is said (`rough_wait`: `8m`)."""
    budget = waits.budget
    if budget is None:
        return ""
    if _tail_period(session, waits):
        return said(max(1.0, budget.tail_next_s))
    if budget.tail_next_s <= max(session.interval_s, 1.0):
        return ""
    return said(budget.tail_next_s)


def _tail_period(session: SessionState, waits: Waits) -> float:
    """The seconds between the tail's polls where the budget's pace holds each past its interval (0: it does not), said
    steadily: a tail paced to a poll every ~5 s said "every 2 s", "next poll in ~7 s", the budget's words (s23 #12).
    Measured against the interval itself: one under a second, paced to a poll every ~0.8 s, said "every 0.05 s"
    (found in a walk)."""
    budget = waits.budget
    if budget is None or budget.tail_period_s <= session.interval_s * 1.25:  # (a quarter longer, or more)
        return 0.0
    return budget.tail_period_s


def _state_and_forms(session: SessionState, waits: Waits) -> tuple[str, tuple[str, ...]]:
    state, text = _state_and_text(session, waits)
    if isinstance(text, tuple):  # (an API's loading, the live tail's line)
        return state, text
    if session.merged or state not in ("complete", "paused"):
        return state, (text,)
    return state, (text, text.replace(f" · {session.from_archive:,} from the archive", ""))  # ("all loaded")


class _PollWords(NamedTuple):
    """What the live line says of the tail's next poll, in full and short (`next poll in ~3 s`, `poll ~3 s`);
    `counted`: a countdown to the poll, beside which a paced tail says its period."""

    full: str
    short: str
    counted: bool = False


def _poll_words(session: SessionState, waits: Waits) -> _PollWords:
    if waits.tail_idle:  # (nothing newer than the range's end would show: `Pager.poll`)
        return _PollWords("idle: the time range ends in the past (d changes it)", "idle")
    wait = _next_poll_wait(session, waits)
    if waits.budget is not None and waits.budget.live_waits and not wait:
        return _PollWords("next poll waits for the API budget", "poll waits")  # (the poll is not sent yet)
    if tail_unanswered(session, waits):
        # a hung request (30 s), counted from when it was sent, by the client as for a load; a poll the
        # budget holds has not reached the server ("waiting 77 s for the server" was said while nothing
        # had been sent, found in a walk)
        said = no_answer(waits.unanswered_s)
        return _PollWords(said, said)
    if wait:
        return _PollWords(f"next poll in ~{wait}", f"poll ~{wait}", counted=True)
    return _PollWords(f"every {session.interval_s:g} s", f"every {session.interval_s:g} s")


def _live_forms(session: SessionState, waits: Waits) -> tuple[str, ...]:
    """The live tail's line (`live · polls every ~5 s · next poll in ~3 s · API budget 1000/1000 · 1000/h`), then
    while the budget binds or paces the tail, shorter: the budget without what waits, in brief, the poll in
    brief without the period, and at last the tail's words alone (paced: the poll is what is waited for) or
    with the budget in brief."""
    budget, period = waits.budget, _tail_period(session, waits)
    poll, cap = _poll_words(session, waits), _cap(session)
    # (the tail alone after Esc cancelled the load: what it did not load is said, r loads it)
    stopped = "loading stopped — r reloads" if session.phase == "cancelled" else ""
    searching = " · searching …" if session.searching else ""  # (the rows shown are the last search's until it ends)
    pace = f"polls every ~{rough_wait(period)}" if period and poll.counted else ""

    def line(poll_said: str, budget_said: str, pace: str, stopped: str) -> str:
        live = " · ".join(part for part in ("live", pace, poll_said) if part) + searching
        return " · ".join(part for part in (live, cap, budget_said, stopped) if part)

    text = line(poll.full, _budget_text(waits, paced=bool(period)), pace, stopped)
    if budget is None or not (budget.binds or period):
        return (text,)
    # (each form before a count goes: at 160 columns the budget's long words pushed `total` off the line,
    # found in a walk; paced, the period goes before the countdown, and the budget's words last)
    last = line(poll.short, "", "", "") if period else f"live · {budget.brief()}"
    return (text, line(poll.full, budget.describe(waiting=""), pace, stopped),
            line(poll.full, budget.brief(), pace, stopped), line(poll.short, budget.brief(), "", stopped), last)


def _cap(session: SessionState) -> str:
    """`capped at 100`: the backfill stopped at the cap, or the tail's newest entries took the oldest rows' places
    (the tail's line said nothing of the rows going, s31)."""
    capped = session.capped or session.store.dropped_total > 0
    return f"capped at {session.max_entries:,}" if capped and session.max_entries else ""


def _loading_forms(session: SessionState, waits: Waits) -> tuple[str, ...]:
    """`loading page 3 · 1,310 of 3,156 (41%) · 1,208 from the archive · API budget 0/10 · resets
    in 1 s · backfill waits · done in ~14 s …` (the budget only when it binds), then the same
    without the archive's count, without "backfill waits", with the budget in fewer words, then
    `41% · budget 0/10 · resets 1 s · done in ~14 s …`."""
    progress, budget, eta = load_progress(session, waits), waits.budget, _eta(waits)
    binds = budget is not None and (budget.binds or waits.budget_held)
    waiting, shared = _waiting(waits)
    words = _budget_words(session, budget, waiting, eta, shared) if budget is not None and binds else _NO_WORDS
    page, count = progress.page, progress.count
    forms = (_form(page, count, progress.archived, words.full), _form(page, count, words.full),
             _form(page, count, words.unsaid), _form(page, count, words.brief))
    if shared and session.total:  # (the count of the total before the key's hint: at 160 columns beside a
        # profile's label and the tail's poll, "10% · shared with the tail (t pauses it)" said no
        # total; without a total the count is `shown`'s, said beside it: the hint goes last)
        forms += (_form(page, count, f"{SHARED[2]}{eta}"),)
    if budget is None or not binds:  # (short: the counts beside give way first; the archive's count is `shown`'s)
        return (*forms, _form("from the archive", count)) if progress.archive_only else forms
    return *forms, _form(progress.short_page, words.brief), *_fewest_forms(progress.short_page, budget, eta,
                                                                          bool(session.total), shared)


def _eta(waits: Waits) -> str:
    """When the budget lets the backfill be done (" · done in ~14 s"), else its next page go."""
    budget, eta = waits.budget, done_in(waits.backfill_eta_s)
    if eta or budget is None or not budget.waiting:
        return eta
    if waits.next_page_s is not None and waits.next_page_s >= 1:
        return f" · next page ~{format_wait(waits.next_page_s)}"
    if budget.remaining == 0 and not budget.blocked_s and budget.resets_in_s >= 1:
        # (spent, its reset not known: when the budget looks again, at the reset it assumes; the line said when the
        # load goes on nowhere, for minutes, s23 walk #3; in minutes: a line of 160 keeps "a listing waits" beside it)
        return f" · next page ~{rough_wait(budget.resets_in_s)}"
    return eta


def _waiting(waits: Waits) -> tuple[str, bool]:
    """What waits for the budget, and whether the backfill shares it with the tail (then why it
    goes at half the pace, and what would give it all: said in the fewest words too)."""
    budget = waits.budget
    # (a listing the user asked for waits too: said, as the toast said it only for 4 s)
    waiting = "backfill and a listing wait" if waits.asked == "a listing" else "backfill waits"
    # (not with the window spent: then the reset holds it, not the tail's turns, and "shared with the tail" took
    # the place of "resets in ~54 min" and of when the next page goes, for minutes, s23 #3)
    shared = budget is not None and budget.tail_halves and not budget.blocked_s and waiting == "backfill waits" \
        and budget.remaining > 0
    return (SHARED[0] if shared else waiting), bool(shared)


class _BudgetWords(NamedTuple):
    """A binding budget said in full, `brief`ly, and in full without what the line says already."""

    full: str
    brief: str
    unsaid: str


_NO_WORDS = _BudgetWords("", "", "")


def _budget_words(session: SessionState, budget: BudgetState, waiting: str, eta: str, shared: bool) -> _BudgetWords:
    # (between two waits, as many words: the line keeps its form, its parts in their places)
    # (a reload's first page that waits, the archive's rows shown: "backfill paced" said nothing of it, s18 W1)
    paced = "first page waits" if budget.live_waits and not session.pages else "backfill paced"
    held = budget.describe("")  # (the count and what holds requests back: the reset, a 429's wait, the pace)
    # (a server that only says its limit left "API budget 100/100 … backfill waits": paced, s19 V6)
    waits_now = budget.waiting and budget.remaining < budget.limit
    said = budget.describe(waiting) if waits_now else held if budget.unspent else f"{held} · {paced}"
    # (that the backfill waits is what the line says already: its words go first; shared with the tail, the
    # reset's time and then the budget's count go first: they tell less than why the backfill goes slowly, and
    # what would speed it; a listing that waits, or a first page, is not what the line says already: kept)
    if shared:
        unsaid = f"API {budget.count()} · {SHARED[1]}"
    elif waits_now:
        listing = waiting == "backfill and a listing wait" and budget.names_what_waits
        unsaid = f"{held} · a listing waits" if listing else held
    else:
        unsaid = f"{held} · {paced}" if paced == "first page waits" and not budget.unspent else held
    return _BudgetWords(said + eta, f"{SHARED[1]}{eta}" if shared else budget.brief() + eta, unsaid + eta)


def _fewest_forms(short_page: str, budget: BudgetState, eta: str, counted: bool, shared: bool) -> tuple[str, ...]:
    """The shortest forms of a binding budget's line (`counted`: the server counts the entries)."""
    if shared:
        # (shared with the tail, when the next page goes or the load is done outlasts why: at 120 and 80
        # columns "page 3 · shared with the tail …" stood beside "● live · next poll in ~29m 59s", no time)
        return (_form(short_page, f"{SHARED[2]}{eta}"), _form(short_page, eta.removeprefix(" · "))) if eta else \
            (_form(short_page, SHARED[2]),)
    # (and without the reset's time: at 80 columns "page 4 · budget 7/10 · resets ~60 min · next
    # page ~8m 29s" left no room for `shown`, where a file's read keeps it, s21 #14)
    # (only where the count is `shown`'s and the time is the next page's: a total's percent and its
    # "done in" say the rest, and a reset is all a line without a time has)
    if eta.startswith(" · next page") and not counted and not budget.unspent:
        return (_form(short_page, budget.count() + eta),)
    return ()


def _form(*parts: str) -> str:
    return " · ".join(part for part in parts if part) + " …"


def _unanswered_forms(session: SessionState, waits: Waits) -> tuple[str, ...]:
    """A load whose request has no answer: its progress without the estimate (which grew while
    nothing came), the wait first after the page, and at last the wait alone (80 columns)."""
    assert waits.unanswered_s is not None
    said = no_answer(waits.unanswered_s)
    still = replace(waits, backfill_eta_s=None, next_page_s=None, budget=None, budget_held=False)
    progress = load_progress(session, still)
    if progress.archive_only:  # (the archive answered: "from the archive · no answer for 7 s · 60,070" read as if it had not)
        return _form(progress.page, progress.count, said), _form(progress.count, said), _form(said)
    return (_form(progress.page, said, progress.count, progress.archived), _form(progress.page, said, progress.count),
            _form(progress.short_page, said), _form(said))


def _state_and_text(session: SessionState, waits: Waits) -> tuple[str, str | tuple[str, ...]]:
    if waits.retry is not None:  # (the connectors' listing's too: a 429 waited a minute unsaid)
        cause, remaining = waits.retry
        when = f"retrying in {format_wait(remaining)}" if remaining > 0.5 else _retry_due(waits)
        if waits.retry_is_tail and (cap := _cap(session)):  # (the cap holds all along, as its failing says)
            return "retrying", (f"{cause} · {when} · {cap}", f"{when} · {cap}")
        return "retrying", f"{cause} · {when}"
    if session.needs_connector and session.phase != "error":  # nothing to load until one is chosen
        return "paused", "choose a connector (c)"
    if session.phase == "error":
        return "error", "error — r retries"
    if waits.tail_failing is not None and session.want_tail:  # loaded, but the tail cannot reach the API
        cause, remaining = waits.tail_failing
        when = f"next try in {format_wait(remaining)}" if remaining > 0.5 else "trying now"
        if cap := _cap(session):  # (the cap holds all along: said as the tail's other states say it)
            return "retrying", (f"live tail failing: {cause} · {when} · {cap}", f"tail failing · {when} · {cap}")
        return "retrying", f"live tail failing: {cause} · {when}"
    if session.phase == "cancelled" and not session.want_tail:  # (t after Esc starts the tail alone)
        return "cancelled", "stopped — r reloads"
    store = session.store
    loading = waits.backfilling or session.phase == "loading"
    if session.file_mode and not session.merged and loading:
        rows, ready = len(store), session.fields_counted()
        # (and in fewer words: at 80 columns the long form left no room for `shown`, s20 #9; a
        # search under way said too: the table showed every row under an applied search, s21 #7)
        searching = " · searching" if session.searching else ""
        if session.file_scanned < 1.0:
            percent = int(100 * session.file_scanned)
            # (the share of the bytes alone: "215 entries (0%)" set a count of lines beside a percent
            # of bytes, s21 #12; `shown` and `loaded` count the lines)
            return "loading", (f"indexing the file · {percent}%{searching} …", f"indexing {percent}%{searching} …")
        percent = 100 * ready // max(1, rows)
        return "loading", (f"reading fields · {ready:,} of {rows:,} ({percent}%){searching} …",
                           f"reading fields {percent}%{searching} …")
    archived = f"{session.from_archive:,} from the archive" if session.from_archive else ""
    if loading:
        if session.merged:
            read = f" · {int(100 * session.file_scanned)}%" if 0 < session.file_scanned < 1 else ""
            return "loading", f"reading the file{read} …"
        if waits.unanswered_s is not None:
            return "loading", _unanswered_forms(session, waits)
        return "loading", _loading_forms(session, waits)
    if session.want_tail:
        return "live", _live_forms(session, waits)
    if cap := _cap(session):
        return "capped", _capped_forms(session, cap)
    if session.searching:  # (the rows shown are the last search's until it ends)
        return "loading", "searching …"
    if session.merged:
        return merged_forms(session)
    if session.file_mode:
        return "complete", "file loaded"
    loaded = f"all loaded · {archived}" if archived else "all loaded"
    if tail := _tail_off(session):
        return "paused", f"{loaded} · {tail[0]}"
    return "complete", loaded


def _tail_off(session: SessionState) -> tuple[str, str] | None:
    """The live tail stopped by the server (said as the banner says it, not as the user's pause) or paused
    by t, in full and in brief; None when neither."""
    if session.tail_stopped:
        return "live tail stopped (r or t tries again)", "tail stopped (r or t)"
    if session.tail_paused:
        return "tail paused (t resumes)", "tail paused (t)"
    return None


def _capped_forms(session: SessionState, cap: str) -> tuple[str, ...]:
    """The cap that holds, after the tail's state when the tail is off, in every form: the cap's words
    alone said nothing of a tail a broken server had stopped, or t paused (s31); tailing, the live
    line says the cap (`_live_forms`)."""
    # (the server counts nothing, its last page was full: s20 #5 said "not loaded" of none; a file's
    # first lines are not its newest where it was written oldest first, as `tac` or a log appended to
    # leaves it: "older entries not loaded" was said of its newer ones, found in a walk)
    held = f"{cap} — the rest of the file not read" if session.file_mode else \
        f"{cap} — older entries not loaded" if session.capped_older else \
        f"stopped at the cap of {session.max_entries:,} · older entries may exist"
    if (tail := _tail_off(session)) is None:
        return (held,)
    full, brief = tail
    return f"{full} · {held}", f"{full} · {cap}", f"{brief} · {cap}"


def _retry_due(waits: Waits) -> str:
    """A retry whose wait is over: its attempt sent and waiting for the server, then, once long, how
    long ("retrying now" stood 30 s of a read timeout, s22 walk #10, then its first 5 s), or not
    sent yet (the API's budget may hold it)."""
    if waits.unanswered_s is not None:
        return no_answer(waits.unanswered_s)
    if waits.sent:
        return "waiting for the server"
    return "retry waits for the API budget" if waits.budget is not None and waits.budget.binds else "retrying now"


def _budget_text(waits: Waits, *, paced: bool = False) -> str:
    """The API's budget, only when it binds: `API budget 0/100 · resets in 41 s · next request waits`.
    (Nothing is loading: what waits at the backfill's turn is a listing or the credentials' names,
    named as such: "a listing waits" on an Aitronos viewer, which has none, misled; found in a walk.)
    `paced`: the tail's pace is said, and the budget with it all along; a waiting poll is what it says."""
    budget = waits.budget
    if budget is None or not (budget.binds or paced):
        return ""
    asked = {"a listing": "a listing waits", "credential names": "credential names wait"}
    return budget.describe(waiting=asked.get(waits.asked, "a request waits") if budget.waiting or not paced else "")
