"""How far a load is, in words: the status line's (`load_progress`) and, for the merged tab and a
save's note, a tab's (`source_progress`). Both count with `load_count`, so "1,310 of 3,156 (41%)"
is spelt one way wherever it is said; and a tab's forms are made here, whole, so that no caller
reads its words back to find a shorter form."""

from __future__ import annotations

from typing import NamedTuple

from logview.api.types import done_in, format_wait, no_answer
from logview.session.status_inputs import SessionState, SourceProgress, Waits


def load_count(done: int, of: int | None, word: str = "") -> tuple[str, str | None]:
    """A count and its percent: `1,310 of 3,156 (41%)` and `41%` (with `word`, `1,310 of 3,156 newer
    (41%)` and `41% newer`); without a total the count alone, `1,310 so far`, and no percent (not
    "N of N (100%)" while much is to come). Nothing counted and no word: no count."""
    named = f" {word}" if word else ""
    if of:
        percent = min(100, 100 * done // of)
        return f"{done:,} of {of:,}{named} ({percent}%)", f"{percent}%{named}"
    return (f"{done:,}{named} so far" if done or word else ""), None


class LoadProgress(NamedTuple):
    """How far a load is: `page` and `count` ("loading page 3", "1,310 of 3,156 (41%)"), the rows
    from the archive, the fewest words' `short_page` ("41%"), and whether every row is the archive's."""

    page: str
    count: str
    archived: str
    short_page: str
    archive_only: bool = False


def load_progress(session: SessionState, waits: Waits) -> LoadProgress:
    loaded, total = len(session.store), session.total
    archived = f"{session.from_archive:,} from the archive" if session.from_archive else ""
    if waits.head_filling is not None:
        return _head_progress(waits.head_filling, archived)
    waiting = waits.other_logview
    if waiting or (loaded and loaded <= session.from_archive):
        # (no page of this run in yet, every row the archive's: "loading page 1 · 67,536 so far · 67,536
        # from the archive" said one number three times, `shown` the third, of a page not in, s21 #12;
        # the count first, as "no answer for 7 s" then keeps it: s24 walk #3. Waiting for another
        # logview's fetch of the range, nothing is asked of the API: it says so, archived rows or none,
        # whatever the live tail brings meanwhile: its rows said "loading page 2 · 827 so far", found in a walk)
        shown = session.from_archive if waiting else loaded
        return LoadProgress(f"{shown:,} from the archive" if shown else "loading",
                            "waiting for another logview" if waiting else "asking the API", "",
                            "waiting" if waiting else "archive", archive_only=bool(shown))
    page = f"loading page {session.pages + 1}"
    count, percent = load_count(loaded, total)
    return LoadProgress(page, count, archived, percent or page.removeprefix("loading "))


def _head_progress(filling: tuple[int, int, int | None, str], archived: str) -> LoadProgress:
    """What is newer than the archive, while it is fetched (`Waits.head_filling`)."""
    pages, newer, counted_newer, word = filling
    page = f"loading page {pages + 1}"
    # (a few of those counted may be held already: never past 100%; not "page 75" at 120 and 80 columns, s20 S20-5)
    count, percent = load_count(newer, max(newer, counted_newer) if counted_newer else None, word)
    return LoadProgress(page, count, archived, percent or page.removeprefix("loading "))


def source_progress(session: SessionState, waits: Waits) -> SourceProgress | None:
    """How far a tab is from whole (`SourceProgress`); None once it is whole, or while it is in
    trouble (`troubles.trouble` says it)."""
    if session.needs_connector and session.phase != "error":
        return SourceProgress("no connector chosen (c in its tab)", "no connector", "no connector", "no connector")
    if session.phase == "cancelled":
        return SourceProgress("stopped (r in its tab loads it)", "stopped", "stopped", "stopped")
    if not (waits.backfilling or session.phase == "loading"):
        return None
    loaded = len(session.store)
    count, percent = load_count(loaded, session.total)
    loading = " ".join(("loading", count)).strip()
    if waits.unanswered_s is not None:
        # (its estimate left out, which grew while nothing came: the merged tab said "smb: loading
        # 38% · done in ~2m" of a source whose server had not answered for a minute)
        said = no_answer(waits.unanswered_s)
        return SourceProgress(f"{loading} · {said}", said, said, "loading")
    eta, budget, next_page = done_in(waits.backfill_eta_s), waits.budget, waits.next_page_s
    if not eta and budget is not None and budget.waiting:  # (why it stands still: paced for hours, s21 walk #8)
        # (the fewer words keep the wait and drop the count: at 160 columns "smb: loading 2,998" read
        # as a load under way while its next page was ~8 minutes off, s22 walk #3)
        if next_page is not None and next_page >= 1:
            rough = rough_wait(next_page)
            return SourceProgress(f"{loading} · next page ~{format_wait(next_page)}", f"next page ~{rough}",
                                  f"waits ~{rough}", "loading")
        if budget.unspent and budget.blocked_s <= 0:  # (its count never falls: only the pace holds it back)
            # ("waits for its budget 100/100" of a demo server that enforces none and advertises 100/min, s29)
            return SourceProgress(f"{loading} · paced to the API's {budget.pace()} (its {budget.count()} unspent)",
                                  f"paced ({budget.pace()})", "loading", "loading")
        # (a reset is when the next page goes: said in the fewest words too, or that it waits where its
        # time is not known; a 429's wait or the pace is not)
        wait = budget.reset_wait()
        fewest = "loading" if wait is None else f"waits ~{wait}" if wait else "waits"
        return SourceProgress(f"{loading} · waits for its {budget.brief()}", f"waits ({budget.holding()})", fewest,
                              "loading")
    short = percent or (f"{loaded:,}" if loaded else "")
    return SourceProgress(loading + eta, " ".join(("loading", short)).strip(), "loading", "loading")


def rough_wait(seconds: float) -> str:
    """`8m` for 7m 56s: a wait of minutes in the fewest words (the seconds change every redraw)."""
    return format_wait(seconds) if seconds < 120 or seconds >= 7200 else f"{round(seconds / 60)}m"
