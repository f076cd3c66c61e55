"""Every text cell drawn reads at 4.5:1 on its background (WCAG AA, as the README promises), in
every theme Textual ships, in true colour and after Rich's reduction to 256 colours (what a
terminal without COLORTERM=truecolor gets, tmux's by default): solarized's cursor row and footer
were white on #268bd2 at 3.7:1, the default theme's cursor row in 256 colours 3.9:1 (s22 walk #7).
Under NO_COLOR an error stands out by weight and a mark, never by being fainter (s22 walk #8).

The colours are measured on the segments the screen is composed of, after Textual's line filters
(its ANSI and dim colours resolved, NO_COLOR's greys), reduced as Rich reduces them when the line
is written. A 16-colour terminal gets the ANSI theme (`app.main`): its colours are the terminal's,
measured in the palette Textual assumes for a dark terminal."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import pytest
from rich.color import Color as RichColor, ColorSystem
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.theme import BUILTIN_THEMES

from logview.demo import DemoServer
from logview.model import Filters
from logview.options import ViewerOptions
from logview.ui.app import LogViewApp
from logview.ui.widgets.styling import LEGIBLE, contrast
from ui_helpers import FAST, connection, each_theme, file_app, make_app, settle, table_lines, wait_until

GLYPHS = " ▔▁▂▃▄▅▆▇█▕▏▌▊▎│─╭╮╰╯┊╳▒░"  # bars, rules, borders, the histogram's patterns: drawn, not read
SYSTEMS = {"true colour": None, "256 colours": ColorSystem.EIGHT_BIT}


def as_written(color: RichColor, system: ColorSystem | None, foreground: bool) -> Color:
    """`color` as the terminal is told it in `system`."""
    reduced = color if system is None else color.downgrade(system)
    return Color(*reduced.get_truecolor(foreground=foreground))


@lru_cache(4096)
def written_contrast(color: RichColor, bgcolor: RichColor, system: ColorSystem | None) -> float:
    return contrast(as_written(color, system, True), as_written(bgcolor, system, False))


def text_runs(app: LogViewApp) -> Iterator[tuple[int, str, Style | None]]:
    """Each run of text on screen, as composed: (line, text without glyphs, style)."""
    for y, strip in enumerate(app.screen._compositor.render_strips()):
        for segment in strip:
            text = segment.text.strip(GLYPHS)
            if text and not segment.control:
                yield y, text, segment.style


def unreadable_cells(app: LogViewApp) -> list[tuple[str, float, int, str]]:
    """Each run of text on screen reading below LEGIBLE in true colour or 256 colours, or drawn
    with no colour or background of its own: (colour system, ratio, line, text)."""
    found = []
    for y, text, style in text_runs(app):
        if style is None or style.color is None or style.bgcolor is None:
            found.append(("unset", 0.0, y, text))
            continue
        for name, system in SYSTEMS.items():
            if (ratio := written_contrast(style.color, style.bgcolor, system)) < LEGIBLE:
                found.append((name, round(ratio, 2), y, text))
    return found


def api_app(demo: DemoServer) -> LogViewApp:
    """An Aitronos tab (every status), a Supermetrics tab refused (its error banner) and the
    merged tab."""
    first = ViewerOptions(filters=Filters(), connection=connection(demo, "aitronos"))
    refused = ViewerOptions(filters=Filters(), connection=connection(demo, "supermetrics", key="wrong-key"))
    return LogViewApp(first, refused, policy=FAST)


def all_themes() -> list[str]:
    return sorted(name for name in BUILTIN_THEMES if not name.startswith("ansi"))


async def open_api_screens(app: LogViewApp, pilot) -> None:
    """The Aitronos tab at 160x48: status line, sidebar, table and its cursor row, histogram,
    stats, detail and footer."""
    await pilot.press("down", "enter", "h", "i")
    await wait_until(pilot, lambda: app.viewer.detail.display, said=lambda: app.viewer.detail.display)


async def open_dialog_folded(app: LogViewApp, pilot) -> None:
    """The column picker (a dialog, the screen dimmed behind it) at 80x24."""
    await pilot.resize_terminal(80, 24)
    await pilot.press("f")
    await wait_until(pilot, lambda: len(app.screen_stack) > 2, said=lambda: app.screen_stack)


async def open_refused_tab_folded(app: LogViewApp, pilot) -> None:
    """The refused tab at 80x24: its error banner, the folded filters line, the footer's keys."""
    await pilot.resize_terminal(80, 24)
    await pilot.press("right_square_bracket")
    await wait_until(pilot, lambda: "HTTP 401" in app.viewer.banner.plain() and app.viewer.has_class("-folded"),
                     said=lambda: (app.viewer.banner.plain(), app.viewer.classes))


# A dialog is drawn in the same theme colours as the screens, over the screen dimmed behind it:
# Textual's dimming takes ~1 s a theme on a loaded machine, so the dialog is drawn in the default
# theme, the walk's solarized-light, and the two other light ones whose picks read worst.
DIALOG_THEMES = ["textual-dark", "solarized-light", "textual-light", "catppuccin-latte"]


@pytest.mark.parametrize(("screens", "themes"), [(open_api_screens, None), (open_refused_tab_folded, None),
                                                 (open_dialog_folded, DIALOG_THEMES)],
                         ids=["api-160x48", "refused-80x24", "dialog-80x24"])
async def test_every_text_reads_at_4_5_in_every_theme_in_true_and_256_colours(demo: DemoServer, screens,
                                                                               themes: list[str] | None) -> None:
    app = api_app(demo)
    problems = {}
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await screens(app, pilot)
        themes = themes or all_themes()
        assert "solarized-light" in themes and "textual-dark" in themes
        async for theme in each_theme(pilot, themes):
            if found := unreadable_cells(app):
                problems[theme] = found[:4]
    assert problems == {}


async def test_a_files_rows_read_in_every_theme_in_true_and_256_colours(tmp_path: Path) -> None:
    """A file's viewer at 80x24: every status, an invalid line's `!` row (bold, the error's colour)."""
    statuses = ["success", "error", "blocked", "timeout"] * 3
    rows = [{"id": f"e{i}", "created_at": f"2025-11-15T11:00:{59 - i:02d}.000Z", "status": status,
             "tool": f"tool-{status}", "duration_ms": 10} for i, status in enumerate(statuses)]
    path = tmp_path / "statuses.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows) + "{not json\n")
    app = file_app(path)
    problems = {}
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "!" in "".join(table_lines(app))
        async for theme in each_theme(pilot, all_themes()):
            if found := unreadable_cells(app):
                problems[theme] = found[:4]
    assert problems == {}


def ansi_cells_below(app: LogViewApp) -> list[tuple[str, float, int, str]]:
    """Under the ANSI theme, each run of text drawn in a colour that is not the terminal's own (Rich
    would pick the nearest of its guess at the palette) or reading below LEGIBLE in the palette
    Textual assumes for a dark terminal."""
    palette, found = app.ansi_theme_dark, []
    for y, text, style in text_runs(app):
        if style is None or style.color is None or style.bgcolor is None:
            found.append(("unset", 0.0, y, text))
        elif style.color.triplet is not None or style.bgcolor.triplet is not None:
            found.append(("not the terminal's", 0.0, y, text))
        elif (ratio := contrast(Color(*style.color.get_truecolor(palette, True)),
                                Color(*style.bgcolor.get_truecolor(palette, False)))) < LEGIBLE:
            found.append(("16 colours", round(ratio, 2), y, text))
    return found


async def test_in_16_colours_every_text_is_in_the_terminals_colours_and_reads(demo: DemoServer) -> None:
    """The ANSI theme (what a terminal of 16 colours gets): `logview` and the active tab were the
    terminal's foreground on its green, 1.1:1, the sidebar's `server` on its blue 2.6:1."""
    app = api_app(demo)
    app.theme = "ansi-dark"
    problems = {}
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        for screens in (open_api_screens, open_refused_tab_folded):
            await screens(app, pilot)
            await settle(pilot)
            problems[screens.__name__] = ansi_cells_below(app)[:4]
    assert problems == {"open_api_screens": [], "open_refused_tab_folded": []}


def runs_of(app: LogViewApp, widget) -> list[tuple[int, str, Segment]]:
    """The runs of text drawn in `widget`'s region: (line, the line's text, the run)."""
    region = widget.region
    strips = app.screen._compositor.render_strips()[region.y:region.bottom]
    runs = []
    for y, strip in enumerate(strips, region.y):
        line = strip.crop(region.x, region.right)
        runs += [(y, line.text, segment) for segment in line if segment.text.strip() and segment.style is not None]
    return runs


def brightness(segment: Segment) -> float:
    return contrast(as_written(segment.style.color, None, True), Color(0, 0, 0))


async def test_under_no_color_an_error_stands_out_by_weight_and_a_mark(demo: DemoServer,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """NO_COLOR showed each status as a grey of its colour's brightness: `error` was grey 245
    beside `success`'s 250, the dimmest thing in the table, its row's first cell blank."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(demo)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        assert app.no_color
        table = [run for run in runs_of(app, app.viewer.table) if run[2].text.strip() in ("error", "success")]
        errors = [(line, segment) for _, line, segment in table if segment.text.strip() == "error"]
        successes = [(line, segment) for _, line, segment in table if segment.text.strip() == "success"]
        assert errors and successes
        for line, segment in errors:
            assert segment.style.bold and line.lstrip().startswith("✖"), line
            assert brightness(segment) >= max(brightness(s) for _, s in successes)
        assert not any("✖" in line for line, _ in successes)
        sidebar = {segment.text.strip(): segment for _, _, segment in runs_of(app, app.viewer.sidebar)}
        assert sidebar["error"].style.bold and brightness(sidebar["error"]) >= brightness(sidebar["success"])
        assert unreadable_cells(app) == []
