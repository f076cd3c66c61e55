"""The sanitiser, as a property: whatever the API sends, nothing that can drive a terminal is
left, and cells are always one line."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from logview.sanitize import clean, clean_line
from logview.ui.app import stylesheets
from logview.ui.cells import cell_text, format_duration

UNSAFE = {chr(c) for c in range(0x20) if chr(c) not in "\t\n"} | {chr(0x7F)} | {chr(c) for c in range(0x80, 0xA0)}


@given(st.text())
def test_clean_removes_every_control_character_but_tab_and_newline(text: str) -> None:
    out = clean(text)
    assert not UNSAFE & set(out)
    assert [ch for ch in text if ch not in UNSAFE and ch not in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"] \
        == list(out)


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                    max_leaves=10))
def test_a_cell_is_one_safe_line_whatever_the_value(value: object) -> None:
    for out in (cell_text(value), format_duration(value), clean_line(str(value))):
        assert "\n" not in out and "\t" not in out and not UNSAFE & set(out)


def test_styles_are_found() -> None:
    names = {path.name for path in stylesheets()}
    assert {"app.tcss", "widgets.tcss"} <= names
