"""Request building, page parsing and cursor rules of both sources, without a network."""

from datetime import datetime, timezone

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from logview.model import Filters, LogEntry, Page
from logview.sources import AitronosSource, InvalidBody, SupermetricsSource
from logview.files.jsonl import UnknownFileFormat, detect_kind
from test_hostile_data import iter_file_batches

UTC = timezone.utc
NOW = datetime(2025, 11, 15, 12, 0, tzinfo=UTC)


def test_aitronos_request_carries_server_side_filters_and_pins_the_end():
    source = AitronosSource("org_1")
    filters = Filters(statuses=("error", "timeout"), credential="tcred_9", since=datetime(2025, 11, 1, tzinfo=UTC))
    streams = source.streams(filters, NOW)
    assert [q.status for q in streams] == ["error", "timeout"]
    params = source.request_params(200, streams[0])
    assert params == {"organization_id": "org_1", "limit": "100", "offset": "200", "status": "error",
                      "credential_id": "tcred_9", "start_date": "2025-11-01T00:00:00.000Z",
                      "end_date": "2025-11-15T12:00:00.000Z"}
    assert source.server_side_filters(filters) == {"status", "credential", "since"}
    assert source.auth_headers("k") == {"X-API-Key": "k"}


def test_aitronos_until_in_the_past_wins_over_the_pinned_now():
    early = datetime(2025, 1, 1, tzinfo=UTC)
    assert AitronosSource("o").streams(Filters(until=early), NOW)[0].end == early


def page(n, **extra):
    return {"logs": [{"id": str(i), "created_at": "2025-11-15T10:00:00Z"} for i in range(n)], **extra}


@pytest.mark.parametrize(
    ("document", "cursor", "expected"),
    [
        (page(100, total=500, returned=100, has_more=True), 0, 100),
        (page(100, total=500, returned=100, has_more=False), 0, None),
        (page(0, total=500, returned=0, has_more=True), 100, None),  # nothing returned: stop
        (page(100, total=200, returned=100), 0, 100),  # has_more missing: fall back to total
        (page(100, total=200, returned=100), 100, None),
        (page(100), 0, 100),  # neither: a full page means maybe more
        (page(40), 0, None),
    ],
)
def test_aitronos_end_of_data_rules(document, cursor, expected):
    source = AitronosSource("o")
    assert source.next_cursor(source.parse_page(orjson.dumps(document)), cursor) == expected


def test_supermetrics_cursor_reasks_from_just_past_the_oldest_time():
    source = SupermetricsSource(7, "T3S70", page_limit=3)
    body = {"logs": [{"id": "c", "log_time": "2025-11-15T10:00:02Z"}, {"id": "b", "log_time": "2025-11-15T10:00:01Z"},
                     {"id": "a", "log_time": "2025-11-15T10:00:01Z"}]}
    parsed = source.parse_page(orjson.dumps(body))
    assert source.next_cursor(parsed, None) == "2025-11-15T10:00:01.001Z"
    short = Page(entries=parsed.entries[:2])
    assert source.next_cursor(short, None) is None
    assert source.logs_path() == "/v1/teams/7/connector_builder/connectors/T3S70/logs"
    assert source.request_params("X", source.streams(Filters(), NOW)[0]) == {"limit": "3", "before": "X"}
    assert source.auth_headers("k") == {"Authorization": "Bearer k"}


def test_supermetrics_until_becomes_the_first_cursor_since_bounds_the_paging_and_the_rest_stays_local():
    source = SupermetricsSource(1, "X")
    filters = Filters(until=datetime(2025, 11, 15, 10, tzinfo=UTC), statuses=("4xx",), since=NOW.replace(day=1))
    query = source.streams(filters, NOW)[0]
    assert source.first_cursor(query) == "2025-11-15T10:00:00.001Z"
    assert query.start == filters.since  # where paging stops (`reached_lower_bound`)
    assert source.server_side_filters(filters) == {"since", "until"}


@pytest.mark.parametrize(("team", "connector"), [(0, "X"), (1, ""), (1, "a/b"), (1, "x" * 101), (1, "ü")])
def test_supermetrics_ids_are_validated(team, connector):
    with pytest.raises(ValueError):
        SupermetricsSource(team, connector)


@pytest.mark.parametrize(("value", "ok"), [("429", True), ("4XX", True), ("success", True), ("error", True),
                                           ("600", False), ("2x", False), ("blocked", False)])
def test_supermetrics_status_values(value, ok):
    source = SupermetricsSource(1, "X")
    if ok:
        assert source.validate_status(value) == value.lower()
    else:
        with pytest.raises(ValueError, match="HTTP code"):
            source.validate_status(value)


@pytest.mark.parametrize(("status", "wanted", "match"), [(429, "429", True), (429, "4xx", True), (429, "error", True),
                                                         (399, "success", True), (400, "success", False),
                                                         (None, "success", False), (500, "5xx", True), (200, "2XX", False)])
def test_supermetrics_status_matching(status, wanted, match):
    assert SupermetricsSource(1, "X").status_matches(status, wanted) is match


def test_aitronos_status_values():
    source = AitronosSource("o")
    assert source.validate_status(" Error ") == "error"
    with pytest.raises(ValueError, match="success, error, blocked, timeout"):
        source.validate_status("2xx")


def test_unknown_fields_are_kept_and_bad_entries_marked_not_dropped():
    source = SupermetricsSource(1, "X")
    body = b'{"logs": [{"id": "1", "log_time": "2025-01-01", "status": 200, "extra": {"deep": [1, 2]}},' \
           b' {"id": "2", "log_time": "2025-01-01T00:00:00Z", "status": "teapot"},' \
           b' {"id": "3", "log_time": null}, 42, {"id": 18446744073709551617, "log_time": "2025-01-01"}]}'
    entries = source.parse_page(body).entries
    assert entries[0].raw["extra"] == {"deep": [1, 2]} and entries[0].invalid is None
    assert entries[1].invalid and "status" in entries[1].invalid and entries[1].id == "2"
    assert entries[2].invalid and entries[2].time is None
    assert entries[3].invalid and entries[3].raw == 42 and entries[3].id.startswith("invalid:")
    assert entries[4].id == "18446744073709551617" and entries[4].invalid is None


@pytest.mark.parametrize("body", [b"", b"null", b"[]", b'{"logs": {}}', b'{"logs": "x"}', b'{"logs": [', b"<html>"])
def test_bodies_that_are_not_pages_raise_invalid_body(body):
    with pytest.raises(InvalidBody):
        SupermetricsSource(1, "X").parse_page(body)


def test_client_side_matching_covers_every_filter():
    source = AitronosSource("o")
    entry = source.entry_from_raw({"id": "a", "created_at": "2025-11-15T10:00:00Z", "status": "error",
                                   "credential_id": "tcred_1", "error": {"message": "Quota EXCEEDED"}})
    assert source.matches(entry, Filters(search="quota exceeded"))
    assert not source.matches(entry, Filters(search="nope"))
    assert source.matches(entry, Filters(statuses=("error",), credential="tcred_1"))
    assert not source.matches(entry, Filters(credential="tcred_2"))
    assert not source.matches(entry, Filters(since=NOW))
    assert source.matches(entry, Filters(until=NOW))


json_leaf = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
json_any = st.recursive(json_leaf, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                        max_leaves=10)


@given(st.lists(st.one_of(json_any, st.fixed_dictionaries({"id": json_any, "log_time": json_any, "status": json_any},
                                                          optional={"event": json_any, "duration_ms": json_any}))))
def test_any_logs_list_parses_without_raising(logs):
    import json

    for source in (SupermetricsSource(1, "X"), AitronosSource("o")):
        entries = source.parse_page(json.dumps({"logs": logs}).encode()).entries
        assert len(entries) == len(logs)
        assert all(isinstance(e, LogEntry) and isinstance(e.id, str) for e in entries)


def test_jsonl_files_are_detected_and_read_tolerantly(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_bytes(b'\n{"id": "1", "log_time": "2025-01-01T00:00:00Z", "status": 200}\n\n'
                     b'\xff\xfe not json\n{"id": "2", "log_time": "2025-01-01T00:00:00Z", "sta')
    assert detect_kind(path) == "supermetrics"
    entries = [e for batch in iter_file_batches(path, "supermetrics", batch_size=1) for e in batch]
    assert [e.invalid is None for e in entries] == [True, False, False]
    assert "not JSON" in entries[1].invalid and "\ufffd" in entries[1].raw
    other = tmp_path / "y.jsonl"
    other.write_text('{"foo": 1}\n')
    with pytest.raises(UnknownFileFormat, match="--source"):
        detect_kind(other)
