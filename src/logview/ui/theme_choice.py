"""Which theme the viewer opens in: Textual's (`TEXTUAL_THEME`, else its default), except in a
terminal of 16 colours (TERM=xterm, screen, linux), where a theme of chosen colours cannot be drawn.

There the default theme's muted greens and reds all came out as the same grey, and its accent as
an alarming red; textual-light's likewise (a status 200 as grey as a 500). The ANSI themes use the
terminal's own red, green and yellow, as a user's palette defines them: the default is then
`ansi-dark`. A theme the user named keeps its lightness: an ANSI theme named is taken as it is, a
theme of chosen colours gives way to the ANSI theme as light or dark as it, and says so once (the
16-colour rule overrode `TEXTUAL_THEME=textual-light` with `ansi-dark` without a word, s30).
Not under NO_COLOR: its colours made greys all came out as one dark grey (90) on black, the
cursor's row told from an error's only by bold; the default theme's greys keep white text, a grey
cursor row and the badge black on white there (s25 walk #5).
"""

from __future__ import annotations

from collections.abc import Mapping

from textual.theme import Theme

from logview.sanitize import clean_line

SIXTEEN_COLOURS = ("standard", "windows")  # (Rich's colour systems of 16 colours)


def launch_theme(color_system: str | None, no_color: bool, named: str | None, themes: Mapping[str, Theme],
                 term: str | None = None) -> tuple[str | None, str | None]:
    """The theme to open in (None: leave Textual's) and what to say of it once (None: nothing);
    `named`: the theme the user named (`TEXTUAL_THEME`), `themes`: those known by name."""
    sixteen = color_system in SIXTEEN_COLOURS and not no_color
    if named and named not in themes:  # (a typo opened the default without a word, found in a walk)
        return ("ansi-dark" if sixteen else None), (
            f"TEXTUAL_THEME names no theme logview has ({clean_line(named)!r}): shown in "
            f"{'ansi-dark' if sixteen else 'the default theme'}; ctrl+p, Theme lists those it has.")
    if not sixteen:
        return None, None
    theme = themes.get(named) if named else None
    if theme is None:  # (none named: Textual's default, which would be as grey)
        return "ansi-dark", None
    if theme.ansi:
        return None, None
    ansi = "ansi-dark" if theme.dark else "ansi-light"
    where = f" (TERM={term})" if term else ""
    return ansi, (f"The theme {named} needs more than this terminal's 16 colours{where}: its greens and reds "
                  f"would all be one grey. Shown in {ansi}, in the terminal's own colours; ctrl+p picks "
                  "another theme (COLORTERM=truecolor, if the terminal has more colours).")
