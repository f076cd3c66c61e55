"""A theme the user names (`TEXTUAL_THEME`) in a terminal of 16 colours: `TEXTUAL_THEME=textual-light
TERM=xterm logview` opened in ansi-dark, without a word (the 16-colour rule overrode it, s30). A named
ANSI theme is taken; a theme of chosen colours (which 16 colours draw as greys) gives way to the ANSI
theme of its lightness, and says so once; the 16-colour rule only picks the default."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from textual.theme import BUILTIN_THEMES

from logview.ui.theme_choice import launch_theme
from test_ui_sixteen_colours import ROWS, colour_of
from test_ui_terminal_bytes import run_in_terminal


@pytest.mark.parametrize(("color_system", "no_color", "named", "theme", "said"), [
    ("standard", False, None, "ansi-dark", False),  # the default: as before
    ("standard", False, "no-such-theme", "ansi-dark", True),  # (Textual's default then: as grey; the typo said)
    ("truecolor", False, "no-such-theme", None, True),  # (a typo opened the default without a word: a walk)
    ("standard", True, "no-such-theme", None, True),
    ("standard", False, "ansi-light", None, False),  # named and drawable: taken
    ("standard", False, "ansi-dark", None, False),
    ("standard", False, "textual-light", "ansi-light", True),  # its lightness kept, said
    ("windows", False, "solarized-light", "ansi-light", True),
    ("standard", False, "nord", "ansi-dark", True),
    ("truecolor", False, "textual-light", None, False),  # more colours: whatever was named
    ("eight_bit", False, None, None, False),
    ("standard", True, "textual-light", None, False),  # NO_COLOR: the theme's greys (s25 walk #5)
])
def test_the_launch_theme_keeps_a_named_theme_or_its_lightness(color_system, no_color, named, theme, said) -> None:
    chosen, note = launch_theme(color_system, no_color, named, BUILTIN_THEMES, "xterm")
    assert chosen == theme and (note is not None) == said, (chosen, note)
    if said and named == "no-such-theme":
        assert note.startswith("TEXTUAL_THEME names no theme logview has ('no-such-theme')"), note
    elif said:
        assert f"The theme {named} needs more than this terminal's 16 colours (TERM=xterm)" in note
        assert f"Shown in {theme}" in note


def test_textual_light_in_16_colours_opens_light_in_the_terminals_colours_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "four.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in ROWS))
    env = {key: value for key, value in os.environ.items() if key not in ("NO_COLOR", "COLORTERM",
                                                                          "TEXTUAL_COLOR_SYSTEM")}
    output = run_in_terminal(["--file", str(path)], {**env, "TERM": "xterm", "TEXTUAL_THEME": "textual-light"},
                             size=(100, 30), until=b"ansi-light")  # (the toast's words)
    colours = {word: colour_of(output, word) for word in (b"success", b"error", b"blocked")}
    # the terminal's own green and red; a warning its magenta: ansi-light's own warning, the bright red,
    # read as the error's red in most palettes, and yellow on white reads poorly
    assert colours == {b"success": b"32", b"error": b"31", b"blocked": b"35"}, colours
