"""A page is stored in bulk (`page_rows`, `insert_rows`), and bulk must give exactly what one entry
at a time gives: the same row for every entry (values and types), for clean, misfit and hostile
entries alike, and the same table after the inserts (order, and the first copy of an id winning)."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logview.archive.schema import SCHEMA
from logview.archive.inserting import insert_rows
from logview.archive.rows import INSERT_ROW, ROW_COLUMNS, Rows, _plain_page_rows, entry_row, page_rows
from logview.files.jsonl import source_for_kind
from logview.jsonutil import LiteralNumber, load_json

from archive_support import aitronos_entries as demo_aitronos, supermetrics_entries as demo_supermetrics
from test_fast_parse import body_of
from test_filecolumns import raw_entries, well_typed
from test_hostile_data import aitronos_entries, json_values, supermetrics_entries

KINDS = ("supermetrics", "aitronos")


def typed(row: tuple[Any, ...]) -> list[tuple[type, Any]]:
    """A row with each value's type: `200 == 200.0` and `True == 1` must not pass."""
    return [(type(value), value) for value in row]


def any_logs(kind: str) -> st.SearchStrategy[list[Any]]:
    """A page's `logs`: clean, misfit and hostile entries, and any JSON at all."""
    hostile = aitronos_entries() if kind == "aitronos" else supermetrics_entries()
    return st.lists(st.one_of(raw_entries(kind), well_typed(kind), hostile, json_values), max_size=8)


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_page_rows_are_the_rows_of_each_entry(kind: str, data: st.DataObject) -> None:
    source = source_for_kind(kind)
    logs = data.draw(any_logs(kind))
    entries = source.parse_page(body_of(logs)).entries  # as fetched: the fast parse and the model's
    assert [typed(row) for row in page_rows(7, source, entries).tuples()] == \
        [typed(entry_row(7, source, entry)) for entry in entries]


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_a_page_of_plain_entries_is_built_a_column_at_a_time_and_the_same(kind: str, data: st.DataObject) -> None:
    source = source_for_kind(kind)
    logs = data.draw(st.lists(well_typed(kind), min_size=1, max_size=8))
    entries = source.parse_page(body_of(logs)).entries
    bulk = _plain_page_rows(3, source, entries)
    bulk = None if bulk is None else list(zip(*bulk))
    if all(type(entry.raw) is dict for entry in entries) and not any(
            type(entry.raw.get(name)) in (dict, list, bool, int, float) for entry in entries
            for name in ("event", "credential_id", "tool", "tool_key", "tool_name", "connector", "connector_key",
                         "connector_name")):
        assert bulk is not None  # the common page is not left to the per-entry path
    if bulk is not None:
        assert [typed(row) for row in bulk] == [typed(entry_row(3, source, entry)) for entry in entries]


@pytest.mark.parametrize("entries", [demo_aitronos(500, seed=3), demo_supermetrics(500, seed=4)], ids=KINDS[::-1])
def test_the_demo_pages_are_built_a_column_at_a_time(entries) -> None:
    source = source_for_kind(entries[0].source)
    bulk = _plain_page_rows(5, source, entries)
    bulk = None if bulk is None else list(zip(*bulk))
    assert bulk is not None and [typed(row) for row in bulk] == [typed(entry_row(5, source, e)) for e in entries]


def test_page_rows_keep_a_number_beyond_a_double_as_written() -> None:
    source = source_for_kind("supermetrics")
    entries = source.parse_page(b'{"logs":[{"id":"a","log_time":"2025-11-15T10:00:00Z","status":200,'
                                b'"huge":1e400,"big":123456789012345678901234567890}]}').entries
    assert isinstance(entries[0].raw["huge"], LiteralNumber)
    row = page_rows(1, source, entries).tuples()[0]
    assert row == entry_row(1, source, entries[0])
    assert row[-1] == b'{"id":"a","log_time":"2025-11-15T10:00:00Z","status":200,"huge":1e400,' \
                      b'"big":123456789012345678901234567890}'
    assert load_json(row[-1])["big"] == 123456789012345678901234567890


def _empty_archive(variable_limit: int | None = None) -> sqlite3.Connection:
    """The archive's tables in memory, with source 1 (and SQLite's limit on parameters, if given)."""
    db = sqlite3.connect(":memory:", isolation_level=None)
    for statement in SCHEMA:
        db.execute(statement)
    db.execute("INSERT INTO sources (id, api, base_url, scope) VALUES (1, 'aitronos', 'http://x', 'org')")
    if variable_limit is not None:
        db.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, variable_limit)
    return db


def _table(insert, rows: list[tuple[Any, ...]], variable_limit: int | None = None) -> list[tuple[Any, ...]]:
    db = _empty_archive(variable_limit)
    db.execute("BEGIN")
    before = db.total_changes
    insert(db, rows)
    new = db.total_changes - before
    db.execute("COMMIT")
    return [new, *db.execute(f"SELECT rowid, {', '.join(ROW_COLUMNS)} FROM entries ORDER BY rowid")]


def _rows(count: int, ids: int, seed: int) -> list[tuple[Any, ...]]:
    """Rows whose ids repeat (`ids` distinct among `count`), each with its own position in `raw`."""
    return [(1, f"id{(i * 7919 + seed) % ids}", 1_000_000 * (count - i), "success", None, None, None, None,
             None, float(i), None, None, None, b'{"n":%d}' % i) for i in range(count)]


@settings(max_examples=25, deadline=None)
@given(count=st.integers(0, 2_345), ids=st.integers(1, 3_000), seed=st.integers(0, 99),
       limit=st.sampled_from([None, 999, 14 * 99, 14 * 9 + 5]))
def test_insert_rows_leaves_the_table_executemany_leaves(count: int, ids: int, seed: int, limit: int | None) -> None:
    rows = _rows(count, ids, seed)
    expected = _table(lambda db, rows: db.executemany(INSERT_ROW, rows), rows, limit)
    assert _table(lambda db, rows: insert_rows(db, Rows.of(rows)), rows, limit) == expected
    # each id once, holding its last copy (the newer answer), at the place its first copy took
    last = {row[1]: row for row in rows}
    assert [stored[1:] for stored in expected[1:]] == sorted(last.values(), key=lambda row: [kept[1] for kept in rows].index(row[1]))


# Each column's values as page_rows makes them (text, integers, floats, None, JSON bytes), and
# values a None might be confused with once bound as 0 or '' (the text '0', '', the number 0).
@settings(max_examples=25, deadline=None)
@given(count=st.integers(1, 2_345), ids=st.integers(1, 3_000), seed=st.integers(0, 99), before=st.integers(0, 40),
       removed=st.booleans(), limit=st.sampled_from([None, 999, 14 * 99]))
def test_the_rowids_insert_rows_gives_are_where_each_row_went(count: int, ids: int, seed: int, before: int,
                                                               removed: bool, limit: int | None) -> None:
    """Every row new: each row's rowid, in order (the table's largest rowid may have been deleted:
    `removed`); any row not new (an id there already, or twice): None, for a lookup instead."""
    db = _empty_archive(limit)
    earlier = [(1, f"old{i}", i, "success", None, None, None, None, None, None, None, None, None, b"{}")
               for i in range(before)]
    insert_rows(db, Rows.of(earlier))
    if removed:
        db.execute("DELETE FROM entries WHERE rowid = (SELECT max(rowid) FROM entries)")
    rows = _rows(count, ids, seed)
    placed = insert_rows(db, Rows.of(rows))
    if len({row[1] for row in rows}) < count:
        assert placed is None
    else:
        assert placed is not None and len(placed) == count
        assert [db.execute("SELECT id, raw FROM entries WHERE rowid = ?", (rowid,)).fetchone() for rowid in placed] \
            == [(row[1], row[13]) for row in rows]


_texts = st.one_of(st.none(), st.sampled_from(["", "0", "NULL", "0.0"]), st.text(max_size=5))
_integers = st.one_of(st.none(), st.sampled_from([0, -1, 2**63 - 1, -(2**63)]), st.integers(-1000, 1000))
_numbers = st.one_of(_integers, st.floats(allow_nan=True), st.sampled_from([0.0, -0.0]))
_COLUMN_VALUES = [st.just(1), st.text(min_size=1, max_size=3), _integers, _texts, _integers, _texts, _texts, _texts,
                  _texts, _numbers, _texts, _texts, _texts, st.binary(max_size=8)]


_KINDS = st.lists(st.sets(st.sampled_from([type(None), str, int, float, bytes])), min_size=len(ROW_COLUMNS),
                  max_size=len(ROW_COLUMNS))


@settings(max_examples=120, deadline=None)
@given(rows=st.lists(st.tuples(*_COLUMN_VALUES), max_size=30),
       nones=st.lists(st.sampled_from(range(len(ROW_COLUMNS))), max_size=5), kinds=_KINDS)
def test_insert_rows_stores_every_value_with_its_type_as_executemany_does(rows, nones, kinds) -> None:
    """NULL written for a column of Nones, and 0 or '' bound for a None turned back into NULL,
    leave every value and its storage class as binding each value does; so do bytes bound as
    bytearrays, and binding by the types the rows' maker says (`Rows.kinds`) instead of looking."""
    rows = [tuple(None if index in nones else value for index, value in enumerate(row)) for row in rows]
    typeof = ", ".join(f"typeof({name}), {name}" for name in ROW_COLUMNS)

    def table(insert) -> list[tuple[Any, ...]]:
        db = sqlite3.connect(":memory:", isolation_level=None)
        for statement in SCHEMA:
            db.execute(statement)
        db.execute("INSERT INTO sources (id, api, base_url, scope) VALUES (1, 'aitronos', 'http://x', 'org')")
        insert(db, rows)
        return db.execute(f"SELECT rowid, {typeof} FROM entries ORDER BY rowid").fetchall()

    expected = table(lambda db, rows: db.executemany(INSERT_ROW, rows))
    got = table(lambda db, rows: insert_rows(db, Rows.of(rows)))
    assert [typed(row) for row in got] == [typed(row) for row in expected]
    # bound by the types a maker says (`Rows.kinds`: more types than a column holds, never fewer)
    said = [frozenset({*map(type, column), *extra}) for column, extra in zip(Rows.of(rows).columns, kinds)]
    got = table(lambda db, rows: insert_rows(db, Rows(Rows.of(rows).columns, said)))
    assert [typed(row) for row in got] == [typed(row) for row in expected]


@pytest.mark.parametrize("count, statements", [(975, [1024]), (1024, [1024]), (2_500, [1024, 1024, 512]), (3, [4])])
def test_a_page_is_inserted_in_statements_of_a_few_fixed_sizes(count: int, statements: list[int]) -> None:
    """One statement for a page of 975 fresh rows (each statement gives the GIL up and takes it
    back twice), filled up with copies of its last row that the upsert leaves as they are."""
    db = sqlite3.connect(":memory:", isolation_level=None)
    for statement in SCHEMA:
        db.execute(statement)
    db.execute("INSERT INTO sources (id, api, base_url, scope) VALUES (1, 'aitronos', 'http://x', 'org')")
    traced: list[str] = []
    db.set_trace_callback(traced.append)
    rows = _rows(count, count, 0)
    insert_rows(db, Rows.of(rows))
    db.set_trace_callback(None)
    assert [sql.count("), (") + 1 for sql in traced if sql.startswith("INSERT")] == statements
    assert db.execute("SELECT count(*), max(rowid) FROM entries").fetchone() == (count, count)


def test_a_page_handed_over_with_its_times_takes_them_and_one_missing_a_time_finds_them_again() -> None:
    """The viewer hands the writer process a page's times with its text (`writer_process.process_part`):
    they are the time column as given, not parsed from the texts again; a page with an entry
    whose time did not parse goes as text alone, and that entry's row keeps no time."""
    from logview.archive import Archive
    from logview.archive.writer_process import process_part
    from logview.archive.writer_child import part_rows
    from logview.times import epoch_us

    from archive_support import aitronos_identity

    entries = demo_aitronos(30)
    raws = [entry.raw for entry in entries]
    with Archive.open() as archive:
        archived = archive.source(aitronos_identity())
        part = process_part(archived, entries)
        assert isinstance(part, tuple) and part[1] == [epoch_us(entry.time) for entry in entries]
        shifted = [moment + 1 for moment in part[1]]  # (not the texts' times: seen only if taken as given)
        assert part_rows(archived, (part[0], shifted)).columns[2] == shifted
        broken = source_for_kind("aitronos").parse_page(body_of([*raws[:5], {**raws[5], "created_at": "soon"}])).entries
        sent = process_part(archived, broken)
        assert isinstance(sent, bytes)
        assert part_rows(archived, sent).columns[2] == [epoch_us(entry.time) for entry in broken]
        assert part_rows(archived, sent).columns[2][-1] is None
