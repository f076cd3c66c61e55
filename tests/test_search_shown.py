"""Search finds a value by what the table shows of it (found in a walk: a value shown `bidievil` held
U+202E between `bidi` and `evil`, and `/bidievil` found nothing). A cell leaves control and bidi
characters out and shows a tab or a line break as a space; search matches that text as well as the
value itself: over a file's bytes (such a character written as it is or escaped), over entries held
in memory and over archived ones."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from unittest import mock

import numpy as np
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_filesearch import expected, search
from test_store_archived import archived_store

import logview.files.search_shown as search_shown
from logview.archive import Archive, identity_of
from logview.model import Filters
from logview.store import EntryStore, FilteredView
from logview.ui.cells import cell_text

from archive_support import SUPERMETRICS

# A value, and what its cell shows
SHOWN = {
    "bidi\u202eevil": "bidievil",
    "tab\there": "tab here",
    "cr\rhere": "cr here",
    "crlf\r\nhere": "crlf  here",
    "ls\u2028here": "ls here",
    "c1\x85here": "c1here",
    "del\x7fhere": "delhere",
    "esc\x1b[2Jhere": "esc[2jhere",
    "iso\u2066late\u2069d": "isolated",
}
# as orjson writes them (each character as it is: a C0 control escaped), escaped (`\u202e`), or as
# they are but the C0 controls, `, ` and `: ` between the tokens
DUMPS = {"as it is": orjson.dumps, "escaped": lambda raw: json.dumps(raw).encode(),
         "spaced": lambda raw: json.dumps(raw, ensure_ascii=False, separators=(", ", ": ")).encode()}
PROPERTY = settings(max_examples=200, deadline=None)


def entry(n: int, value: str, nested: bool = False) -> dict:
    raw = {"id": f"s{n}", "log_time": f"2025-11-15T10:{n % 60:02d}:00.000Z", "status": 200, "event": "data.page",
           "request": "GET /v2/plain", "duration_ms": 12}
    raw["note" if not nested else "logs"] = value if not nested else [{"message": value}]
    return raw


def test_the_table_shows_each_value_as_said() -> None:
    assert {value: cell_text(value).lower() for value in SHOWN} == SHOWN


@pytest.mark.parametrize("dump", list(DUMPS))
@pytest.mark.parametrize("nested", [False, True])
@pytest.mark.parametrize("block_bytes", [64, 1 << 22])
def test_a_file_line_is_found_by_what_its_cell_shows(tmp_path: Path, dump: str, nested: bool, block_bytes: int) -> None:
    values = list(SHOWN)
    lines = [DUMPS[dump](entry(n, value, nested)) for n, value in enumerate(values)]
    lines.insert(3, orjson.dumps(entry(99, "plain text all along")))
    for known_invalid in (True, False):
        for value in values:
            for needle in (SHOWN[value], SHOWN[value].upper(), value):
                hits = search(tmp_path / "log.jsonl", "supermetrics", lines, needle, known_invalid=known_invalid,
                              block_bytes=block_bytes)
                want = [line == DUMPS[dump](entry(values.index(value), value, nested)) for line in lines]
                assert hits == want, (value, needle)


def test_a_needle_across_what_is_left_out_finds_nothing_else(tmp_path: Path) -> None:
    lines = [orjson.dumps(entry(1, "bidi\u202eevil")), orjson.dumps(entry(2, "bidi")), orjson.dumps(entry(3, "evil")),
             orjson.dumps({**entry(4, "bidi"), "other": "evil"})]
    assert search(tmp_path / "log.jsonl", "supermetrics", lines, "bidievil") == [True, False, False, False]
    assert search(tmp_path / "log.jsonl", "supermetrics", lines, "bidi evil") == [False] * 4


# -- the byte search finds what the entry search finds, whatever the values hold --------------------------

# (mostly characters JSON holds as they are: a line with an escape is checked exactly anyway; letters
# the other fields do not hold)
AS_THEY_ARE = ["q", "z", "qz", " ", "x y", "é", "\u2014", "\u00a0", "\u202e", "\u2066", "\u2069", "\u2028", "\u2029",
               "\x85", "\x9b", "\x7f"]
PIECES = st.sampled_from(AS_THEY_ARE * 3 + ["\t", "\r", "\r\n", "\n", "\x1b", "\x00", '"', "\\", ":", "null"])
VALUE = st.lists(PIECES, max_size=6).map("".join)


@st.composite
def shown_cases(draw) -> tuple[list[bytes], str]:
    raws = [entry(n, value, draw(st.booleans())) for n, value in enumerate(draw(st.lists(VALUE, min_size=1, max_size=8)))]
    lines = [DUMPS[draw(st.sampled_from(list(DUMPS)))](raw) for raw in raws]
    pool = [cell_text(raw["note"]) if "note" in raw else cell_text(raw["logs"][0]["message"]) for raw in raws]
    pool += [raw.get("note", "") for raw in raws]
    text = draw(st.sampled_from([t for t in pool if t] or ["qz"]))
    start = draw(st.integers(0, max(0, len(text) - 2)))
    needle = text[start:draw(st.integers(min(start + 2, len(text)), len(text)))]
    return lines, needle.replace("\n", "")  # (a line break would span two values: see test_filesearch)


@PROPERTY
@given(case=shown_cases(), block_bytes=st.sampled_from([1, 64, 1 << 22]), known_invalid=st.booleans(),
       few=st.sampled_from([0, 1, search_shown.FEW]))
def test_the_byte_search_finds_what_the_entry_search_finds(case, block_bytes: int, known_invalid: bool, few: int) -> None:
    lines, needle = case
    # (`few`: a lead byte's occurrences found one by one, or all at once by numpy)
    with tempfile.TemporaryDirectory() as folder, mock.patch.object(search_shown, "FEW", few):
        path = Path(folder) / "log.jsonl"
        assert search(path, "supermetrics", lines, needle, block_bytes=block_bytes, known_invalid=known_invalid) \
            == expected("supermetrics", lines, needle)


# -- entries held in memory, and archived ones ----------------------------------------------------------------

def stores(archive: Archive) -> tuple[EntryStore, EntryStore]:
    """The values in entries held in memory, and archived (each at the top and nested)."""
    entries = [SUPERMETRICS.entry_from_raw(entry(n, value)) for n, value in enumerate(SHOWN)]
    entries += [SUPERMETRICS.entry_from_raw(entry(n + 30, value, nested=True)) for n, value in enumerate(SHOWN)]
    held = EntryStore(SUPERMETRICS)
    held.append(entries)
    identity = identity_of(SUPERMETRICS)
    assert identity is not None
    archived = archive.source(identity)
    archived.store(entries)
    return held, archived_store(archived, "supermetrics")


def value_of(raw: dict) -> str:
    return raw["note"] if "note" in raw else raw["logs"][0]["message"]


def test_held_and_archived_entries_are_found_by_what_their_cells_show(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "archive.sqlite3") as archive:
        held, archived = stores(archive)
        assert archived.span("backing", archived.head, archived.tail).all()  # (no entry held: read back to search)
        for store in (held, archived):
            for value, shown in SHOWN.items():
                for needle in (shown, shown.upper()):
                    found = FilteredView(store, Filters(search=needle)).index
                    assert [value_of(store.entry(int(o)).raw) for o in found] == [value, value], (store is held, needle)
            job = store.search_job("bidievil")  # (in a thread, as the viewer runs a big store's)
            job.run()
            assert store.finish_search(job)
            assert np.count_nonzero(store.span("hit", store.head, store.tail)) == 2
