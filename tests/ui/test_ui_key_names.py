"""logview names its own keys (the footer's text, the characters a screen's bindings type) as
Textual does, without Textual's lookups in Python's table of Unicode names: their first lookups
made ~0.7 MiB of that table resident in the viewer through a big file's read."""

from __future__ import annotations

import sys
import unicodedata

import pytest
from textual import keys as textual_keys
from textual import screen as textual_screen
from textual.app import App
from textual.binding import Binding

from logview.demo import DemoServer
from logview.ui.widgets.key_footer import KEY_CHARACTERS, KEY_DISPLAYS, key_character, key_display
from ui_helpers import SIZE, make_app, settle


def textual_names(key: str) -> str | None:
    return textual_keys.key_to_character.__wrapped__(key)


@pytest.mark.parametrize("key", sorted(KEY_CHARACTERS))
def test_each_named_key_types_the_character_textual_says(key: str) -> None:
    assert key_character(key, named_by_textual=lambda _: pytest.fail("asked Textual")) == textual_names(key)
    assert textual_screen.key_to_character(key) == textual_names(key)  # (the app's module installed it)


@pytest.mark.parametrize("key", [*sorted(KEY_DISPLAYS), "y", "E", "0", "ctrl+j", "ctrl+p", "shift+tab", "ctrl+slash"])
def test_each_key_is_written_as_textuals_footer_writes_it(key: str) -> None:
    binding = Binding(key, "nothing")
    assert key_display(binding) == App.get_key_display(App(), binding)
    assert key_display(Binding(key, "nothing", key_display="K")) == "K"


def test_a_key_logview_does_not_name_is_left_to_textual() -> None:
    assert key_display(Binding("f5", "nothing")) is None
    assert key_character("f5", named_by_textual=lambda key: f"<{key}>") == "<f5>"


async def test_the_viewer_and_its_footer_look_up_no_unicode_name(demo: DemoServer, monkeypatch) -> None:
    textual_keys.key_to_character.cache_clear()  # (earlier tests may have named keys already)
    textual_keys.format_key.cache_clear()
    looked_up: list[str] = []

    def lookup(name: str) -> str:
        if sys._getframe(1).f_code.co_name != "_press_keys":  # (the pilot's, not a terminal's)
            looked_up.append(name)
        return real_lookup(name)

    real_lookup = unicodedata.lookup
    monkeypatch.setattr(unicodedata, "lookup", lookup)
    app = make_app(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert looked_up == []
        for key in ("i", "i", "question_mark", "escape", "b", "escape"):  # other screens, other keys
            await pilot.press(key)
            await settle(pilot)
        footer = app.screen.query_one("KeyFooter")
        assert footer.items  # (it did name keys)
    assert looked_up == []
