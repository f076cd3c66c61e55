"""The columnar store: filtering must equal `Source.matches`, and the view must stay exact as
rows are appended, prepended and dropped at the cap."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logview.api.contract import newest_first
from logview.model import Filters, LogEntry
from logview.sanitize import clean, clean_line, is_clean
from logview.sources import AitronosSource, SupermetricsSource
from logview.store import EntryStore, FilteredView
from logview.model import SEV_ERROR, SEV_OK, SEV_WARN, severity

T0 = datetime(2025, 11, 15, 12, 0, tzinfo=timezone.utc)
AIT = AitronosSource("org")
SM = SupermetricsSource(1, "C1")


def ait(i: int, status: str | None = "success", cred: str | None = "tcred_a", minutes: int | None = None,
        **extra: object) -> LogEntry:
    raw = {"id": f"log_{i}", "created_at": (T0 - timedelta(minutes=i if minutes is None else minutes))
           .strftime("%Y-%m-%dT%H:%M:%S.000Z"), "status": status, "credential_id": cred, **extra}
    return AIT.entry_from_raw(raw)


def sm(i: int, status: int | None = 200, event: str | None = "data.fetch", seconds: int | None = None) -> LogEntry:
    raw = {"id": f"sm_{i}", "log_time": (T0 - timedelta(seconds=i if seconds is None else seconds))
           .strftime("%Y-%m-%dT%H:%M:%SZ"), "status": status, "event": event, "request": "GET /x",
           "duration_ms": 5, "request_id": None}
    return SM.entry_from_raw(raw)


def ids(store: EntryStore, index: np.ndarray) -> list[str]:
    return [e.id for e in store.entries(index)]


def test_append_and_select_by_status_counts_the_other_options() -> None:
    store = EntryStore(AIT)
    entries = [ait(i, status=("success", "error", "blocked", "timeout")[i % 4]) for i in range(40)]
    store.append(entries[:25])
    store.append(entries[25:])
    assert len(store) == 40
    sel = store.select(Filters(statuses=("error",)))
    assert ids(store, sel.index) == [e.id for e in entries if e.status == "error"]
    assert sel.option_counts.tolist() == [10, 10, 10, 10]
    assert sel.others_total == 40


def test_counts_follow_the_other_filters() -> None:
    store = EntryStore(AIT)
    store.append([ait(i, status="error" if i < 5 else "success", cred="tcred_b" if i % 2 else "tcred_a")
                  for i in range(20)])
    sel = store.select(Filters(credential="tcred_b"))
    assert sel.others_total == 10
    assert sel.option_counts.tolist() == [8, 2, 0, 0]


def test_unknown_credential_matches_nothing() -> None:
    store = EntryStore(AIT)
    store.append([ait(i) for i in range(5)])
    assert len(store.select(Filters(credential="tcred_nope")).index) == 0


def test_date_range_is_inclusive_and_excludes_timeless_entries() -> None:
    store = EntryStore(AIT)
    entries = [ait(i) for i in range(10)] + [AIT.entry_from_raw({"id": "bad", "created_at": "not a time"})]
    store.append(entries)
    since, until = T0 - timedelta(minutes=5), T0 - timedelta(minutes=2)
    sel = store.select(Filters(since=since, until=until))
    assert ids(store, sel.index) == ["log_2", "log_3", "log_4", "log_5"]
    assert len(store.select(Filters()).index) == 11


def test_prepend_keeps_ordinals_and_view_updates_incrementally() -> None:
    store = EntryStore(SM, capacity=16)
    store.append([sm(i) for i in range(10, 50)])
    view = FilteredView(store, Filters(statuses=("2xx",)))
    first = view.ordinal(0)
    change_entries = [sm(i, status=500 if i % 2 else 200) for i in range(0, 10)]
    store.prepend(change_entries)
    change = view.sync()
    assert change.prepended == 5 and change.appended == 0
    assert view.row_of(first) == 5 and view.ordinal(5) == first
    assert ids(store, view.index)[:5] == ["sm_0", "sm_2", "sm_4", "sm_6", "sm_8"]
    assert view.option_counts.tolist() == [45, 0, 0, 5, 0]
    store.append([sm(i) for i in range(50, 60)])
    change = view.sync()
    assert change.appended == 10
    assert ids(store, view.index) == [e.id for e in store.entries(np.arange(store.head, store.tail))
                                      if e.status == 200]


def test_cap_drops_the_oldest_on_prepend_and_refuses_older_appends() -> None:
    store = EntryStore(SM, max_entries=20)
    assert store.append([sm(i) for i in range(100, 130)]) == 20
    view = FilteredView(store)
    assert len(view) == 20
    dropped = store.prepend([sm(i) for i in range(5)])
    assert dropped == 5 and len(store) == 20
    change = view.sync()
    assert change.prepended == 5 and change.dropped == 5
    assert ids(store, view.index) == [f"sm_{i}" for i in range(5)] + [f"sm_{i}" for i in range(100, 115)]
    assert view.others_total == 20 and int(view.option_counts.sum()) == 20
    assert store.append([sm(200)]) == 0


def test_rows_dropped_at_the_cap_let_go_of_their_entries_and_texts() -> None:
    store = EntryStore(SM, max_entries=20)
    store.append([sm(i) for i in range(100, 120)])
    store.set_search("sm_1")  # (each entry's search text made and kept)
    assert sum(text is not None for text in store.held.texts) == 20
    store.prepend([sm(i) for i in range(5)])
    held = store.span("held", store.head, store.tail)
    kept = {store.held.entries[i].id for i in held.tolist()}
    assert kept == {f"sm_{i}" for i in [*range(5), *range(100, 115)]}
    assert sum(entry is not None for entry in store.held.entries) == 20  # the 5 oldest let go…
    searched = {i for i, text in enumerate(store.held.texts) if text is not None}
    assert searched == set(held.tolist())  # … with their texts (the new rows' made as they came)
    assert not store.cols["held"][store.tail + store.offset:].any()  # (no row past the tail names one)


def test_a_search_text_is_made_once_and_kept_for_the_next_search(monkeypatch) -> None:
    import logview.store.search as search_module

    made: list[str] = []
    text_of = search_module.searchable_text
    monkeypatch.setattr(search_module, "searchable_text", lambda raw: made.append(raw["id"]) or text_of(raw))
    store = EntryStore(AIT)
    store.append([ait(i, tool="gmail.send" if i % 2 else "slack.post") for i in range(10)])
    assert ids(store, FilteredView(store, Filters(search="gmail")).index) == [f"log_{i}" for i in range(1, 10, 2)]
    job = store.search_job("slack")  # (in a thread, as the viewer runs a big store's)
    job.run()
    assert store.finish_search(job)
    assert ids(store, FilteredView(store, Filters(search="slack")).index) == [f"log_{i}" for i in range(0, 10, 2)]
    assert sorted(made) == sorted(f"log_{i}" for i in range(10))  # each once


def test_a_search_outliving_a_clear_leaves_the_new_rows_texts_alone() -> None:
    store = EntryStore(AIT)
    store.append([ait(i, tool="gmail.send") for i in range(5)])
    stale = store.search_job("gmail")
    store.clear()
    store.append([ait(i, tool="slack.post") for i in range(5)])
    stale.run()
    assert not store.finish_search(stale)
    assert store.held.texts == [None] * 6  # (the stale job wrote into the table it was given)
    assert ids(store, FilteredView(store, Filters(search="gmail")).index) == []


def test_clear_resets_the_view_but_keeps_categories() -> None:
    store = EntryStore(SM)
    store.append([sm(i, event=f"ev{i % 3}") for i in range(9)])
    view = FilteredView(store)
    store.clear()
    assert view.sync().reset and len(view) == 0
    assert store.facet_values("event") == ["ev0", "ev1", "ev2"]


def test_search_is_case_insensitive_over_nested_values_and_tracks_new_rows() -> None:
    store = EntryStore(AIT)
    store.append([ait(i, inputs={"to": [f"Person{i}@X.example"]}) for i in range(10)])
    view = FilteredView(store, Filters(search="person3@x"))
    assert ids(store, view.index) == ["log_3"]
    store.prepend([ait(-1, minutes=-1, inputs={"to": ["PERSON3@x.example"]})])
    assert view.sync().prepended == 1
    assert ids(store, view.index) == ["log_-1", "log_3"]


def test_threaded_search_job_is_merged_with_rows_that_arrived_meanwhile() -> None:
    store = EntryStore(AIT)
    store.append([ait(i, tool="gmail.send" if i % 3 == 0 else "slack.post") for i in range(30)])
    job = store.search_job("gmail")
    store.prepend([ait(-1, minutes=-1, tool="gmail.send")])
    store.append([ait(40, tool="gmail.send")])
    job.run()
    assert store.finish_search(job)
    view = FilteredView(store, Filters(search="gmail"))
    assert ids(store, view.index) == ["log_-1"] + [f"log_{i}" for i in range(0, 30, 3)] + ["log_40"]
    stale = store.search_job("slack")
    store.clear()
    stale.run()
    assert not store.finish_search(stale)


def test_next_problem_walks_warnings_errors_and_invalid_entries() -> None:
    store = EntryStore(SM)
    entries = [sm(0), sm(1, status=429), sm(2), sm(3, status=302), sm(4, status=503),
               SM.entry_from_raw({"id": "x", "log_time": (T0 - timedelta(seconds=5)).isoformat(), "status": "weird"})]
    store.append(entries)
    view = FilteredView(store)
    assert view.next_problem(0, 1) == 1
    assert view.next_problem(1, 1) == 4
    assert view.next_problem(4, 1) == 5
    assert view.next_problem(5, 1) is None
    assert view.next_problem(4, -1) == 1
    assert view.next_problem(1, -1) is None


def test_severity() -> None:
    assert severity("success") == SEV_OK and severity("error") == SEV_ERROR
    assert severity("blocked") == severity("timeout") == severity(429) == SEV_WARN
    assert severity(204) == SEV_OK and severity(404) == SEV_ERROR and severity(None) == 0
    assert severity("404") == SEV_ERROR and severity("²") == severity("4²") == 0  # digits, no number


def test_sanitiser_strips_controls_but_keeps_text() -> None:
    hostile = "a\x1b]2;pwned\x07b\x9b31mc\td\ne\u202ef[bold]x[/]"
    assert clean(hostile) == "a]2;pwnedb31mc\td\nef[bold]x[/]"
    assert clean_line(hostile) == "a]2;pwnedb31mc d ef[bold]x[/]"
    assert is_clean(clean(hostile)) and not is_clean(hostile)


# -- property: the store filters exactly like Source.matches ------------------------------------

_STATUS_A = st.sampled_from(["success", "error", "blocked", "timeout", "SUCCESS", "weird", None])
_STATUS_S = st.one_of(st.none(), st.sampled_from([200, 204, 301, 404, 429, 500, 503, 101]))
_NAMES = st.sampled_from([None, "a", "b", "c"])
_TEXT = st.text(alphabet="abcXYZ \x1b", max_size=6)
_TIMES = st.integers(min_value=0, max_value=100_000)  # ms offsets
_ABSENT = object()
_ERRORS = st.sampled_from([_ABSENT, None, "boom 12", "boom 7", {"code": "E1", "message": "late by 3s"},
                           {"code": "E1", "message": "late by 40s"}, {"code": "E2"}, {"message": "x"}, ["odd"]])
_BOUNDS = st.one_of(st.none(), st.integers(min_value=-5_000_000, max_value=105_000_000))  # µs offsets


@st.composite
def raw_entries(draw: st.DrawFn, kind: str) -> list[dict]:
    count = draw(st.integers(min_value=0, max_value=40))
    out = []
    for i in range(count):
        ms = draw(_TIMES)
        stamp = (T0 + timedelta(milliseconds=ms)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        if draw(st.booleans()) and draw(st.booleans()) and draw(st.booleans()):
            stamp = "garbage"
        raw: dict = {"id": f"e{i}", ("created_at" if kind == "aitronos" else "log_time"): stamp,
                     "status": draw(_STATUS_A if kind == "aitronos" else _STATUS_S),
                     "credential_id": draw(_NAMES), "event": draw(_NAMES), "tool": draw(_NAMES),
                     "note": draw(_TEXT)}
        error = draw(_ERRORS)
        if error is not _ABSENT:
            raw["error"] = error
        out.append(raw)
    return out


@st.composite
def filters(draw: st.DrawFn, kind: str) -> Filters:
    choices = ["success", "error", "blocked", "timeout"] if kind == "aitronos" else \
        ["2xx", "3xx", "4xx", "5xx", "429", "error", "success"]
    since, until = draw(_BOUNDS), draw(_BOUNDS)
    return Filters(
        statuses=tuple(draw(st.lists(st.sampled_from(choices), max_size=3, unique=True))),
        since=None if since is None else T0 + timedelta(microseconds=since),
        until=None if until is None else T0 + timedelta(microseconds=until),
        credential=draw(st.one_of(st.none(), st.sampled_from(["a", "b", "zz"]))),
        event=draw(st.one_of(st.none(), st.sampled_from(["a", "c", "zz"]))),
        tool=draw(st.one_of(st.none(), st.sampled_from(["a", "b", "zz"]))),
        error=draw(st.one_of(st.none(), st.sampled_from(
            ["boom <n>", "E1: late by <n>s", "E2", "x", "error (no error message)", "HTTP 429 · a",
             "HTTP 500 · no event", "zz"]))),
        search=draw(st.one_of(st.none(), _TEXT)),
    )


@pytest.mark.parametrize("kind", ["aitronos", "supermetrics"])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_store_filter_equals_source_matches(kind: str, data: st.DataObject) -> None:
    source = AIT if kind == "aitronos" else SM
    raws = data.draw(raw_entries(kind))
    wanted = data.draw(filters(kind))
    split = data.draw(st.integers(min_value=0, max_value=len(raws)))
    entries = newest_first([source.entry_from_raw(raw) for raw in raws])  # the store keeps them so
    store = EntryStore(source, capacity=4)
    view = FilteredView(store, wanted)
    # the newest part arrives last, as a live batch
    store.append(entries[split:])
    view.sync()
    store.prepend(entries[:split])
    view.sync()
    expected = [e.id for e in entries if source.matches(e, wanted)]
    assert ids(store, view.index) == expected
    fresh = store.select(wanted)
    assert ids(store, fresh.index) == expected
    for option, count in zip(source.status_choices, view.option_counts.tolist()):
        others = wanted.model_copy(update={"statuses": (option,)})
        assert count == sum(1 for e in entries if source.matches(e, others))
