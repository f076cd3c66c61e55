"""The top line: where the data comes from, what the connection is doing, and the counts.

Counts are plain numbers with labels (`shown 1,204 · loaded 5,000 · total 5,000`) so the eye
finds them without decoding a progress widget.
"""

from __future__ import annotations


import msgspec
from rich.text import Text
from textual import events
from textual.message import Message
from textual.widgets import Static

from logview.sanitize import clean_line
from logview.session.status import ConnectionState
from logview.ui.widgets.styling import PartialStyles

# Connection states and the component class that colours them.
STATE_CLASSES = {
    "loading": "info",
    "live": "ok",
    "complete": "ok",
    "paused": "dim",
    "retrying": "warn",
    "error": "error",
    "capped": "warn",
    "cancelled": "warn",
}
# While loading, whether the live tail is on: its mark, words and colour, after the state's text
TAIL_MARKS = {"live": ("● live", "ok"), "paused": ("‖ tail paused", "dim")}
# Columns a wider arrangement of the line must have to spare before the line widens to it again:
# the text changes length from one second to the next ("resets in 9 s", "10 s"), and each change
# must not switch between a long and a short form
WIDEN_SLACK = 6


class StatusInfo(msgspec.Struct, frozen=True):
    """Everything the status line shows; the app builds one whenever something changes."""

    label: str
    state: str  # a key of STATE_CLASSES
    state_text: str
    state_shorter: tuple[str, ...] = ()  # the same in fewer words, each shorter, for a narrow line
    # while loading: "live" or "paused" (a key of TAIL_MARKS), perhaps " · " a note; else "" (the merged
    # tab's, in any state: "live", or "live 1 of 2" of its tabs' tails)
    tail: str = ""
    tail_brief: str = ""  # the tail in the fewest words ("live · poll ~8m"; "": as `tail`)
    shown: int = 0
    loaded: int = 0
    total: int | None = None
    new_rows: int = 0
    newer: int = 0  # rows a search or filter left above the screen, over the user's entry (`LogTable.newer_unseen`)
    saving: str = ""  # how far a save is (`saving big2.csv 42%`, `Saves.saving_words`), after the state; else ""

    @classmethod
    def of(cls, label: str, connection: ConnectionState, *, shown: int, loaded: int, total: int | None,
           new_rows: int = 0, newer: int = 0, saving: str = "") -> StatusInfo:
        """The line for a session's connection state (`ViewerSession.state`) and its counts."""
        state, text, shorter, tail, tail_brief = connection
        return cls(label=label, state=state, state_text=text, state_shorter=shorter, tail=tail, tail_brief=tail_brief,
                   shown=shown, loaded=loaded, total=total, new_rows=new_rows, newer=newer, saving=saving)


class StatusBar(PartialStyles, Static):
    """Source, connection state and counts on one line."""

    COMPONENT_CLASSES = {
        "status-bar--brand",
        "status-bar--label",
        "status-bar--key",
        "status-bar--value",
        "status-bar--ok",
        "status-bar--info",
        "status-bar--warn",
        "status-bar--error",
        "status-bar--dim",
        "status-bar--new",
    }

    class NewRowsClicked(Message):
        """A click on the `+N new` (or `N newer`) badge: the user wants the rows above."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.info: StatusInfo | None = None
        self._badge_span = (0, 0)  # where the `+N new` badge was drawn, for clicks
        self._arranged: tuple[tuple[object, ...], int] | None = None  # (what it was for, which) `_fit` chose

    def show(self, info: StatusInfo) -> None:
        if info != self.info:
            self.info = info
            # One line, always as wide as the screen: new text never changes the layout, so a
            # repaint of this line alone does (each layout costs a loading screen ~10 ms).
            self.update(self._render_info(info), layout=False)

    def plain(self) -> str:
        return "" if self.info is None else self._render_info(self.info).plain

    def _left(self, info: StatusInfo, state_text: str, label: bool, tail_brevity: int = 0) -> Text:
        """` logview   <label>   ◌ <state text>   <the tail's state>` (see `_tail`)."""
        style = self._partial
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(" logview ", style=style("status-bar--brand"))
        text.append("  ")
        if label:
            text.append(clean_line(info.label), style=style("status-bar--label"))
            text.append("   ")
        marker = {"live": "● ", "loading": "◌ ", "retrying": "⟳ ", "error": "✖ ", "paused": "‖ "}.get(info.state, "")
        text.append(marker + clean_line(state_text), style=style(f"status-bar--{STATE_CLASSES.get(info.state, 'dim')}"))
        tail = info.tail_brief if tail_brevity > 2 and info.tail_brief else info.tail
        kind, _, note = tail.partition(" · ")  # ("live · next poll in ~8m 02s": the budget holds it)
        kind, _, some = kind.partition(" ")  # ("live 1 of 2": the merged tab's, of its tabs' tails; brief: "live")
        if kind in TAIL_MARKS:
            words, colour = TAIL_MARKS[kind]
            words = f"{words} {some}" if some and not tail_brevity else words
            text.append("   ")
            text.append(self._tail(words, clean_line(note), tail_brevity), style=style(f"status-bar--{colour}"))
        if info.saving:
            text.append("   ")
            text.append(clean_line(info.saving), style=style("status-bar--info"))
        return text

    @staticmethod
    def _tail(words: str, note: str, brevity: int) -> str:
        """`● live · next poll in ~8m 02s`; brevity 1: `● live · poll ~8m 02s`; 2: `● poll ~8m 02s`
        (the mark's colour says live: at 120 columns a connector's label left no room for `shown`
        beside the longer ones, found in a walk); 3: `● poll ~8m` (the note given brief, `tail_brief`)."""
        if not note:
            return words
        if brevity:
            note = note.replace("next poll in ", "poll ")
        if brevity > 1 and note.startswith("poll "):
            return f"{words.split()[0]} {note}"
        return f"{words} · {note}"

    def _render_info(self, info: StatusInfo) -> Text:
        width = self.size.width or 160
        text, badge, right = self._fit(info, width)
        text.truncate(max(0, width - 2 - right.cell_len), overflow="ellipsis")
        text.append(" " * max(2, width - text.cell_len - right.cell_len))
        self._badge_span = (text.cell_len, text.cell_len + badge.cell_len)
        text.append_text(right)
        return text

    def _fit(self, info: StatusInfo, width: int) -> tuple[Text, Text, Text]:
        """(left part, badge, badge + counts) of the first arrangement that fits `width` (else
        the last, whose left part is then cut; see `_arrangements`). A line that narrowed widens
        again only with WIDEN_SLACK columns to spare (else it flipped every second as the
        numbers changed)."""
        forms = (info.state_text, *info.state_shorter)
        arrangements = self._arrangements(info.state, forms)
        key = (info.state, len(forms), bool(info.new_rows or info.newer), width)
        narrowed_to = self._arranged[1] if self._arranged is not None and self._arranged[0] == key else 0
        for index, (state_text, label, counts, hint, tail_brevity) in enumerate(arrangements):
            text = self._left(info, state_text, label, tail_brevity)
            badge = self._rows_above_badge(info.new_rows, info.newer, hint)
            right = Text.assemble(badge, self._counts(info, counts))
            if text.cell_len + 2 + right.cell_len + (WIDEN_SLACK if index < narrowed_to else 0) <= width:
                break
        else:  # (not even the fewest words fit: parts go whole, never cut inside a number)
            text, badge, right = self._fewer_parts(info, arrangements[-1], width)
        self._arranged = (key, index)
        return text, badge, right

    def _fewer_parts(self, info: StatusInfo, arrangement: tuple[str, bool, int, bool, int],
                     width: int) -> tuple[Text, Text, Text]:
        """The last arrangement with its state's middle parts dropped, the last first, until it fits
        (beside `shown` while loading, then without): what it is (`16%`) and when it ends (`done in ~23 s`)
        stay whole. At 60 columns "◌ 16% · budget 1/10 · resets 1 s · done in ~23…" was cut inside its
        estimate for a whole load, `shown` gone (s29 walk #1)."""
        state_text, label, counts, hint, tail_brevity = arrangement
        ongoing = state_text.endswith(" …")
        whole = state_text.removesuffix(" …").split(" · ")
        badge = self._rows_above_badge(info.new_rows, info.newer, hint)
        for shown in (1, counts) if info.state == "loading" and counts < 1 else (counts,):
            right = Text.assemble(badge, self._counts(info, shown))
            parts = list(whole)
            while True:
                text = self._left(info, " · ".join(parts) + (" …" if ongoing else ""), label, tail_brevity)
                if text.cell_len + 2 + right.cell_len <= width or len(parts) <= 2:
                    break
                del parts[-2]
            if text.cell_len + 2 + right.cell_len <= width:
                break
        return text, badge, right

    @staticmethod
    def _arrangements(state: str, forms: tuple[str, ...]) -> list[tuple[str, bool, int, bool, int]]:
        """(state text, label shown, counts shown, badge hint, tail brevity), widest first. While
        loading, on a narrow line the counts give way, from the right, but for `shown` (`loaded`
        and `total` are in the state's text); then the state says it in fewer words, form after
        form (each drops the least important part left: the widest that fits is used, not the
        fewest words at once, found in a walk), the tail's note in fewer words first; then the
        label goes, then `shown` and the badge's hint. In any other state the counts are said
        nowhere else: the state's fewer words come first, and the label goes before `shown` (at
        160 columns the budget's long words pushed `total` off, and at 80 and 120 a profile's
        label took the place of `shown` and of a retry's time, s17 K3). The user scrolled away
        from the top must always see that live rows arrived; last, the merged tab's `● live 1 of 2` is
        `● live`."""
        if state != "loading":
            arrangements = [(form, True, counts, True, 0) for counts in (3, 2, 1) for form in forms]
            arrangements.append((forms[-1], False, 1, True, 0))
            return arrangements + [(forms[-1], False, 0, hint, brevity) for brevity in (0, 1) for hint in (True, False)]
        # (each form with the tail's note in fewer words, "live · poll ~33 s", before a shorter
        # form; and "poll ~33 s" before the fewest words, which drop the count of the total: at
        # 160 columns a profile's label and "next poll in ~33 s" left "◌ 5% · budget 1/3 …", where
        # "loading page 3 · 200 of 3,004 (6%) · …" fitted. The note is short before `shown` goes:
        # at 120 columns "next poll in ~8m" took its place for minutes, and at 80 the time itself
        # was cut, found in walks)
        steps = ((3, 0), (2, 0), (1, 0), (1, 1))
        arrangements = [(form, True, counts, True, brevity) for form in forms[:-1] for counts, brevity in steps]
        arrangements += [(form, True, 1, True, 2) for form in forms[:-1]]
        # (the fewest words beside the tail's note in fewer words: "page 3 · next page ~8m 32s …   ● live
        # · next poll in ~17m 06s" read as two states of one length, found at 120 columns)
        fewest = ((3, 1), (2, 1), (1, 1), (1, 2)) if len(forms) > 1 else (*steps, (1, 2))
        arrangements += [(forms[-1], True, counts, True, brevity) for counts, brevity in fewest]
        if len(forms) > 1:  # (the label before `shown`: at 120 a profile's label took its place; the
            # form before the fewest first: at 80 the budget's reset stays where it fits, s21 #14)
            arrangements += [(form, False, 1, True, brevity) for form in forms[-2:] for brevity in (1, 2, 3)]
        arrangements += [(form, True, 0, hint, 1) for form in forms for hint in (True, False)]
        if len(forms) > 1:
            arrangements += [(forms[-1], False, 0, hint, brevity) for brevity in (1, 2, 3) for hint in (True, False)]
        return arrangements

    def _counts(self, info: StatusInfo, most: int) -> Text:
        """`shown N   loaded N   total N   `, the first `most` of them."""
        counts = Text(no_wrap=True)
        for key, value in (("shown", info.shown), ("loaded", info.loaded), ("total", info.total))[:most]:
            if value is None:
                continue
            counts.append(f"{key} ", style=self._partial("status-bar--key"))
            counts.append(f"{value:,}", style=self._partial("status-bar--value"))
            counts.append("   ")
        return counts

    def _rows_above_badge(self, new_rows: int, newer: int, hint: bool) -> Text:
        """Live rows that arrived above the user's place, and newer rows a search or filter left above
        the screen (`▲ +3 new, 1,204 newer · g to jump`; here, not over the table's header)."""
        if not (new_rows or newer):
            return Text()
        counts = ", ".join(part for part in (f"+{new_rows:,} new" if new_rows else "",
                                             f"{newer:,} newer" if newer else "") if part)
        badge = Text(no_wrap=True)
        badge.append(f" ▲ {counts}" + (" · g to jump " if hint else " "), style=self._partial("status-bar--new"))
        badge.append("   ")
        return badge

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is not None and self._badge_span[0] <= offset.x < self._badge_span[1]:
            self.post_message(self.NewRowsClicked())

    def on_resize(self) -> None:
        if self.info is not None:
            self.update(self._render_info(self.info), layout=False)

    def redraw(self) -> None:
        # (a theme chosen from the palette kept the last theme's colours, the badge orange under
        # nord, until the next change; found in a walk)
        if self.info is not None:
            self.update(self._render_info(self.info), layout=False)
