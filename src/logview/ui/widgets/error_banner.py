"""The banner above the table: API failures, retry countdowns, tail failures and notices.

Errors are shown where the user is looking (not only as a toast) and leave the loaded rows in
place. A retry shows a countdown that ticks every second, so a long Retry-After is visibly a
wait, never a hang; Escape cancels it and `r` retries at once. On a small screen the messages
fold to their first lines and keys, and `m` shows them in full (`banner_fold.py`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial

import msgspec
from rich.text import Text
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static

from logview.api.contract import contract_broken
from logview.api.types import RetryEvent
from logview.model import ApiError
from logview.sanitize import clean, clean_line
from logview.session import Waits, format_wait
from logview.ui.widgets.banner_fold import BannerLines, BannerMessage, FoldState
from logview.ui.widgets.styling import PartialStyles

# Display order, most important first. The archive's trouble has a slot of its own: it lasts the
# run, and a later notice (the cap reached) must not hide it. So has each kind of what the loading
# noticed (`api.events.Notice`), and what the live tail's polls corrected: a server's contract broken
# took the place of "some entries at that time may be missing", the tail's "1 page out of time
# order" that of the backfill's 30.
SLOTS = ("error", "tail", "retry", "waiting", "archive", "notice", "capped", "tie_group", "stuck", "contract",
         "tail-contract", "retention", "file")
MAX_DETAIL_CHARS = 600


def error_head(error: ApiError) -> str:
    """`HTTP 401 AUTHENTICATION_REQUIRED` (or just the code when no response arrived; a 2xx that
    was unusable in words: `answer not JSON`; a server that broke its contract: nothing, its message
    says it, and `CONTRACT_BROKEN` read as a code the server had sent)."""
    if contract_broken(error):
        return ""
    if error.answered:
        return retry_cause(error)
    return f"HTTP {error.status} {error.code}" if error.status is not None else error.code


def failure_hint(rows: int, from_archive: int, *, tabbed: bool) -> str:
    """What a failed load leaves on screen, said under its error: a key the server refused still
    showed its org's archive as if loaded, and the merged tab counted those rows beside the
    working tab's (found in a walk); the merged tab now leaves a failed tab out, and says so."""
    if not rows:
        return "r retries"
    # (all of them the archive's only when none was fetched in this run: s22 walk #2 saw 2,701 of
    # 2,801 rows fetched called "the local archive's")
    shown = ("the rows shown are the local archive's" if from_archive >= rows
             else f"the rows already loaded stay visible ({from_archive:,} from the local archive)" if from_archive
             else "the rows already loaded stay visible")
    return f"r retries · {shown}" + (" (all leaves them out)" if tabbed else "")


def retry_cause(error: ApiError) -> str:
    """Why a request is being retried, in a few words for the status line: `429 rate limited`,
    `HTTP 503`, `connection failed`, `timed out`."""
    if error.status == 429:
        return "429 rate limited"
    if error.answered:  # ("HTTP 200 · retrying" claimed success was the error, s17 K1)
        return "answer not JSON" if error.code == "NOT_JSON" else "unreadable answer"
    if error.status is not None:
        return f"HTTP {error.status}"
    return {"CONNECTION_FAILED": "connection failed", "TIMEOUT": "timed out",
            "NETWORK_ERROR": "network error"}.get(error.code, error.code.lower().replace("_", " "))


class _TailFailure(msgspec.Struct):
    error: ApiError
    deadline: float  # when the tail tries again (monotonic)
    rows_loaded: bool  # (the banner says they stay only when there are some)


class _Retry(msgspec.Struct):
    event: RetryEvent
    deadline: float
    context: str


class ErrorBanner(PartialStyles, Static):
    """Stacked messages by slot; hidden when there is nothing to say."""

    COMPONENT_CLASSES = {
        "error-banner--title",
        "error-banner--warn-title",
        "error-banner--notice-title",
        "error-banner--detail",
        "error-banner--meta",
        "error-banner--hint",
    }

    class Ticked(Message):
        """The retry countdown moved on a second (the status line shows it too)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        # each slot's message, drawn when shown (again in another theme's colours: `redraw`)
        self._slots: dict[str, Callable[[], BannerMessage]] = {}
        self._drawn: tuple[BannerMessage, ...] = ()
        self._drawn_fold: tuple[bool | None, int] = (None, 0)  # the fold's choice and room drawn
        self.fold_state = FoldState()
        self._drawn_at = time.monotonic()  # when the countdowns drawn were counted
        self._sent_for: Callable[[], float | None] = lambda: None  # (see `count_sent_by`)
        self._drawn_sent: float | None = None  # how long the request in flight had waited at `_drawn_at`
        self._retry: _Retry | None = None
        self._tail: _TailFailure | None = None
        self._ticker: Timer | None = None
        # what a refused key's error adds: the variable it is in (`Connection.refused`; the viewer's)
        self.refused: Callable[[ApiError], str | None] | None = None

    def on_mount(self) -> None:
        self.display = False

    # -- public API -----------------------------------------------------------------------
    def show_failure(self, error: ApiError, *, context: str, gave_up: str | None = None,
                     hint: str = "r retries · the rows already loaded stay visible") -> None:
        """A request that failed for good."""
        self._retry = None
        self._slots.pop("retry", None)
        self._slots["error"] = partial(self._error_text, error, context, gave_up, hint, "error-banner--title", "✖")
        self._refresh()

    def show_tail_failure(self, error: ApiError, next_poll_s: float, *, rows_loaded: bool = True) -> None:
        """A tail cycle failed for good; the tail tries again after `next_poll_s` (counted down)."""
        self._tail = _TailFailure(error, time.monotonic() + next_poll_s, rows_loaded)
        self._slots["tail"] = self._tail_text
        self._start_ticking()
        self._refresh()

    def show_tail_stopped(self, error: ApiError, *, rows_loaded: bool = True) -> None:
        """The tail stopped for good (the server broke its contract): why, and that r or t tries again."""
        self._tail = None
        stay = " · the rows loaded stay" if rows_loaded else ""
        self._slots["tail"] = partial(self._error_text, error, "live tail stopped", None, f"r or t tries again{stay}",
                                      "error-banner--warn-title", "⚠")
        self._refresh()

    def show_retry(self, event: RetryEvent, *, context: str) -> None:
        """A failed attempt that will be retried after `event.wait_s`: start the countdown. The
        live tail's retried cycle replaces its failure before (whose request id and "polling again
        now" stayed beside the new countdown, found in a walk)."""
        if context == "live tail":
            self._tail = None
            self._slots.pop("tail", None)
        self._retry = _Retry(event, time.monotonic() + event.wait_s, context)
        self._slots["retry"] = self._retry_text
        self._start_ticking()
        self._refresh()

    def count_sent_by(self, sent_for: Callable[[], float | None]) -> None:
        """How a retry's attempt is timed once its wait is over: `sent_for` says how long the request
        in flight has waited for the server since it was sent, None while none is (the client's count)."""
        self._sent_for = sent_for

    def _start_ticking(self) -> None:
        if self._ticker is None:
            self._ticker = self.set_interval(1.0, self._tick)

    def show_notice(self, message: str, *, warn: bool = True, slot: str = "notice") -> None:
        self._slots[slot] = partial(self._notice_text, message, warn)
        self._refresh()

    def _notice_text(self, message: str, warn: bool) -> BannerMessage:
        text = Text(no_wrap=False, overflow="fold")
        style = "error-banner--warn-title" if warn else "error-banner--notice-title"
        text.append("⚠ " if warn else "ℹ ", style=self._partial(style))
        text.append(clean(message))
        return BannerMessage.prose(text)

    def clear(self, *slots: str) -> None:
        """Remove the given slots (all when none are named). Nothing shown in them: nothing to do
        (every batch of a backfill clears the banner, and a repaint would cost a layout each)."""
        removed = False
        for slot in slots or SLOTS:
            removed = self._slots.pop(slot, None) is not None or removed
            if slot == "retry":
                self._retry = None
            if slot == "tail":
                self._tail = None
        if removed:
            self._refresh()

    def clear_retry(self, context: str) -> None:
        """The retry counted down for `context` is over (not another's that took its place)."""
        if self._retry is not None and self._retry.context == context:
            self.clear("retry")

    def retry_asked(self) -> None:
        """`r` sent the retry now: its countdown is over (the attempt's wait for the server follows)."""
        if self._retry is not None:
            self._retry.deadline = time.monotonic()
            self._refresh()

    def tail_poll_asked(self) -> None:
        """`r` had the failing tail poll now: its countdown is over."""
        if self._tail is not None:
            self._tail.deadline = time.monotonic()
            self._refresh()

    @property
    def retry_pending(self) -> bool:
        return self._retry is not None

    def retry_reason(self) -> str | None:
        """What the pending retry is for (None when nothing is waiting)."""
        return None if self._retry is None else retry_cause(self._retry.event.error)

    def retry_remaining(self) -> float | None:
        """Seconds left before the pending retry (None when nothing is waiting)."""
        return None if self._retry is None else self._retry.deadline - time.monotonic()

    def tail_failing(self) -> tuple[str, float] | None:
        """While the live tail fails: why, and the seconds until its next try."""
        if self._tail is None:
            return None
        return retry_cause(self._tail.error), self._tail.deadline - time.monotonic()

    def waits(self, backfilling: bool) -> Waits:
        """What is counted down here, for the status line (`backfilling`: a backfill runs)."""
        retry = (self.retry_reason() or "", self.retry_remaining() or 0.0) if self._retry is not None else None
        return Waits(retry=retry, retry_is_tail=self._retry is not None and self._retry.context == "live tail",
                     tail_failing=self.tail_failing(), backfilling=backfilling, other_logview="waiting" in self._slots)

    def has(self, slot: str) -> bool:
        return slot in self._slots

    def plain(self) -> str:
        """The messages in full, folded or not (as drawn: a countdown says the second it was drawn at)."""
        return "\n".join(paragraph.plain for message in self._drawn for paragraph in message.full)

    # -- folding (`m`, Escape, the screen's height) ------------------------------------------
    def fit(self, screen_height: int) -> None:
        """The screen's height changed: the messages may fold, or unfold, by themselves."""
        if self.fold_state.fit(screen_height):
            self.redraw()

    def toggle_fold(self) -> bool:
        """`m`: the messages in full, or folded; False when there is nothing to fold."""
        if not self.display or not self.fold_state.toggle():
            return False
        self.redraw()
        return True

    def fold(self) -> bool:
        """Escape with nothing else to do: fold the messages drawn in full (False if none were)."""
        if not self.display or not self.fold_state.fold():
            return False
        self.redraw()
        return True

    # -- internals ------------------------------------------------------------------------
    def _tick(self) -> None:
        if self._retry is None and self._tail is None:
            if self._ticker is not None:
                self._ticker.stop()
                self._ticker = None
            return
        self.redraw_countdowns()
        self.post_message(self.Ticked())

    def redraw_countdowns(self) -> None:
        """The countdowns drawn again now: when the status line counts the same wait (at its own
        tick), so that both say the same second (they were a second apart, found in a walk)."""
        if self._retry is not None or self._tail is not None:
            self._refresh()

    def _tail_text(self) -> BannerMessage:
        assert self._tail is not None
        remaining = self._tail.deadline - self._drawn_at
        when = f"polling again in {format_wait(remaining)}" if remaining > 0.5 else "polling again now"
        stay = " · the rows loaded stay" if self._tail.rows_loaded else ""
        now = " · r polls now" if remaining > 0.5 else ""
        return self._error_text(self._tail.error, "live tail", None, f"{when}{stay}{now} · t stops the tail",
                                "error-banner--warn-title", "⚠", short_hint=f"t stops the tail · {when}{stay}")

    def _retry_text(self) -> BannerMessage:
        assert self._retry is not None
        event, context = self._retry.event, self._retry.context
        remaining = self._retry.deadline - self._drawn_at
        error = event.error
        what = "rate limited" if error.status == 429 else clean_line(error.message) if error.answered else \
            f"{error_head(error)}: {clean_line(error.message)}"
        # (the live tail tries until the server answers, its polls' retries counted again at each: "attempt 6/6",
        # read as the last, then "attempt 2/6" again, found in a walk; its retries are not counted out of any)
        attempt = "" if context == "live tail" else f"attempt {event.attempt + 1}/{event.max_attempts}"
        sent = self._drawn_sent
        if remaining > 0.5 or sent is None:  # (due but not sent: the API's budget may hold it back)
            when = f"retrying in {format_wait(remaining)}" if remaining > 0.5 else "retrying now"
            said, keys = ", ".join(part for part in (when, attempt) if part), "Esc cancels the wait · r retries now"
        else:  # the attempt is sent (its read timeout is 30 s): "retrying now · Esc cancels the wait" stood
            # as long, of no wait (s22 walk #10); Esc stops the loading in flight, r sends the request again
            said = " · ".join(part for part in (attempt, f"waiting for the server ({format_wait(sent)})") if part)
            keys = "Esc stops the loading · r asks again"
        title = Text(no_wrap=False, overflow="fold")
        title.append("⟳ ", style=self._partial("error-banner--warn-title"))
        title.append(f"{context}: ", style=self._partial("error-banner--meta"))
        title.append(f"{what} — {said}", style=self._partial("error-banner--warn-title"))
        hint_style = self._partial("error-banner--hint")
        request = f"request {clean_line(error.request_id)}" if error.request_id else None
        hint = Text(f"{request} · {keys}" if request else keys, style=hint_style)
        short = Text(f"{keys} · {request}" if request else keys, style=hint_style)  # (the keys first)
        return BannerMessage((title, hint), ((title, 1), (short, 1)))

    def _error_text(self, error: ApiError, context: str, gave_up: str | None, hint: str,
                    title_class: str, icon: str, short_hint: str | None = None) -> BannerMessage:
        """What failed, why, and what the user can do (`hint`; `short_hint`: its keys first, for the
        folded form, when `hint` does not start with them)."""
        style = self._partial
        title = Text(no_wrap=False, overflow="fold")
        # (an unusable 2xx's message says it all: no status to head it; nor has logview's own verdict)
        head = error_head(error)
        title.append(f"{icon} {context}: {head}" if head and not error.answered else f"{icon} {context}:",
                     style=style(title_class))
        title.append("  " if head and not error.answered else " ")
        title.append(clean_line(error.message), style=style("error-banner--detail"))
        paragraphs = [title]
        if error.detail:
            detail = clean(error.detail)
            if len(detail) > MAX_DETAIL_CHARS:
                detail = detail[:MAX_DETAIL_CHARS] + "…"
            paragraphs.append(Text(detail, style=style("error-banner--detail")))
        meta = []
        if error.request_id:
            meta.append(f"request id {clean_line(error.request_id)}")
        if gave_up:
            meta.append(clean_line(gave_up))
        if self.refused is not None and (refused := self.refused(error)) is not None:
            meta.append(clean_line(refused))
        paragraphs.append(Text(" · ".join([*meta, hint]), style=style("error-banner--meta")))
        # folded: what failed, then the hint (its keys first: `r retries`), the rest cut first
        short = Text(" · ".join([short_hint or hint, *reversed(meta)]), style=style("error-banner--meta"))
        return BannerMessage(tuple(paragraphs), ((title, 1), (short, 1)))

    def _refresh(self) -> None:
        self.display = bool(self._slots)
        if not self._slots:  # (a choice to fold or unfold holds while something is shown)
            self.fold_state.choice = None
        self.set_class("error" in self._slots, "-error")
        self.set_class("error" not in self._slots and ("retry" in self._slots or "tail" in self._slots), "-warn")
        self.set_class(bool(self._slots) and set(self._slots) <= {"notice", "waiting"}, "-notice")
        self._drawn_at = time.monotonic()
        self._drawn_sent = self._sent_for() if self._retry is not None else None
        self.redraw()

    def redraw(self) -> None:
        # (the countdowns as at `_drawn_at`: a restyle, a tab shown, does not move them between
        # their ticks, which the status line's are in step with)
        drawn = tuple(self._slots[s]() for s in SLOTS if s in self._slots)
        fold = (self.fold_state.choice, self.fold_state.room)
        if drawn == self._drawn and (fold == self._drawn_fold or not drawn):
            return  # (each repaint costs a layout: an empty banner cleared, restyled or resized has none)
        self._drawn, self._drawn_fold = drawn, fold
        self.update(BannerLines(drawn, self.fold_state, self._partial("error-banner--hint")))
