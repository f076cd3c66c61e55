"""A page the contract mends is said as what was wrong with it: the ids it repeated, its times'
order, or both (s30 walk #8: "out of time order or repeating an entry" named two faults where an
unordered server repeats nothing)."""

from __future__ import annotations

from logview.api.page_order import newest_first, what_was_wrong
from logview.sources import AitronosSource

SOURCE = AitronosSource("org_order", base_url="http://127.0.0.1:9/")


def entry(entry_id: str, second: int):
    return SOURCE.entry_from_raw({"id": entry_id, "created_at": f"2025-11-15T10:00:{second:02d}Z",
                                  "status": "success", "credential_id": "c", "tool": "t"})


def said(page) -> str:
    ordered = newest_first(page)
    assert ordered is not page
    return what_was_wrong(page, ordered)


def test_each_mend_is_said_as_what_it_mended() -> None:
    a, b, c = entry("a", 30), entry("b", 20), entry("c", 10)
    assert said([a, c, b]) == "out of time order (sorted)"
    assert said([a, b, b, c]) == "repeating an entry (taken once)"
    assert said([a, c, b, a]) == "out of time order and repeating an entry (sorted, once each)"
    assert newest_first([a, b, c]) == [a, b, c]  # (nothing to say of a page in order)
