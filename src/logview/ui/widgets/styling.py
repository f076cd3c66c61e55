"""Component styles as *partial* Rich styles.

A full component style carries the widget's background, which would paint over a highlighted
row or a selected option; a partial one carries only what the `.tcss` rule sets.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from rich.color import Color as RichColor, ColorSystem
from rich.segment import Segment
from rich.style import Style
from textual.color import BLACK, WHITE, Color
from textual.filter import LineFilter
from textual.strip import Strip
from textual.widget import Widget

from logview.ui.textual_internals import style_cache

LEGIBLE = 4.5  # WCAG AA for text: with room for a 256-colour terminal's nearest colours (3:1 came out 2.7:1)
_RESOLVED = "\x00resolved"  # (its key in the widget's style cache, which Textual clears on a restyle)
_WHOLE = ("\x00whole",)  # (the widget's own style's key there: `widget_style`)


def partial_style(widget: Widget, name: str) -> Style:
    """The partial style of `widget`'s component class `name`, its colours as drawn.

    Rich has no "auto" colour nor transparency: a rule's `$text` (auto 87%, the theme's text
    colour for what is under it) came out white whatever the theme, and `$primary 45%` fully
    opaque. Under the light themes the app's labels were white on light grey, at ~1.5:1 (found
    in a walk). Here auto is the contrasting text colour, and a translucent colour is blended
    over what is under it: the rule's own background, over the widget's."""
    key = (_RESOLVED, name)
    cached = style_cache(widget).get(key)
    if cached is not None:
        return cached[1]
    try:
        style = widget.get_component_rich_style(name, partial=True)
        styles = widget.get_component_styles(name)
    except KeyError:  # (not styled yet, or no longer: a notice drawn as the viewer quit stopped it, CI
        return Style()  # s23; drawn plain, uncached, and again once styled: `PartialStyles.redraw`)
    under = widget.background_colors[1]
    if styles.has_rule("background") and styles.background.a > 0:
        under = under + styles.background
        if styles.background.a < 1:
            style += Style(bgcolor=under.rich_color)
    if styles.has_rule("color"):
        color: Color = styles.color
        if styles.auto_color:  # (the parsed colour is white, at the rule's alpha)
            color = under.get_contrast_text(color.a)
        style += Style(color=legible(under + color, under).rich_color)
    style_cache(widget)[key] = (style, style)
    return style


def contrast(one: Color, other: Color) -> float:
    """WCAG's contrast ratio of two opaque colours, 1 to 21."""
    lighter, darker = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(color: Color) -> float:
    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4

    red, green, blue = color.normalized
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def legible(color: Color, under: Color, minimum: float = LEGIBLE) -> Color:
    """`color`, moved towards the contrasting text colour just enough to read at `minimum` on
    `under`: some themes' own picks do not (gruvbox's text on its cursor row, 2.4:1; catppuccin
    latte's footer keys, 1.9:1). A theme's colours that read are kept as they are."""
    if color.ansi is not None or under.ansi is not None or contrast(color, under) >= minimum:
        return color  # (a terminal's own colours: what they look like is the terminal's)
    towards = under.get_contrast_text(1.0)
    for step in range(1, 11):
        moved = color.blend(towards, step / 10)
        if contrast(moved, under) >= minimum:
            return moved
    return towards


def widget_style(widget: Widget) -> Style:
    """`widget.rich_style` (its colours over its ancestors' backgrounds), kept in the widget's style cache until
    it is refreshed or restyled (Textual clears that cache then, as for `partial_style`). Textual works it out
    from every ancestor at each read: the table read it for each line it drew, about a quarter of drawing a
    screen of rows it had (1.8 of 6.6 ms)."""
    cached = style_cache(widget).get(_WHOLE)
    if cached is None:
        style = widget.rich_style
        style_cache(widget)[_WHOLE] = cached = (style, style)
    return cached[0]


class PartialStyles(Widget):
    """Mixin for widgets that paint `Text` with their component classes. A `Text` keeps the styles
    it was drawn with: a widget that keeps one between changes draws it again in `redraw`, which
    runs when its styles change (a theme chosen from the palette kept the last theme's colours
    until the next change, found in walks)."""

    def _partial(self, name: str) -> Style:
        return partial_style(self, name)

    def redraw(self) -> None:
        """Draw again what was drawn with the component classes' styles (their new ones now)."""

    def notify_style_update(self) -> None:
        super().notify_style_update()
        if type(self).redraw is not PartialStyles.redraw:
            # once all the styles are (the component classes' come after this widget's)
            self.call_later(self._restyled)

    def _restyled(self) -> None:
        style_cache(self).clear()
        self.redraw()


def legible_style(style: Style) -> Style:
    """A full style (its colour and background both set) whose colour reads on its background."""
    if style.color is None or style.bgcolor is None or style.color.triplet is None or style.bgcolor.triplet is None:
        return style
    color, under = Color.from_rich_color(style.color), Color.from_rich_color(style.bgcolor)
    return style + Style(color=legible(color, under).rich_color)


def with_cursor(strip: Strip, cursor: Style) -> Strip:
    """A table's row drawn as the cursor's: on top of the cell colours, like a selection (red text
    on a blue bar is unreadable)."""
    return Strip(legible_segments(Segment.apply_style(strip, post_style=cursor)), strip.cell_length)


def legible_segments(segments: Iterable[Segment]) -> list[Segment]:
    """`segments` (a cursor row's: the cells' colours on the cursor's bar), each legible on its
    background: a theme's red on its blurred cursor read at 2.8:1 (nord)."""
    return [Segment(text, legible_style(style), control) if style is not None and not control else
            Segment(text, style, control) for text, style, control in segments]


class LegibleText(LineFilter):
    """The last word on every cell of text drawn, Textual's own widgets' included: its colour
    reads at LEGIBLE on its background in true colour *and* once reduced to 256 colours (Rich
    reduces each colour to the nearest of the palette as the line is written, when COLORTERM does
    not say truecolor: the default theme's cursor row, white on #0178d4 at 4.6:1, became white on
    colour 32 at 3.9:1; solarized's cursor row, white on #268bd2, read 3.7:1 even in true colour;
    found in a walk). What is drawn, not read (bars, rules, borders, scrollbars), keeps its
    colours, and the terminal's own colours (an ANSI theme's, 16 colours) are the terminal's."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        styles = [legible_cell(style) if style is not None and not control and not _drawn_only(text) else style
                  for text, style, control in segments]
        # A background moved under a text is moved as far under the whole line's cells of that
        # background, the texts' colours checked again on it: a bar stays one colour (the cursor
        # row's white date and its coloured status asked for two blues).
        moved: dict[RichColor, RichColor] = {}
        for (_, style, _), new in zip(segments, styles):
            if style is not None and new is not None and new.bgcolor != style.bgcolor:
                before = moved.get(style.bgcolor)
                if before is None or _distance(new.bgcolor, style.bgcolor) > _distance(before, style.bgcolor):
                    moved[style.bgcolor] = new.bgcolor
        if moved:
            styles = [_on(style, moved[style.bgcolor], text) if style is not None and style.bgcolor in moved else new
                      for (text, style, _), new in zip(segments, styles)]
        return [Segment(text, new, control) for (text, _, control), new in zip(segments, styles)]


def _distance(one: RichColor, other: RichColor) -> float:
    return contrast(Color(*one.get_truecolor()), Color(*other.get_truecolor()))


def _on(style: Style, bgcolor: RichColor, text: str) -> Style:
    """`style` on the moved background `bgcolor`, its colour legible there if it is text's."""
    style += Style(bgcolor=bgcolor)
    return style if _drawn_only(text) else legible_cell(style)


def _drawn_only(text: str) -> bool:
    """Whether `text` is blanks and box drawing or block glyphs (U+2500 to U+259F) only."""
    return all(char == " " or "\u2500" <= char <= "\u259f" for char in text)


@lru_cache(4096)
def legible_cell(style: Style) -> Style:
    """`style` with its colour moved towards black or white just enough to read; or, where not
    even black or white would (white on a mid blue), its background moved just enough for them
    and the colour then, so that a bar is the same colour under every text on it."""
    if style.color is None or style.bgcolor is None or style.color.triplet is None or style.bgcolor.triplet is None:
        return style
    color, under = Color(*style.color.triplet), Color(*style.bgcolor.triplet)
    if _reads(color, under):
        return style
    lighter = _luminance(color) >= _luminance(under)
    towards, away = (WHITE, BLACK) if lighter else (BLACK, WHITE)
    if _reads(towards, under):
        moved = next(moved for moved in _steps(color, towards) if _reads(moved, under))
        return style + Style(color=moved.rich_color)
    # (as far as black or white needs: the same bar for every text on it, lines and rows alike)
    under = next(moved for moved in _steps(under, away) if _reads(towards, moved))
    if not _reads(color, under):
        color = next(moved for moved in _steps(color, towards) if _reads(moved, under))
    return style + Style(color=color.rich_color, bgcolor=under.rich_color)


def _steps(color: Color, towards: Color) -> Iterable[Color]:
    """`color` blended towards `towards` in twentieths, ending there."""
    return (color.blend(towards, step / 20) for step in range(1, 21))


def _reads(color: Color, under: Color) -> bool:
    return contrast(color, under) >= LEGIBLE and contrast(_in_256(color), _in_256(under)) >= LEGIBLE


@lru_cache(4096)
def _in_256(color: Color) -> Color:
    """`color` as a 256-colour terminal shows it (Rich's reduction, as the line is written)."""
    reduced = RichColor.from_rgb(color.r, color.g, color.b).downgrade(ColorSystem.EIGHT_BIT)
    return Color(*reduced.get_truecolor())
