"""The detail pane: every field of the selected entry, nothing hidden, nothing interpreted.

Nested objects are pretty-printed JSON with highlighting (built from plain `Text` plus a regex
highlighter, never markup), long values wrap, and the time field is shown both as received and
in the local time zone. Unknown fields are shown like any other. The head line repeats what one
opens an entry for — status, tool or event, duration, and the error — so it is seen without
scrolling however small the pane; the pane scrolls by keys when focused, by the wheel when hovered.
The table's search (`/`) is marked in it wherever it occurs, and `n`/`N` go to its next and previous
match there (a 50,000-character error or a deep `inputs` could only be scrolled through, s23 walk #8).
"""

from __future__ import annotations

import json
import re
from typing import Any

from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.highlighter import JSONHighlighter
from rich.style import Style
from rich.table import Table
from rich.text import Span, Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from logview.jsonutil import dump_json, nesting_depth
from logview.model import LogEntry
from logview.sanitize import clean, clean_line
from logview.sources.aitronos import error_message
from logview.times import parse_api_time
from logview.ui.cells import row_cells, status_class
from logview.ui.widgets.styling import PartialStyles

DEEPEST_INDENTED = 32  # levels of arrays and objects shown indented
MATCH_KEY = "logview-match"  # (each match's mark carries its number: `_match_lines` finds each by it, in any style)
MATCH_WAITS_FOR_WIDTH = 30  # screen refreshes an `n` waits at most for the pane's first layout (it needs one or two)
MAX_VALUE_CHARS = 20_000  # a pathological value must not stall rendering; `y` copies it whole
_JSON = JSONHighlighter()


def json_text(value: Any, ansi: bool = False) -> Text:
    """A JSON value pretty-printed, sanitised, then highlighted (safe for any content). One nested
    deeper than DEEPEST_INDENTED is shown as written, not indented: indented it would be mostly
    spaces, and the standard library's indenting recursion overflowed Python's stack near 1,000
    levels, which hung the viewer (a file or an API may hold entries nested up to 1,024 deep).
    `ansi`: in the terminal's 16 colours, its keys bright blue (its blue read 2.2:1 on black, s29 walk #5)."""
    depth = nesting_depth(value)
    note = None
    if depth > DEEPEST_INDENTED:
        dumped = dump_json(value).decode("utf-8", errors="replace")
        note = f"nested {depth:,} deep: shown as written, not indented"
    else:
        try:
            dumped = json.dumps(value, indent=2, ensure_ascii=False)
        except (TypeError, ValueError):
            dumped = repr(value)
    text = Text(_truncate(clean(dumped)), overflow="fold")
    _JSON.highlight(text)
    if ansi:
        text.spans = [Span(span.start, span.end, "bold bright_blue") if span.style == "json.key" else span
                      for span in text.spans]
    if note:
        text.append(f"\n({note})", style="dim")
    return text


# a carriage return, alone or before a newline: a line break (`clean` leaves it out: `GET /cr\rhere` read
# `GET /crhere`, where the table shows `GET /cr here` and `/cr here` found it, marked in the summary only; a walk)
_CARRIAGE_RETURN = re.compile("\r\n?")


def _shown(text: str) -> str:
    """A string value as the pane shows it: safe (`clean`), its carriage returns line breaks, cut if huge."""
    return _truncate(clean(_CARRIAGE_RETURN.sub("\n", text)))


def _truncate(text: str) -> str:
    if len(text) <= MAX_VALUE_CHARS:
        return text
    return text[:MAX_VALUE_CHARS] + f"\n… {len(text) - MAX_VALUE_CHARS:,} more characters (y copies the whole entry)"


# What the table shows as a space and the detail as it is, a search finds by a space (`searchable_text`):
# a tab, a line break; in a value shown as JSON, the escapes of a tab and line breaks.
_SHOWN_AS_SPACE = r"[ \t\n\u2028\u2029]"
_SHOWN_AS_SPACE_IN_JSON = r"(?:[ \u2028\u2029]|\\[tnr])"


def _needle_pattern(needle: str, as_json: bool) -> re.Pattern[str]:
    """The needle as it is marked, case ignored, each of its spaces also where the table shows a
    space (a tab in the value: its search found the entry, and nothing was marked); `as_json`: also
    as JSON writes it inside a string (tried first: `\"` is not marked as a lone `"` beside its backslash)."""
    forms = [needle]
    escaped = json.dumps(needle, ensure_ascii=False)[1:-1]
    if as_json and escaped != needle:
        forms.insert(0, escaped)
    space = _SHOWN_AS_SPACE_IN_JSON if as_json else _SHOWN_AS_SPACE
    return re.compile("|".join(space.join(map(re.escape, form.split(" "))) for form in forms), re.IGNORECASE)


def local_time_text(value: Any) -> str | None:
    moment = parse_api_time(value)
    if moment is None:
        return None
    try:
        local = moment.astimezone()
    except (OverflowError, OSError, ValueError):
        return None
    return local.strftime("%Y-%m-%d %H:%M:%S.") + f"{local.microsecond // 1000:03d} {local.strftime('%Z (%z)')}"


def error_summary(raw: Any) -> str | None:
    """`CODE: message` of the error an entry records (None if it records none)."""
    if not isinstance(raw, dict):
        return None
    error = raw.get("error")
    if isinstance(error, dict) and error.get("code") and error.get("message"):
        return f"{error['code']}: {error['message']}"
    return error_message(raw)


# VerticalScroll must be the first base: Textual takes a widget's default CSS only along the
# first base of each class, so behind the mixin its `overflow-y: auto` was lost and the pane,
# `overflow: hidden`, could not scroll at all (keys and wheel did nothing, fields were cut off).
class DetailPane(VerticalScroll, PartialStyles, can_focus=True):
    """Shows one entry; the app toggles it and feeds it the selected entry."""

    # ↑ ↓ PgUp PgDn Home End come with VerticalScroll; these are the table's keys for the same moves
    BINDINGS = [
        Binding("j", "scroll_down", "Scroll down", show=False),
        Binding("k", "scroll_up", "Scroll up", show=False),
        Binding("g", "scroll_home", "Top", show=False),
        Binding("G", "scroll_end", "Bottom", show=False),
        Binding("n", "next_match(1)", "Next match", show=False),
        Binding("N", "next_match(-1)", "Previous match", show=False),
    ]

    COMPONENT_CLASSES = {
        "detail-pane--key",
        "detail-pane--title",
        "detail-pane--local",
        "detail-pane--invalid",
        "detail-pane--ok",
        "detail-pane--info",
        "detail-pane--warn",
        "detail-pane--error",
        "detail-pane--dim",
        "detail-pane--match",
        "detail-pane--match-current",
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.entry: LogEntry | None = None
        self.time_field = "created_at"
        self.notes: dict[str, dict[str, str]] = {}  # field → value → a line shown under it
        self.body = Static(id="detail-body")  # (held: an entry is shown at once when the pane is made)
        self.needle: str | None = None  # the table's search, marked wherever it occurs
        self._shown: RenderableType = Text("")  # what the body holds (its lines are searched for `n`)
        self._match = -1  # the match `n`/`N` went to last (its number, from 0), marked apart from the others
        self._marks = 0  # matches marked so far in the entry being drawn (each mark's number)
        self._summary_marks = 0  # ... in the summary under the title (marked, not counted)
        self._origin: str | None = None
        self._match_said = ""  # ... in words: "match 1 of 2 · n N"

    def compose(self) -> ComposeResult:
        yield self.body

    TITLE = "entry detail · Enter focuses · Esc closes · y copies JSON"
    FOCUSED_TITLE = "entry detail · ↑↓ j k PgUp PgDn g G scroll · Esc closes · y copies JSON"
    SEARCH_TITLE = "entry detail · ↑↓ j k PgUp PgDn g G scroll · n N next/previous match · Esc closes · y copies"

    def on_mount(self) -> None:
        self.border_title = self.TITLE

    def on_focus(self) -> None:
        self.border_title = self._fitted_title(focused=True)

    def on_blur(self) -> None:
        self.border_title = self._fitted_title(focused=False)

    def on_resize(self) -> None:
        self.border_title = self._fitted_title(focused=self.has_focus)

    def _fitted_title(self, *, focused: bool) -> str:
        """The title in the most words the pane's top border holds: at 80 columns with a search the
        keys cut it to `… n N next/previous match · Esc cl…` (found in a walk); Esc closes stays."""
        room = self.size.width - 4  # (the border's corners and the title's spaces)
        titles = self._titles(focused)
        return next((title for title in titles if cell_len(title) <= room), titles[-1])

    def _titles(self, focused: bool) -> list[str]:
        """The title's forms, longest first: the scroll keys go first, then the words of the rest."""
        if not focused:
            return [self.TITLE, "entry detail · Enter focuses · Esc closes", "detail · Esc closes", "Esc closes"]
        if not self.needle:
            return [self.FOCUSED_TITLE, "entry detail · ↑↓ PgUp PgDn scroll · Esc closes · y copies JSON",
                    "entry detail · Esc closes · y copies JSON", "detail · Esc closes", "Esc closes"]
        # (its top border is all it has: where `n` went is said in the title)
        said = self._match_said if self._match >= 0 else "n N next/previous match"
        short = self._match_said if self._match >= 0 else "n N match"
        return [self.SEARCH_TITLE.replace("n N next/previous match", said),
                f"entry detail · ↑↓ PgUp PgDn scroll · {said} · Esc closes · y copies",
                f"entry detail · {said} · Esc closes · y copies", f"entry detail · {short} · Esc closes",
                f"{short} · Esc closes", "Esc closes"]

    def show_entry(self, entry: LogEntry | None, time_field: str, origin: str | None = None,
                   needle: str | None = None) -> None:
        """`origin`: the tab the entry came from (the merged timeline); `needle`: the table's search."""
        if entry is self.entry and time_field == self.time_field and needle == self.needle:
            return
        same_entry = entry is self.entry
        self.entry, self.time_field, self.needle, self._match = entry, time_field, needle or None, -1
        self._origin = origin
        self._draw()
        if self.has_focus:
            self.on_focus()
        if same_entry:  # (only the search changed: the place in the entry is kept)
            return
        self.scroll_home(animate=False)

    def _draw(self) -> None:
        self._shown = self._render_entry(self.entry, self._origin) if self.entry is not None \
            else Text("No entry selected.")
        self.body.update(self._shown)

    def action_next_match(self, step: int) -> None:
        """n / N: the entry's next (previous) match of the table's search, marked apart from the others,
        the line where it begins at the pane's top."""
        if not self.needle:
            self.notify("No search to find: / searches the entries, and its matches are marked here.",
                        timeout=3, markup=False)
            return
        self._step_once_laid_out(step, MATCH_WAITS_FOR_WIDTH)

    def _step_once_laid_out(self, step: int, refreshes: int) -> None:
        """The lines where the matches begin depend on the pane's width: an `n` typed ahead of its first
        layout (`/gmail⏎⏎n` in one burst on a loaded machine) found none at no width, and said the match
        lay past what the pane shows. It waits for the screen's next refreshes, so many at most."""
        if not (self.body.size.width or self.scrollable_content_region.width) and refreshes:
            self.call_after_refresh(self._step_once_laid_out, step, refreshes - 1)
            return
        lines = self._match_lines()
        if not lines:
            self.notify(self._no_match_words(), timeout=4, markup=False)
            return
        self._match = (self._match + step) % len(lines) if self._match >= 0 or step > 0 else len(lines) - 1
        self._draw()  # (the current match in its own mark: the same lines, another style)
        self.scroll_to(y=lines[self._match], animate=False)
        self._match_said = (f"match {self._match + 1} of {len(lines)}" if len(lines) > 1 else "the only match") + " · n N"
        self.on_focus()

    def _no_match_words(self) -> str:
        """Why `n` has no match to go to in the entry's fields, saying where the search matched."""
        raw = None if self.entry is None else self.entry.raw
        text = raw if isinstance(raw, str) else dump_json(raw).decode("utf-8", "replace")
        if raw is not None and self.needle and self.needle.lower() in text.lower():
            return (f"The match lies past the first {MAX_VALUE_CHARS:,} characters of a value, which is all this "
                    "pane shows of it: y copies the whole entry.")
        if self._summary_marks:  # (marked on screen: "no match" there read as wrong)
            return ("The search matches only the summary under the entry's title, not its fields: nothing for n "
                    "to go to.")
        return "No match in the lines shown of this entry."

    def _match_lines(self) -> list[int]:
        """Per match, in the entry's order, the line of the body, as laid out at the pane's width, where it
        begins: found by its mark's number (a match the wrap splits was marked and skipped when the lines'
        text was searched, s24 walk #10; matches one space apart, counted by runs of marks, were one)."""
        console = self.app.console
        width = self.body.size.width or self.scrollable_content_region.width
        lines = console.render_lines(self._shown, console.options.update_width(max(1, width)), pad=False)
        begins: dict[int, int] = {}
        for at, line in enumerate(lines):
            for segment in line:
                if segment.style is not None and (number := segment.style.meta.get(MATCH_KEY)) is not None:
                    begins.setdefault(number, at)
        return [begins[number] for number in sorted(begins)]

    def _mark(self, text: Text, counted: bool = True, as_json: bool = False) -> Text:
        """`text` with the needle's every occurrence marked (case as the search: ignored). Not
        `counted`: the summary under the title, which repeats the entry's values (its request, its
        error), is marked but not counted nor stepped through by `n`: 30 needles in a request were
        "60 matches", `n` going through the summary's copies first (s26 walk #6). `as_json`: a
        nested value, shown as JSON, where the needle's quotes and backslashes are written escaped
        (`\"foo\"`): that form is its match there (an error's `"foo"` was marked in the summary
        only, and `n` said there was no match)."""
        if not self.needle:
            return text
        marked, current = self._partial("detail-pane--match"), self._partial("detail-pane--match-current")
        for found in _needle_pattern(self.needle, as_json).finditer(text.plain):
            if not counted:
                text.stylize(marked, found.start(), found.end())
                self._summary_marks += 1
                continue
            style = current if self._marks == self._match else marked
            text.stylize(style + Style.from_meta({MATCH_KEY: self._marks}), found.start(), found.end())
            self._marks += 1
        return text

    def _render_entry(self, entry: LogEntry, origin: str | None = None) -> RenderableType:
        style = self._partial
        self._marks = self._summary_marks = 0
        status_style = style(f"detail-pane--{status_class(entry.status)}")
        head = Text(no_wrap=False, overflow="fold")
        if origin is not None:
            head.append(f"{clean_line(origin)} · ", style=style("detail-pane--title"))
        head.append(clean_line(str(entry.id)), style=style("detail-pane--title"))
        head.append("   ")
        head.append(clean_line("—" if entry.status is None else str(entry.status)), style=status_style)
        cells = row_cells(entry)
        # the duration before the request, so a long request wraps, never `343` apart from `ms`
        what = " · ".join(cell for cell in (cells["what"], cells["duration"], cells.get("request")) if cell)
        if what:
            head.append("   " + what)
        parts: list[RenderableType] = [self._mark(head, counted=False)]
        error = error_summary(entry.raw)
        if error:
            parts.append(self._mark(Text(_shown(error), style=status_style, overflow="fold"), counted=False))
        if entry.invalid is not None:
            parts.append(Text("⚠ invalid entry: " + clean_line(entry.invalid), style=style("detail-pane--invalid")))
        grid = Table.grid(padding=(0, 2), expand=True)
        grid.add_column(style=style("detail-pane--key"), no_wrap=True, max_width=24, overflow="ellipsis")
        grid.add_column(ratio=1, overflow="fold")
        raw = entry.raw
        if isinstance(raw, dict):
            for key, value in raw.items():
                shown = clean_line(str(key)).strip()
                label = Text(shown) if shown else Text("(unprintable key)", style=style("detail-pane--dim"))
                shown_value = self._mark(self._value(key, value), as_json=not isinstance(value, str))
                grid.add_row(self._mark(label), shown_value)
        else:
            grid.add_row(Text("raw"), self._mark(json_text(raw, self.app.native_ansi_color) if not isinstance(raw, str)
                                                 else Text(_shown(raw)), as_json=not isinstance(raw, str)))
        parts.append(Text(""))
        parts.append(grid)
        return Group(*parts)

    def _value(self, key: str, value: Any) -> Text:
        if isinstance(value, str):
            text = Text(_shown(value), overflow="fold")
            if key == self.time_field:
                local = local_time_text(value)
                if local:
                    text.append("\nlocal " + local, style=self._partial("detail-pane--local"))
            note = self.notes.get(key, {}).get(value)
            if note:
                text.append("\n" + clean_line(note), style=self._partial("detail-pane--local"))
            return text
        return json_text(value, self.app.native_ansi_color)
