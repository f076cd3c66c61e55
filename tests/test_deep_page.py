"""A page deeper than the 1,024 levels logview reads is cut at its own brackets
(`sources/deep_page.py`): each `logs` element read alone, one still too deep kept as its text."""

from __future__ import annotations

import json

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from logview.jsonutil import TOO_DEEP, JSONText, dump_json, load_json
from logview.sources import AitronosSource, SupermetricsSource
from logview.sources.base import InvalidBody, TooDeepBody
from logview.sources.deep_page import read_deep_page

# strings full of what shapes JSON: brackets, commas, colons, quotes and backslashes
TEXTS = st.text(alphabet=st.sampled_from(list('ab[]{},:"\\ \n\u00e9')), max_size=12)
VALUES = st.recursive(st.none() | st.booleans() | st.integers() | TEXTS,
                      lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXTS, inner, max_size=3),
                      max_leaves=12)


@settings(max_examples=200, deadline=None)
@given(logs=st.lists(VALUES, max_size=5), extra=st.dictionaries(TEXTS, VALUES, max_size=2),
       indent=st.sampled_from([None, 1]))
@example(logs=[-9_223_372_036_854_775_809], extra={}, indent=None)  # (an element read alone was a double: CI, s37)
def test_a_page_cut_at_its_brackets_reads_as_the_whole(logs, extra, indent) -> None:
    page = {**extra, "logs": logs}
    body = json.dumps(page, indent=indent, ensure_ascii=False).encode()
    assert read_deep_page(body) == load_json(body)


def deep(depth: int) -> bytes:
    return b"[" * depth + b"0" + b"]" * depth


@pytest.mark.parametrize("source", [SupermetricsSource(1, "C"), AitronosSource("org")], ids=["sm", "ait"])
def test_an_entry_too_deep_is_kept_as_its_text_with_its_id_time_and_status(source) -> None:
    time_field = source.time_field
    status = b"500" if source.kind == "supermetrics" else b'"error"'
    too_deep = (b'{"id":"deep", "' + time_field.encode() + b'":"2025-11-15T10:00:00Z","status":' + status
                + b',"x":' + deep(1100) + b',"note":"a, [quoted] \\"}"}')
    nearly = b'{"id":"near","' + time_field.encode() + b'":"2025-11-15T09:00:00Z","x":' + deep(1020) + b"}"
    body = b'{"logs": [ ' + too_deep + b" ,\n" + nearly + b'], "total": 2, "returned": 2, "has_more": false}'
    entries = source.parse_page(body).entries
    assert [e.id for e in entries] == ["deep", "near"]
    kept = entries[0]
    assert kept.invalid == TOO_DEEP and kept.raw == too_deep.decode() and isinstance(kept.raw, JSONText)
    assert kept.time is not None and kept.time.hour == 10 and kept.status in (500, "error")
    assert dump_json(kept.raw) == too_deep  # (written back as it came: export, s, y, the archive)
    assert entries[1].invalid is None and dump_json(entries[1].raw) == nearly  # (1,020 deep reads alone)
    assert source.entries_from_raws([dump_json(kept.raw).decode()])[0] == kept  # (read back from the archive)


@pytest.mark.parametrize("body", [
    b'{"total": 1, "x": ' + deep(1100) + b', "logs": []}',  # deep outside `logs`
    b'[' + deep(1100) + b']',  # no page object
    b'{"logs": [' + deep(1100),  # torn
], ids=["deep elsewhere", "no object", "torn"])
def test_a_page_deep_elsewhere_is_still_refused(body) -> None:
    with pytest.raises(InvalidBody):
        SupermetricsSource(1, "C").parse_page(body)


def test_a_deep_page_without_logs_says_too_deep() -> None:
    with pytest.raises(TooDeepBody):
        SupermetricsSource(1, "C").parse_page(b'{"data": ' + deep(1100) + b"}")
