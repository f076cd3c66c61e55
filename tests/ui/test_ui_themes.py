"""Every theme the palette offers reads: under the light themes the app's own labels were white on
light grey, at ~1.5:1 (the tab names, the counts, the table's header, the stats; found in a walk),
and a theme chosen while the app runs was drawn in the last one's colours where text is drawn
once (the status line's badge)."""

from __future__ import annotations

import re

from textual.color import Color

from logview.demo import DemoServer
from logview.ui.app import LogViewApp
from logview.ui.widgets.styling import contrast
from ui_helpers import each_theme, make_app, settle, two_tabs_app

READABLE = 3.0  # WCAG's least for large or bold text; the walk counted below 2:1 as unreadable
GLYPHS = " ▔▁▂▃▄▅▆▇█▕▏▌▊▎│─╭╮╰╯┊"  # bars, rules and borders: drawn, not read


def unreadable(app: LogViewApp) -> list[tuple[float, int, str]]:
    """Each run of text on screen whose colour and background contrast below READABLE: (ratio,
    line, text). The terminal's own colours (an ANSI theme's) cannot be measured and are left out."""
    found = []
    for y, strip in enumerate(app.screen._compositor.render_strips()):
        for segment in strip:
            text, style = segment.text.strip(GLYPHS), segment.style
            if not text or style is None or style.color is None or style.bgcolor is None:
                continue
            if style.color.triplet is None or style.bgcolor.triplet is None:
                continue
            ratio = contrast(Color(*style.color.triplet), Color(*style.bgcolor.triplet))
            if ratio < READABLE:
                found.append((round(ratio, 2), y, text))
    return found


async def test_every_theme_the_palette_offers_reads_on_the_main_screens(demo: DemoServer) -> None:
    app = two_tabs_app(demo)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        # the merged tab: tabs, status line, sidebar and its badges, the histogram, the stats with
        # their cursor, the table's blurred cursor row, the footer
        await pilot.press("right_square_bracket", "right_square_bracket", "h", "i", "down", "down")
        await settle(pilot)
        themes = [name for name in app.available_themes if not name.startswith("ansi")]
        assert "textual-light" in themes and "catppuccin-latte" in themes
        problems = {}
        async for theme in each_theme(pilot, themes):
            if found := unreadable(app):
                problems[theme] = found[:5]
        assert problems == {}


def banner_colours(app: LogViewApp) -> list[tuple[str, object, object]]:
    """Each run of text in the error banner as drawn: (text, colour, background)."""
    region = app.viewer.banner.region
    strips = app.screen._compositor.render_strips()
    return [(re.sub(r"req_\w+", "req_…", segment.text), segment.style.color, segment.style.bgcolor)
            for strip in strips[region.y:region.bottom]
            for segment in strip.crop(region.x, region.right) if segment.text.strip() and segment.style is not None]


async def test_an_error_banner_shown_before_a_theme_is_chosen_takes_its_colours(demo: DemoServer) -> None:
    """Found in a walk: after a theme was chosen from the palette, the banner already shown kept
    the last theme's colours (its title red on the last theme's panel) until it changed."""
    drawn = {}
    for chosen_first in (False, True):
        app = make_app(demo, key="wrong-key")
        async with app.run_test(size=(160, 48)) as pilot:
            if chosen_first:  # the reference: the banner drawn under nord from the start
                app.theme = "nord"
            await settle(pilot)
            assert "HTTP 401 AUTHENTICATION_REQUIRED" in app.viewer.banner.plain()
            app.theme = "nord"
            await pilot.pause(0.1)
            await settle(pilot)
            drawn[chosen_first] = banner_colours(app)
    assert drawn[False] and drawn[False] == drawn[True]
