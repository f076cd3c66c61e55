"""The viewer's state without an app (`ViewerSession`): loading, reloads, the tail's count, what
filter changes need, and what the status line says in each state."""

from __future__ import annotations

from datetime import datetime, timezone

from msgspec.structs import replace

from logview.api.types import BudgetState
from logview.model import Filters
from logview.session import MergedSession, ViewerSession, Waits
from logview.session.status_inputs import SourceProgress, Trouble
from logview.session.troubles import same_as
from logview.sources import SupermetricsSource
from logview.store import EntryStore
from test_store import AIT, SM, ait, ids, sm


def session(**kwargs) -> ViewerSession:
    return ViewerSession(AIT, kwargs.pop("filters", Filters()), max_entries=kwargs.pop("max_entries", None), **kwargs)


def test_pages_then_the_tail_keep_the_total_and_the_rows_in_step() -> None:
    s = session(follow=True)
    assert s.begin(clear_now=True) == Filters() and s.phase == "loading"
    change = s.loaded([ait(i) for i in range(10)], live=False, pages=1, total=30)
    assert change.appended == 10 and s.total == 30
    s.loaded([ait(-1, minutes=-1)], live=True, pages=1, total=None)  # the tail, while the backfill pages
    s.loaded([ait(i) for i in range(10, 30)], live=False, pages=3, total=30)  # every page repeats 30
    assert s.total == 31 == len(s.store)
    s.finished(capped=False)
    assert s.phase == "complete" and s.state(Waits())[0] == "live"


def test_a_reload_keeps_the_old_rows_until_the_first_new_page() -> None:
    s = session()
    s.begin(clear_now=True)
    s.loaded([ait(i) for i in range(5)], live=False, pages=1, total=5)
    s.finished(capped=False)
    s.begin(clear_now=False)
    assert len(s.view) == 5  # still there
    change = s.loaded([ait(i) for i in range(100, 103)], live=False, pages=1, total=3)
    assert change.reset and ids(s.store, s.view.index) == ["log_100", "log_101", "log_102"]


def test_a_reload_that_finds_nothing_leaves_nothing_and_a_failure_keeps_the_rows() -> None:
    s = session()
    s.begin(clear_now=True)
    s.loaded([ait(i) for i in range(5)], live=False, pages=1, total=5)
    s.begin(clear_now=False)
    s.failed()
    assert len(s.view) == 5 and s.phase == "error" and s.state(Waits())[1] == "error — r retries"
    s.begin(clear_now=False)
    s.finished(capped=False)
    assert len(s.view) == 0 and s.empty_message("").startswith("No entries: the server has none for organization")


def test_filter_changes_say_whether_the_server_must_be_asked_again() -> None:
    s = session()
    assert s.change_filters(Filters()) == "same"
    assert s.change_filters(Filters(statuses=("error",))) == "requery"  # Aitronos filters status on the server
    assert s.change_filters(Filters(statuses=("error",), search="x")) == "local"
    supermetrics = ViewerSession(SupermetricsSource(1, "C1"), Filters(), max_entries=None)
    assert supermetrics.change_filters(Filters(statuses=("5xx",))) == "local"
    assert supermetrics.change_filters(Filters(statuses=("5xx",), since=datetime(2025, 1, 1, tzinfo=timezone.utc))) \
        == "requery"  # paging stops at `since`


def test_a_relative_range_counts_from_now_again_on_begin_and_while_tailing() -> None:
    s = session(filters=Filters().with_time_range("1h", ""), follow=True)
    first = s.filters.since
    assert not ViewerSession(AIT, Filters().with_time_range("1h", ""), max_entries=None).slide_time()
    assert s.slide_time() and s.filters.since > first and s.filters.since_text == "1h"
    before = s.filters.since
    s.begin(clear_now=True)
    assert s.filters.since > before


def test_the_status_line_names_each_state() -> None:
    s = session()
    assert s.state(Waits(backfilling=True))[:2] == ("loading", "loading page 1 …")
    assert s.state(Waits(retry=("429 rate limited", 4.2)))[:2] == ("retrying", "429 rate limited · retrying in 5 s")
    s.finished(capped=False)
    assert s.state(Waits())[:2] == ("complete", "all loaded")
    s.want_tail = True
    assert s.state(Waits(tail_failing=("connection failed", 30)))[:2] == \
        ("retrying", "live tail failing: connection failed · next try in 30 s")
    assert str(s.trouble(Waits(tail_failing=("connection failed", 30)))) == "live tail failing (connection failed)"
    s.cancel()
    assert s.state(Waits())[:2] == ("cancelled", "stopped — r reloads")
    picker = ViewerSession(SupermetricsSource(1, None), Filters(), max_entries=None)
    assert picker.state(Waits(backfilling=True))[:2] == ("paused", "choose a connector (c)")
    assert all(state.shorter == () for state in (s.state(Waits()), picker.state(Waits(backfilling=True))))


def test_a_full_budget_is_not_said_to_make_the_backfill_wait() -> None:
    """s19 V6: against a server that only advertises its limit (its remaining never falls), the
    line said "API budget 100/100 · resets in 46 s · backfill waits": the budget paces the backfill
    over the window, as the line says between two waits."""
    s = session()
    s.begin(clear_now=True)
    s.loaded([ait(i) for i in range(30)], live=False, pages=3, total=None)
    full = BudgetState(limit=100, remaining=100, window_s=60, resets_in_s=46, waiting=True, known=True,
                       reset_known=True)
    state = s.state(Waits(backfilling=True, budget=full))
    assert state.text == "loading page 4 · 30 so far · API budget 100/100 · resets in 46 s · backfill paced …"
    assert not [form for form in state.shorter if "waits" in form], state.shorter


def test_a_gap_fills_narrow_line_says_how_far_it_is_not_its_page() -> None:
    """Found in a walk (s20 S20-5): at 120 and 80 columns a relaunch's fill said "page 75 · budget
    6/10 · …", where a fresh load says its percentage ("9% · budget …", the README's example)."""
    s = session(follow=True)
    s.begin(clear_now=True)
    s.loaded([ait(i) for i in range(30)], live=False, pages=3, total=None)
    waiting = BudgetState(limit=10, remaining=0, window_s=5, resets_in_s=2, waiting=True, known=True, reset_known=True)
    for filling, short in (((74, 900, 1_297, "newer"), "69% newer"), ((9, 99, 3_553, "older"), "2% older"),
                           ((4, 450, None, "newer"), "page 5")):
        forms = s.state(Waits(backfilling=True, budget=waiting, backfill_eta_s=20, head_filling=filling)).shorter
        assert forms[-1] == f"{short} · budget 0/10 · resets 2 s · done in ~20 s …", forms


def test_a_budget_that_binds_has_a_short_form_for_a_narrow_line() -> None:
    s = session(follow=True)
    s.begin(clear_now=True)
    s.loaded([ait(i) for i in range(30)], live=False, pages=3, total=100)
    waiting = BudgetState(limit=10, remaining=0, window_s=5, resets_in_s=2, waiting=True, known=True, reset_known=True)
    state = s.state(Waits(backfilling=True, budget=waiting, backfill_eta_s=7))
    assert state == ("loading", "loading page 4 · 30 of 100 (30%) · API budget 0/10 · resets in 2 s · backfill waits"
                                " · done in ~7 s …",
                     ("loading page 4 · 30 of 100 (30%) · API budget 0/10 · resets in 2 s · done in ~7 s …",
                      "loading page 4 · 30 of 100 (30%) · budget 0/10 · resets 2 s · done in ~7 s …",
                      "30% · budget 0/10 · resets 2 s · done in ~7 s …"), "live", "")  # (the tail: on while loading)
    free = BudgetState(limit=10, remaining=6, window_s=5, resets_in_s=2, waiting=False, known=True)
    assert s.state(Waits(backfilling=True, budget=free)).shorter == ()  # it does not bind: nothing long to say
    s.finished(capped=False)
    # with no backfill, what waits at its turn is named: the credentials' names, a listing of connectors
    for asked, said in (("credential names", "credential names wait"), ("a listing", "a listing waits")):
        assert s.state(Waits(budget=waiting, asked=asked)) == (
            "live", f"live · every 2 s · API budget 0/10 · resets in 2 s · {said}",
            ("live · every 2 s · API budget 0/10 · resets in 2 s", "live · every 2 s · budget 0/10 · resets 2 s",
             "live · budget 0/10 · resets 2 s"), "", "")
    # the poll the budget holds back, in fewer words too, before a count gives way (s17 K3)
    s.interval_s = 0.5
    held = BudgetState(limit=10, remaining=0, window_s=60, resets_in_s=30, waiting=False, known=True,
                       reset_known=True, tail_next_s=30, live_waits=True)
    assert s.state(Waits(budget=held))[1:3] == (
        "live · next poll in ~30 s · API budget 0/10 · resets in 30 s · next request waits", (
        "live · next poll in ~30 s · API budget 0/10 · resets in 30 s",
        "live · next poll in ~30 s · budget 0/10 · resets 30 s", "live · poll ~30 s · budget 0/10 · resets 30 s",
        "live · budget 0/10 · resets 30 s"))


def test_a_first_page_the_budget_holds_back_is_said_beside_the_archives_rows() -> None:
    """Found in a walk (s18 W1): `r` `r` on a spent hourly budget, the archive's rows shown, read
    "loading page 1 · 5,391 so far · API budget 1/20 · resets in ~55 min · backfill paced" for
    minutes: no backfill ran, the reload's first page waited for the reset."""
    s = session()
    s.begin(clear_now=True)
    s.loaded([ait(i) for i in range(30)], live=False, pages=0, total=None, archived=30)
    first_waits = BudgetState(limit=20, remaining=1, window_s=3600, resets_in_s=3300, waiting=False, known=True,
                              live_waits=True)
    state = s.state(Waits(backfilling=True, budget=first_waits, budget_held=True))
    assert state.text == ("30 from the archive · asking the API · API budget 1/20 · resets in ~55 min"
                          " · first page waits …"), state.text


def test_the_archives_rows_shown_while_the_api_does_not_answer_are_said_as_the_archives() -> None:
    """Found in a walk (s23 #9): "from the archive · no answer for 7 s · 60,070 · asking the API"
    read as if the archive had not answered; the count is the archive's, the silence the API's."""
    s = session()
    s.begin(clear_now=True)
    s.loaded([ait(i) for i in range(30)], live=False, pages=0, total=None, archived=30)
    asking = s.state(Waits(backfilling=True))  # (before the silence is said: the same words, in the same order, s24 #3)
    assert asking.text == "30 from the archive · asking the API …", asking.text
    state = s.state(Waits(backfilling=True, unanswered_s=7.0))
    assert state.text == "30 from the archive · asking the API · no answer for 7 s …", state.text
    assert state.shorter[-1] == "no answer for 7 s …", state.shorter


def test_while_loading_the_status_line_has_a_form_for_each_width_and_says_the_tail() -> None:
    """Found in a walk: at 160 columns the line fell back to its fewest words once the archive's
    count was in it; a resume said "1,209 of 1,209 (100%)" before its total was known; and the
    tail's state showed only after loading."""
    s = session(follow=True)
    s.begin(clear_now=True)
    s.from_archive = 1208
    s.loaded([ait(i) for i in range(1209)], live=False, pages=1, total=None, archived=1208)
    waiting = BudgetState(limit=10, remaining=0, window_s=5, resets_in_s=2, waiting=True, known=True, reset_known=True)
    state = s.state(Waits(backfilling=True, budget=waiting, backfill_eta_s=14))
    assert (state.text, *state.shorter) == (
        "loading page 2 · 1,209 so far · 1,208 from the archive · API budget 0/10 · resets in 2 s · backfill waits"
        " · done in ~14 s …",
        "loading page 2 · 1,209 so far · API budget 0/10 · resets in 2 s · backfill waits · done in ~14 s …",
        "loading page 2 · 1,209 so far · API budget 0/10 · resets in 2 s · done in ~14 s …",
        "loading page 2 · 1,209 so far · budget 0/10 · resets 2 s · done in ~14 s …",
        "page 2 · budget 0/10 · resets 2 s · done in ~14 s …")
    assert state.tail == "live"
    s.toggle_tail()
    assert s.state(Waits(backfilling=True)) == ("loading", "loading page 2 · 1,209 so far · 1,208 from the archive …",
                                                ("loading page 2 · 1,209 so far …",), "paused", "")
    s.finished(capped=False)
    assert s.state(Waits()) == ("paused", "all loaded · 1,208 from the archive · tail paused (t resumes)",
                                ("all loaded · tail paused (t resumes)",), "", "")  # (the text says the tail)


def test_a_writer_behind_keeps_the_loads_counts_before_the_budgets_words_and_no_estimate() -> None:
    """s23 walk #13: at 160 columns, the writer behind, the line fell to "30% · budget 100/100 ·
    100/min · done in ~4m 17s · archive writer behind (8 MiB waiting)", and its "done in" counted
    down while nothing loaded."""
    s = session()
    s.begin(clear_now=True)
    s.loaded([ait(i) for i in range(1900)], live=False, pages=19, total=6_000, archived=0)
    binding = BudgetState(limit=100, remaining=100, window_s=60, resets_in_s=30, waiting=True, known=True,
                          reset_known=True)
    state = s.state(Waits(backfilling=True, budget=binding, backfill_eta_s=257, archive_behind=8 << 20))
    forms = (state.text, *state.shorter)
    assert not [form for form in forms if "done in" in form], forms
    counts = "loading page 20 · 1,900 of 6,000 (31%) · archive writer behind (8.0 MiB waiting) …"  # (`model.sized`)
    assert counts in forms, forms
    # (after the forms with the budget in full, before those with it in fewer words)
    assert all("budget" not in form or "API budget" in form for form in forms[:forms.index(counts)]), forms
    assert forms[-1] == "archive behind …"


def test_drill_down_and_zoom_out_keep_a_typed_range() -> None:
    s = session(filters=Filters().with_time_range("2d", ""))
    narrowed = s.drill_into(datetime(2025, 1, 1, tzinfo=timezone.utc), datetime(2025, 1, 2, tzinfo=timezone.utc))
    assert narrowed.since_text is None
    s.change_filters(narrowed)
    back = s.zoom_out()
    assert back is not None and back.since_text == "2d" and s.zoom_out() is None


def test_a_bar_that_is_the_range_already_adds_no_step_to_zoom_out() -> None:
    """Enter on a one-second bar, which cannot be narrowed: Backspace then looked dead."""
    s = session(filters=Filters().with_time_range("2d", ""))
    second = (datetime(2025, 1, 1, tzinfo=timezone.utc), datetime(2025, 1, 1, 0, 0, 1, tzinfo=timezone.utc))
    s.change_filters(s.drill_into(*second))
    s.change_filters(s.drill_into(*second))  # (the same bar again)
    back = s.zoom_out()
    assert back is not None and back.since_text == "2d"  # one Backspace back to where it started


def test_x_lifts_what_the_stats_picked_and_leaves_the_rest() -> None:
    s = ViewerSession(SupermetricsSource(1, "C1"), Filters(search="x"), max_entries=None)
    s.change_filters(s.pick("event", "data.fetch"))
    lifted, names = s.lift_picks()
    assert names == ["event"] and lifted == Filters(search="x")
    assert s.lift_picks()[1] == []


def test_the_merged_session_finds_an_entry_again_after_its_part_put_its_rows_in_order() -> None:
    """A mixed file's parts are merged while it is read, then put newest first once all are read
    (`EntryStore.settle`): the entry under the cursor is followed to its new ordinal, whichever
    order the parts come in (the cursor went to another entry of a file written oldest first)."""
    one, two = EntryStore(AIT), EntryStore(SM)
    one.append([ait(i, minutes=-2 * i) for i in range(4)], settle=False)  # oldest first, not yet in order
    two.append([sm(0)])
    merged = MergedSession(lambda: parts)
    parts = [("a", one), ("b", two)]
    merged.merge()
    chosen = merged.store.entry(merged.view.ordinal(1))
    one.settle()
    origin = merged.origin_of(merged.view.ordinal(1))  # (as the screen asks: just before it merges)
    parts = [("b", two), ("a", one)]  # (the file's order of sources, known by the end)
    assert merged.merge(force=True)
    assert merged.store.entry(merged.view.ordinal(merged.row_of_origin(origin))).id == chosen.id


def test_the_merged_session_finds_an_entry_again_after_a_merge() -> None:
    one, two = EntryStore(AIT), EntryStore(SM)
    one.append([ait(i, minutes=2 * i) for i in range(3)])
    two.append([sm(i, seconds=120 * i + 60) for i in range(3)])
    merged = MergedSession(lambda: [("a", one), ("b", two)])
    assert merged.merge() and not merged.merge()  # nothing changed: no rebuild
    origin = merged.origin_of(merged.view.ordinal(1))
    assert origin == (two, 0)  # sm_0, a minute older than log_0
    one.prepend([ait(-1, minutes=-5)])
    assert merged.merge()
    assert merged.row_of_origin(origin) == 2
    assert merged.origins_of(merged.view.index) == ["a", "a", "b", "a", "b", "a", "b"]
    assert merged.state(Waits())[:2] == ("complete", "2 sources merged")
    merged.source_troubles = {"b": Trouble("failed", "failed")}
    assert merged.state(Waits())[:2] == ("error", "1 of 2 sources merged · b: failed")  # (b brings nothing)


def test_the_sidebar_counts_add_up_and_say_what_is_pending() -> None:
    s = ViewerSession(SupermetricsSource(1, "C1"), Filters(statuses=("5xx",)), max_entries=None)
    s.loaded([sm(i, status=(200, 500, None)[i % 3]) for i in range(9)], live=False, pages=1, total=None)
    counts = s.sidebar_counts()
    assert counts.counts == [3, 0, 0, 3, 3] and counts.selected == {3} and counts.note == "0 clears the selection"
    assert sum(counts.counts) == len(s.store)


def test_while_a_search_runs_the_status_and_an_empty_table_say_so() -> None:
    """A search over a big file takes a moment: meanwhile the table must not say that nothing
    matches, nor the status line that all is loaded (found in a walk)."""
    viewing = session()
    viewing.begin(clear_now=True)
    viewing.loaded([ait(i) for i in range(3)], live=False, pages=1, total=3)
    viewing.finished(capped=False)
    assert viewing.state(Waits())[:2] == ("complete", "all loaded")
    viewing.searching = "get"
    assert viewing.state(Waits())[:2] == ("loading", "searching …")
    assert viewing.empty_message("") == "Searching for 'get' …"
    viewing.searching = None
    assert viewing.state(Waits())[:2] == ("complete", "all loaded")


def test_a_finished_backfill_counts_what_came_when_the_server_said_more() -> None:
    """A server whose `total` lies (3,100 said, 3,000 came): once all of it is loaded and every
    filter ran on the server, the status line counts what came (it said "all loaded … total
    3,100"); a local filter, or the cap, leaves the server's count alone."""
    honest = session()
    honest.begin(clear_now=True)
    honest.loaded([ait(i) for i in range(30)], live=False, pages=1, total=31)
    assert honest.total == 31
    honest.finished(capped=False)
    assert honest.total == 30
    searched = session(filters=Filters(search="x"))
    searched.begin(clear_now=True)
    searched.loaded([ait(i) for i in range(3)], live=False, pages=1, total=31)
    searched.finished(capped=False)
    assert searched.total == 31  # (the server counted before the local search)
    capped = session(max_entries=3)
    capped.begin(clear_now=True)
    capped.loaded([ait(i) for i in range(3)], live=False, pages=1, total=31)
    capped.finished(capped=True)
    assert capped.total == 31


def test_a_tail_cycle_waiting_on_the_server_is_said() -> None:
    """A hung poll (30 s before it times out) read `● live · every 2 s` all along."""
    tailing = session(follow=True)
    tailing.begin(clear_now=True)
    tailing.loaded([ait(i) for i in range(3)], live=False, pages=1, total=3)
    tailing.finished(capped=False)
    assert tailing.state(Waits())[:2] == ("live", "live · every 2 s")
    state, text = tailing.state(Waits(unanswered_s=12.0))[:2]
    assert (state, text) == ("live", "live · no answer for 12 s")
    tailing.searching = "x"  # (and a search running while it tails is said too)
    assert tailing.state(Waits())[:2] == ("live", "live · every 2 s · searching …")


def test_a_tail_poll_the_budget_holds_is_not_said_to_wait_for_the_server() -> None:
    """Found in a walk: "● live · waiting 77 s for the server" while the budget held the poll and
    nothing had been sent (Supermetrics' hourly pace, once loaded)."""
    tailing = session(follow=True)
    tailing.begin(clear_now=True)
    tailing.loaded([ait(i) for i in range(3)], live=False, pages=1, total=3)
    tailing.finished(capped=False)
    held = BudgetState(limit=10, remaining=6, window_s=3600, resets_in_s=3500, waiting=False, known=True,
                       live_waits=True)
    text = tailing.state(Waits(unanswered_s=77.0, budget=held))[1]
    assert "for the server" not in text and text.startswith("live · next poll waits for the API budget"), text
    later = replace(held, tail_next_s=480.0)  # (and with the budget's estimate, it)
    text = tailing.state(Waits(unanswered_s=77.0, budget=later))[1]
    assert text.startswith("live · next poll in ~8m") and "for the server" not in text, text


def test_a_merged_file_being_read_says_how_far(tmp_path) -> None:
    """A merged file is read whole before it shows (a million entries: seconds): the status line
    says how far, where it said only "reading the file …" for 7 s."""
    from logview.files.mixed import iter_envelope_batches

    path = tmp_path / "merged.jsonl"
    line = '{"source":"b","api":"supermetrics","entry":{"id":"%d","log_time":"2025-11-15T10:00:00Z","status":200}}\n'
    path.write_text("".join(line % i for i in range(12_000)))
    heard: list[int] = []
    batches = list(iter_envelope_batches(path, batch_size=5000, on_bytes=heard.append))
    assert [len(entries) for _, entries in batches] == [5000, 5000, 2000]
    assert len(heard) == 2 and 0 < heard[0] < heard[1] < path.stat().st_size
    merged = MergedSession(lambda: [])
    merged.phase, merged.file_scanned = "loading", heard[0] / path.stat().st_size
    assert merged.state(Waits(backfilling=True))[:2] == ("loading", "reading the file · 41% …")


def test_a_count_that_never_falls_is_said_as_the_pace_it_is_held_to() -> None:
    """s20: against a server whose remaining never falls, the line said "API budget 99/100 · resets
    in 46 s · backfill paced" while the backfill went ~5 times the limit a minute. It goes at the
    limit now, and the line says so: no reset is waited for."""
    s = session()
    s.begin(clear_now=True)
    s.loaded([ait(i) for i in range(30)], live=False, pages=3, total=None)
    stuck = BudgetState(limit=100, remaining=99, window_s=60, resets_in_s=46, waiting=True, known=True,
                        reset_known=True, unspent=True)
    state = s.state(Waits(backfilling=True, budget=stuck, backfill_eta_s=125))
    assert state.text == "loading page 4 · 30 so far · API budget 99/100 · 100/min · done in ~2m 05s …"
    assert not [form for form in (state.text, *state.shorter) if "paced" in form or "resets" in form]
    assert "budget 99/100 · 100/min · done in ~2m 05s" in state.shorter[-1], state.shorter
    hourly = BudgetState(limit=1000, remaining=1000, window_s=3600, resets_in_s=46, waiting=True, known=True,
                         unspent=True)
    assert hourly.describe() == "API budget 1000/1000 · 1000/h" and hourly.brief() == "budget 1000/1000 · 1000/h"


def test_the_merged_session_says_which_sources_are_not_whole_and_how_far_they_are() -> None:
    """s21 walk #8 and #16: "2 sources merged" while a tab had 2,000 of ~20,000 entries, paced for
    hours, or retried with none."""
    one, two, three = EntryStore(AIT), EntryStore(SM), EntryStore(SM)
    one.append([ait(i, minutes=2 * i) for i in range(3)])
    merged = MergedSession(lambda: [("a", one), ("smb", two), ("dead", three)])
    merged.merge()
    assert merged.state(Waits())[:2] == ("complete", "3 sources merged") and merged.partial_note() is None
    merged.source_loading = {"smb": SourceProgress("loading 1,998 so far · next page ~7m 26s", "loading 1,998",
                                                   "loading", "loading")}
    merged.source_troubles = {"dead": Trouble("retrying", "retrying (connection failed)")}
    state = merged.state(Waits())
    assert (state.state, state.text) == (
        "retrying", "1 of 3 sources complete · smb: loading 1,998 so far · next page ~7m 26s · "
                    "dead: retrying (connection failed)")
    assert state.shorter == ("1 of 3 complete · smb: loading 1,998 · dead: retrying",
                             "1/3 complete · smb loading · dead retrying")
    assert merged.partial_note() == "smb loading, dead retrying"
    assert merged.chart_note() == "partial: smb loading, dead retrying"
    merged.source_troubles = {"dead": Trouble("failed", "failed")}
    assert merged.state(Waits())[:2] == ("error", "1 of 3 sources complete · smb: loading 1,998 so far · "
                                                  "next page ~7m 26s · dead: failed")
    merged.source_troubles = {}
    assert merged.state(Waits())[:2] == ("loading", "2 of 3 sources complete · smb: loading 1,998 so far · "
                                                    "next page ~7m 26s")


def test_a_loaded_tabs_tail_retrying_is_said_as_the_tails_on_a_whole_merged_timeline() -> None:
    """s29 walk 2 #1: a loaded tab whose live tail met a 429 made the merged tab say "⟳ 1 of 2 complete · ai:
    retrying in ~15m", and its save "partial": the tail retries, every entry is there. At 80 columns the
    fewest words keep the wait (a 429's 15 minutes hidden behind "2 sources merged" misleads as much)."""
    s = session()
    s.finished(capped=False)
    s.want_tail = True
    tail = s.trouble(Waits(retry=("429 rate limited", 900.0), retry_is_tail=True))
    assert tail is not None and tail.kind == "tail_failing"
    assert str(tail) == "live tail retrying (429 rate limited) in ~15m"
    one, two = EntryStore(AIT), EntryStore(SM)
    one.append([ait(i, minutes=2 * i) for i in range(3)])
    merged = MergedSession(lambda: [("ai", one), ("sm", two)])
    merged.merge()
    merged.source_troubles = {"ai": tail}
    state = merged.state(Waits())
    assert (state.state, state.text) == ("retrying", "2 sources merged · ai: live tail retrying (429 rate limited) "
                                                     "in ~15m")
    assert state.shorter == ("2 sources merged · ai: live tail retries in ~15m", "ai: live tail retries in ~15m")
    assert merged.partial_note() is None


def test_a_tab_reading_what_another_reads_is_counted_once_and_never_complete_while_that_one_loads() -> None:
    """s28 walk #3: "2 of 3 sources complete · sm: loading … · small: same as sm" where only one was: the tab
    merged as `sm` counted apart, and complete, while `sm` loads."""
    one, two, three = EntryStore(AIT), EntryStore(SM), EntryStore(SM)
    one.append([ait(i, minutes=2 * i) for i in range(3)])
    merged = MergedSession(lambda: [("ai", one), ("sm", two), ("small", three)])
    merged.merge()
    merged.source_loading = {"sm": SourceProgress("loading 3,375 so far · next page ~8m 26s", "next page ~8m",
                                                  "waits ~8m", "loading")}
    merged.source_troubles = {"small": same_as("sm")}
    state = merged.state(Waits())
    assert (state.state, state.text, *state.shorter) == (
        "loading", "1 of 2 sources complete · sm: loading 3,375 so far · next page ~8m 26s · small: same as sm",
        # (the tab repeating another said in every form: "1/2 complete" beside three tabs read as one lost, a walk)
        "1 of 2 complete · sm: next page ~8m · small: same as sm", "1/2 complete · sm waits ~8m · small: same as sm")
    merged.source_loading = {}  # (once sm is whole, the tab repeating it is counted once, and said in every form:
    # "2 of 3 sources merged" read as a source stuck, and at 80 columns said no more, found by a tester)
    state = merged.state(Waits())
    assert (state.state, state.text, *state.shorter) == ("complete", "2 sources merged · small: same as sm",
                                                         "2 sources · small: same as sm")
