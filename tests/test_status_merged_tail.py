"""The merged tab names a tab whose live tail has no answer (s23 walk #9) in each of its forms: while another tab
still loads, its fewer words ("1/2 complete · ait loading") left it to the tab strip's ⚠ at 80 columns."""

from __future__ import annotations

from logview.session import MergedSession, Waits
from logview.session.status_inputs import SourceProgress, Trouble
from logview.store import EntryStore
from test_store import AIT, SM, ait, sm


def merged_of_two() -> MergedSession:
    one, two = EntryStore(AIT), EntryStore(SM)
    one.append([ait(i, minutes=2 * i) for i in range(3)])
    two.append([sm(i, seconds=120 * i + 60) for i in range(3)])
    merged = MergedSession(lambda: [("ait", one), ("sm", two)])
    merged.merge()
    return merged


def test_a_tail_without_an_answer_is_named_beside_a_tab_still_loading() -> None:
    merged = merged_of_two()
    merged.source_troubles = {"sm": Trouble("tail_unanswered", "live tail: no answer for 12 s", "no answer for 12 s")}
    merged.source_loading = {"ait": SourceProgress("loading 300 of 600 (50%)", "loading 50%", "loading", "loading")}
    state = merged.state(Waits())
    assert (state.text, *state.shorter) == (
        "1 of 2 sources complete · ait: loading 300 of 600 (50%) · sm: live tail: no answer for 12 s",
        "1 of 2 complete · ait: loading 50% · sm: no answer for 12 s", "1/2 complete · ait loading · sm no answer for 12 s")
    assert state.state == "loading"  # (a live tab without an answer is no retry: no ⟳)


def test_a_tail_without_an_answer_is_named_once_every_tab_is_whole() -> None:
    merged = merged_of_two()
    merged.source_troubles = {"sm": Trouble("tail_unanswered", "live tail: no answer for 12 s", "no answer for 12 s")}
    state = merged.state(Waits())
    assert (state.state, state.text, *state.shorter) == (
        "complete", "2 sources merged · sm: live tail: no answer for 12 s", "2 sources merged · sm: no answer for 12 s",
        "sm: no answer for 12 s")  # (not "2 sources merged" last: at 80 columns it took the place of the wait)
