"""A server that only advertises its limit (the demo server without `--budget`: its count never falls)
holds a tab's backfill back by the pace logview keeps to that limit, with nothing spent: the merged tab
said the tab "waits for its budget 100/100" (s29). It says the pace, and that the budget is unspent;
a budget really spent is still said as one waited for."""

from __future__ import annotations

from logview.api.types import BudgetState
from logview.session import MergedSession, Waits
from logview.store import EntryStore
from test_session import session
from test_store import AIT, ait

ADVERTISED = BudgetState(limit=100, remaining=100, window_s=60, resets_in_s=30, waiting=True, known=True,
                         reset_known=True, unspent=True)
SPENT = BudgetState(limit=100, remaining=0, window_s=60, resets_in_s=30, waiting=True, known=True, reset_known=True)


def merged_line(budget: BudgetState) -> tuple[str, ...]:
    """The merged tab's line, in each of its forms, over a tab 1,900 of 6,000 in and held back by `budget`."""
    tab = session()
    tab.begin(clear_now=True)
    tab.loaded([ait(i) for i in range(1900)], live=False, pages=19, total=6_000)
    progress = tab.source_progress(Waits(backfilling=True, budget=budget))
    merged = MergedSession(lambda: [("ait", tab.store), ("other", EntryStore(AIT))])
    merged.merge()
    merged.source_loading = {"ait": progress}
    state = merged.state(Waits())
    return (state.text, *state.shorter)


def test_a_tab_paced_to_an_advertised_limit_is_said_paced_its_budget_unspent() -> None:
    forms = merged_line(ADVERTISED)
    assert forms[0] == ("1 of 2 sources complete · ait: loading 1,900 of 6,000 (31%) · paced to the API's 100/min "
                        "(its budget 100/100 unspent)"), forms
    assert forms[1:] == ("1 of 2 complete · ait: paced (100/min)", "1/2 complete · ait loading"), forms
    assert not [form for form in forms if "waits" in form]


def test_a_spent_budget_is_still_said_waited_for() -> None:
    forms = merged_line(SPENT)
    assert forms[0] == "1 of 2 sources complete · ait: loading 1,900 of 6,000 (31%) · waits for its budget 0/100 · " \
                       "resets 30 s", forms
