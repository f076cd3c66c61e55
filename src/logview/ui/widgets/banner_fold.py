"""How the banner's messages fold on a small screen, and the key that unfolds them.

A contract the server broke took 7 of an 80×24 terminal's lines, and the table kept 12 rows
(s22 walk #4). Each message has a short form: its first line (what failed), then its keys (`r
retries`) and the rest of its words cut with an ellipsis. The banner draws the short forms once
its messages in full would take more than a fifth of the screen's lines; `m` (FOLD_KEY) shows
them in full, or folds them, whatever the size, and the banner says which it does. The width is
known only as the banner is drawn: `BannerLines` decides there, and tells `FoldState` what it
drew (what `m` and Escape then do).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import msgspec
from rich.console import Console, ConsoleOptions, RenderResult
from rich.style import Style
from rich.text import Text

FOLD_KEY = "m"
SCREEN_SHARE = 5  # the messages in full take at most a fifth of the screen's lines (80×24: 4)
FOLD_SAVES = 2  # rows folding must give the table, or it is not offered (`m folds` for one row was noise)
MIN_ROOM = 3  # (never fewer: a terminal of 12 lines still shows a failure and its keys whole)


class BannerMessage(msgspec.Struct, frozen=True):
    """One slot's message. `full`: its paragraphs, each wrapping; `short`: its folded form, each
    paragraph with the rows it may take, cut with an ellipsis past them (keys first in a
    paragraph, so a cut takes words, never a key)."""

    full: tuple[Text, ...]
    short: tuple[tuple[Text, int], ...]

    @classmethod
    def prose(cls, text: Text) -> BannerMessage:
        """A message of one paragraph (a notice): two rows when folded."""
        return cls((text,), ((text, 2),))


class FoldState(msgspec.Struct):
    """The user's choice (None: the screen's size decides) and what the banner last drew."""

    choice: bool | None = None  # True: folded, False: in full, whatever the size
    room: int = MIN_ROOM  # rows the messages may take in full before they fold by themselves
    foldable: bool = False  # the short forms take fewer rows than the full ones, at the width drawn
    folded: bool = False  # they were drawn folded

    def fit(self, screen_height: int) -> bool:
        """The screen's height (its share for the banner); True when that changed it."""
        room = max(MIN_ROOM, screen_height // SCREEN_SHARE)
        changed, self.room = room != self.room, room
        return changed

    def toggle(self) -> bool:
        """`m`: fold what is drawn in full, unfold what is folded; False when nothing folds."""
        if not self.folded and not self.foldable:
            return False
        self.choice = not self.folded
        return True

    def fold(self) -> bool:
        """Escape, when it has nothing else to do: fold what is drawn in full (True if it did)."""
        if self.folded or not self.foldable:
            return False
        self.choice = True
        return True


# A number and its unit (`3 s`, `30.0 s`, `8.0 MiB`) and a wait's two parts (`2m 05s`) stay on one row:
# Rich wraps at any whitespace, a no-break space too (s29: "retrying in 3" above "s, attempt 2/5").
_UNIT_SPACE = re.compile(r"(?<=\d) (?=(?:ms|s|m|h|d|min|KiB|MiB|GiB|TiB|bytes?)\b)|(?<=\d[smh]) (?=\d)")
_JOINER = "\ue000"  # (a cell wide and not whitespace: no row ends at it; a space again once wrapped)


def rows(text: Text, console: Console, width: int) -> list[Text]:
    """`text` wrapped to `width`, a number never parted from its unit."""
    plain = text.plain
    if not plain:
        return [text]
    joined = _UNIT_SPACE.sub(_JOINER, plain) if _JOINER not in plain else plain
    if joined == plain:
        return list(text.wrap(console, width))
    held = text.copy()
    held.plain = joined  # (as long: the styles' spans stay where they were)
    lines = list(held.wrap(console, width))
    for line in lines:
        line.plain = line.plain.replace(_JOINER, " ")
    return lines


def word_end(row: str) -> int:
    """Where to end `row`, cut: after its last whole part (`a · b`), clause (`not newest first: 3 pages`)
    or word, the first of them that ends in its second half (a key cut in two read as another
    key, `t stops the ta…`; a clause cut after a word, `not newest first: 3…`)."""
    for separator in (" · ", "; ", ": ", ", ", " "):
        at = row.rfind(separator)
        if at >= len(row) // 2:
            return at
    return len(row)


def cut(text: Text, console: Console, width: int, most: int, suffix: Text | None = None) -> list[Text]:
    """`text` wrapped to at most `most` rows of `width`, the last cut with an ellipsis when more
    would follow; `suffix` (a key) ends the last row, whole."""
    whole = text + suffix if suffix is not None else text
    lines = rows(whole, console, width)
    if len(lines) <= most:
        return lines
    kept = rows(text, console, width)[:most]
    last = kept[-1]
    room = width - (suffix.cell_len if suffix is not None else 0) - 1  # (the ellipsis)
    if last.cell_len > room:
        last.truncate(max(room, 0))
        last.truncate(word_end(last.plain))
    last.rstrip()
    last.append("…")
    if suffix is not None:
        last.append_text(suffix)
    return kept


class BannerLines:
    """The banner's messages as drawn at the width Textual lays it out at: in full, or folded."""

    def __init__(self, messages: Iterable[BannerMessage], state: FoldState, hint_style: Style) -> None:
        self.messages = tuple(messages)
        self.state = state
        self.hint_style = hint_style

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = max(options.max_width, 1)
        full = [row for message in self.messages for paragraph in message.full for row in rows(paragraph, console, width)]
        short = self._short(console, width, suffix=None)
        state = self.state
        state.foldable = len(short) <= len(full) - FOLD_SAVES
        fold = state.foldable and (state.choice if state.choice is not None else len(full) > state.room)
        state.folded = fold
        if fold:
            drawn = self._short(console, width, suffix=Text(f" · {FOLD_KEY} shows all", style=self.hint_style))
        elif state.foldable:  # (the key that gives the table its rows back, said where it can)
            drawn = self._full(console, width, Text(f" · {FOLD_KEY} folds", style=self.hint_style))
        else:
            drawn = full
        yield Text("\n").join(drawn)

    def _short(self, console: Console, width: int, suffix: Text | None) -> list[Text]:
        """Every message folded; the fold's key ends the first one."""
        drawn: list[Text] = []
        for index, message in enumerate(self.messages):
            last = len(message.short) - 1
            for at, (paragraph, most) in enumerate(message.short):
                drawn += cut(paragraph, console, width, most, suffix if index == 0 and at == last else None)
        return drawn

    def _full(self, console: Console, width: int, suffix: Text) -> list[Text]:
        """Every message in full; the fold's key ends the first one."""
        drawn: list[Text] = []
        for index, message in enumerate(self.messages):
            for at, paragraph in enumerate(message.full):
                last = index == 0 and at == len(message.full) - 1
                drawn += rows(paragraph + suffix if last else paragraph, console, width)
        return drawn
