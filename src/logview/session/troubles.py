"""What is wrong with a tab, in a few words (`trouble`: marked on its tab, told by the merged tab), and the
merged tab's status line (`merged_forms`): how far each tab is from whole and what is wrong with it. Apart
from the status line's words of one source (`status.py`), which call on them."""

from __future__ import annotations

from logview.api.types import no_answer
from logview.files.envelope import UNREADABLE_SOURCE
from logview.model import counted
from logview.session.progress import rough_wait
from logview.session.status_inputs import SessionState, SourceProgress, Trouble, Waits


def tail_unanswered(session: SessionState, waits: Waits) -> bool:
    """A loaded tab's tail poll sent and without an answer for long (not one the budget holds: unsent)."""
    loading = waits.backfilling or session.phase == "loading"
    held = waits.budget is not None and waits.budget.live_waits
    return session.want_tail and not loading and not held and waits.unanswered_s is not None


def merged_forms(session: SessionState) -> tuple[str, tuple[str, ...]]:
    """`2 sources merged` once every tab is whole; while one is not, which are and how far each
    other one is: `1 of 2 sources complete · smb: loading 1,998 so far · next page ~7m 26s`, then
    in fewer words, a paced source's wait kept and its count dropped (`1 of 2 complete · smb: next
    page ~8m`, `1/2 complete · smb waits ~8m`), a loading one's `smb: loading 38%`. It said
    "2 sources merged" while a tab had 2,000 of ~20,000 entries, its budget pacing it for hours, or
    retried with none (s21 walk #8, #16)."""
    # (a mixed file's lines that name no source are a part, not a source)
    sources = sum(1 for label in session.store.origins.values[1:] if label != UNREADABLE_SOURCE)
    troubles = session.source_troubles
    said = [f"{label}: {trouble}" for label, trouble in troubles.items()]
    pending = not_whole(session)
    # (a tail without an answer is no retry: its tab says "● live · no answer for 12 s")
    unsettled = [trouble for trouble in troubles.values() if trouble.kind in ("retrying", "tail_failing")]
    # (⟳ while a source is retrying; a source that failed for good waits for r)
    failed = any(trouble.kind == "failed" for trouble in troubles.values())
    state = "retrying" if unsettled else "error" if failed else "loading" if session.source_loading else "complete"
    # (a tab reading what another reads is merged once, as that one: counted once, never "complete" while its
    # first loads, s28 walk #3; it is still named, "small: same as sm". Once all were whole it was "2 of 3 sources
    # merged", and at 80 columns without the reason: a source stuck, it read (found by a tester))
    repeats = sum(1 for trouble in troubles.values() if trouble.kind == "same_as")
    sources -= repeats
    if all(progress.long == "failed" for progress in pending.values()):
        left_out = sum(1 for trouble in troubles.values() if trouble.kind == "failed")
        merged = (f"{sources - left_out} of {counted(sources, 'source', 'sources')} merged" if left_out
                  else f"{counted(sources, 'source', 'sources')} merged")
        briefly = [f"{label}: {trouble.fewer}" for label, trouble in troubles.items()]
        # (a tail without an answer, in the fewest words, instead of the count merged: at 80 columns "2 sources
        # merged · smb: live tail: no answer for 12 s" was cut before the wait, then said "2 sources merged")
        # (and a tail's retry of minutes, kept as a loading tab's is: "2 sources merged" hid a 429's 15 minutes)
        fewest = briefly if any(trouble.kind == "tail_unanswered" or (trouble.kind == "tail_failing" and trouble.wait)
                                for trouble in troubles.values()) else [merged]
        if repeats:  # (the count falls short of the tabs: the one repeating another said in every form, `2 sources
            # · smerr: same as sm`, before the counts beside it)
            fewest = [merged.removesuffix(" merged") if not left_out else merged, *briefly]
        forms = ([merged, *said], [merged, *briefly], fewest)
        return state, tuple(dict.fromkeys(" · ".join(form) for form in forms))
    whole = max(0, sources - len(pending))
    full = [f"{whole} of {counted(sources, 'source', 'sources')} complete",
            *(f"{label}: {progress.long}" for label, progress in pending.items()), *(
                f"{label}: {trouble}" for label, trouble in troubles.items() if label not in pending)]
    unanswered = {label: trouble.brief for label, trouble in troubles.items()  # (in every form: 80 columns left it to ⚠)
                  if label not in pending and trouble.kind == "tail_unanswered"}
    # (a tab repeating another, said in every form: "0 of 2 complete" beside three tabs read as one lost, found
    # in a walk; said whole once all are whole, as it was only at 250 columns while they loaded)
    same = [f"{label}: {trouble}" for label, trouble in troubles.items() if trouble.kind == "same_as"]
    fewer = [f"{whole} of {sources} complete", *(f"{label}: {progress.short}" for label, progress in pending.items()),
             *(f"{label}: {said}" for label, said in unanswered.items()), *same]
    fewest = [f"{whole}/{sources} complete", *(f"{label} {progress.fewest}" for label, progress in pending.items()),
              *(f"{label} {said}" for label, said in unanswered.items()), *same]
    return state, tuple(" · ".join(form) for form in (full, fewer, fewest))


def not_whole(session: SessionState) -> dict[str, SourceProgress]:
    """The merged timeline's sources not whole: loading, retrying, failed (each in words and in
    fewer). A tab reading what another reads is no trouble (its rows are there once), nor is a
    failing tail's (its rows are all there up to the tail)."""
    pending = {label: _in_trouble(trouble) for label, trouble in session.source_troubles.items()
               if trouble.kind in ("failed", "retrying")}
    pending.update(session.source_loading)
    order = {label: at for at, label in enumerate(session.store.origins.values)}  # (the tabs' order)
    return dict(sorted(pending.items(), key=lambda item: order.get(item[0], len(order))))


def _in_trouble(trouble: Trouble) -> SourceProgress:
    """A tab in trouble as the merged tab says it: in its words (`retrying (HTTP 503)`) and in one, a
    retry's wait of minutes kept (`retrying in ~20m`, `retries in ~20m`, as a paced load's wait, see `trouble`)."""
    word = "retrying" if trouble.kind == "retrying" else "failed"
    if trouble.wait:
        return SourceProgress(trouble.words, f"retrying in ~{trouble.wait}", f"retries in ~{trouble.wait}", word)
    return SourceProgress(trouble.words, word, word, word)


RETRY_SAID_S = 60.0  # a retry's wait the merged tab says (shorter ones are over before it is read)
def left_out_of_merge(trouble: Trouble) -> bool:
    """Whether the merged timeline leaves a tab's rows out: its load failed (the header says it is
    not merged), or an earlier tab reads the same (its rows would be there twice)."""
    return trouble.kind in ("failed", "same_as")


def same_as(first: str) -> Trouble:
    """A tab reading what an earlier one reads: `production-eu-west-2: same as production-eu-west-1`."""
    return Trouble("same_as", f"same as {first}")


def shares(count: int, first: str) -> Trouble:
    """A tab whose entries an earlier tab of its source holds too: `prod-ok: shares 5,833 entries with prod
    (shown once, as prod)`; in fewer words (`5,833 shared with prod`) at 80 columns, where the long form was
    cut inside the tab's name (s24 walk #11)."""
    return Trouble("shares", f"shares {counted(count)} with {first} (shown once, as {first})",
                   f"{count:,} shared with {first}")


def trouble(session: SessionState, waits: Waits) -> Trouble | None:
    """What is wrong with this source now, in a few words (None when nothing is): marked on its
    tab, and told by the merged timeline, which would otherwise look fine while stale."""
    if session.phase == "error":
        return Trouble("failed", "failed")
    if session.tail_stopped and not session.want_tail:  # (its rows are merged: the merged tab says the tail stopped)
        return Trouble("tail_stopped", f"live tail stopped: {session.tail_stopped}", "tail stopped")
    if waits.tail_failing is not None and session.want_tail:  # (its cause left out where room is short: at
        # 160 columns the merged tab's line said "2 sources merged" alone, its counts kept, the source's
        # failing tail not named, as the words with the cause did not fit beside them)
        return Trouble("tail_failing", f"live tail failing ({waits.tail_failing[0]})", "live tail failing")
    if waits.retry is None and tail_unanswered(session, waits):  # (the merged tab said "2 sources merged")
        said = no_answer(waits.unanswered_s or 0.0)
        return Trouble("tail_unanswered", f"live tail: {said}", said)
    if waits.retry is None:
        return None
    cause, remaining = waits.retry
    # (a wait of a minute or more said: at 80 columns the merged tab's "smh retrying" hid a 429's 20 minutes, s23 #3)
    wait = rough_wait(remaining) if remaining >= RETRY_SAID_S else ""
    said = f"retrying ({cause})" + (f" in ~{wait}" if wait else "")
    if waits.retry_is_tail:  # (its rows are all there: the merged tab said "⟳ 1 of 2 complete", s29 walk 2 #1)
        return Trouble("tail_failing", f"live tail {said}", f"live tail retries in ~{wait}" if wait else "", wait)
    return Trouble("retrying", said, wait=wait)
