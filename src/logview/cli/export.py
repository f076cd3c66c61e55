"""`logview export`: entries to stdout or a file, messages to stderr.

JSONL carries each entry exactly as the API returned it; CSV the source's known columns. Every
page is flushed as it is written, so whatever was fetched before a failure or Ctrl-C stays written;
an `--output` file appears only with its first entries (or at a good end), so a failure before
any leaves no empty file.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import ExitStack, aclosing, asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, TextIO

from logview.api.types import (BudgetState, RequestRecord, RetryEvent, RetryPolicy, done_in, format_wait, no_answer,
                               pages_left)
from logview.model import ApiFailure, Filters, counted
from logview.sanitize import clean
from logview.options import Connection
from logview.api.contract import ContractBroken
from logview.api.paging import BackfillDone, EntriesLoaded, Notice, Pager, PagerEvent
from logview.archive import Archive, identity_of
from logview.archive.sync import ArchivedPager
from logview.cli.not_kept import NotKept
from logview.cli.output import (STDOUT, output_name, parts_fitted, terminal_columns, what_was_written, words_fitted,
                               writing)
from logview.files.writer import EntryWriter, OutputFile
from logview.sources.base import Source
from logview.sources.supermetrics import SupermetricsSource
from logview.times import epoch_us, format_api_time, from_epoch_us

if TYPE_CHECKING:
    from logview.api.client import ApiClient

EXIT_OK, EXIT_USAGE, EXIT_API = 0, 2, 3
NO_ANSWER_EVERY_S = 10.0  # with -v, a request still unanswered is said again this often (one line)
TICK_S = 1.0  # a wait for the budget counts down on the progress line (a terminal's) this often
BUDGET_SAID_AFTER_S = 1.0  # the budget is said once its pace has held the requests back this long, all told
CLEAR = "\r\x1b[K"  # back to the line's start, and erase it: the progress line is drawn anew


class Reporter:
    """Messages on stderr: a live progress line on a terminal, request lines with -v."""

    def __init__(self, stream: TextIO, *, verbose: bool, live: bool | None = None) -> None:
        self._stream: TextIO | None = stream
        self._verbose = verbose
        self._live = stream.isatty() if live is None else live  # a progress line (on a terminal)
        self._line_open = False
        self._frame = ""  # the progress line as last drawn: drawn again below a message
        self.last: EntriesLoaded | None = None  # the backfill's latest progress
        self.estimate: Callable[[], float | None] = lambda: None  # when it will be done (`follow_budget`)
        self._budget_now: Callable[[], BudgetState | None] = lambda: None  # the budget as it is now
        self._ticking: asyncio.Task | None = None  # the countdown of a wait for the budget
        # the budget has bound this export (held a request, or been spent): its words stay on the progress line
        self._bound = False
        self._eta_said = False  # -v has said when the export will be done (see `_paced`)

    def follow_budget(self, client: ApiClient, source: Source, max_entries: int | None) -> None:
        """What a wait for `client`'s budget says: when the backfill will be done, and (on a
        terminal) the wait counting down."""
        self.estimate = lambda: backfill_eta(client, source, self.last, max_entries)
        self._budget_now = lambda: None if client.budget is None else client.budget.state()

    def _say(self, text: str, *, progress_after: bool = True, parts: Sequence[str] = ()) -> None:
        """A message line (broken between `parts` where given, else between words); the progress line is
        cleared for it (ended with a newline, every frame stayed in the scrollback: up to 3 lines a page
        with -v, found in a walk) and, unless the message ends the run, drawn again below it."""
        self._stop_counting()
        frame = self._frame if self._line_open and progress_after else ""
        columns = self._columns()  # (a server's text in it: inert)
        said = "\n".join(parts_fitted([clean(part) for part in parts], columns, separator=" ") if parts
                         else words_fitted(clean(text), columns))
        self._write(f"{CLEAR if self._line_open else ''}{said}\n{frame}")
        self._line_open = bool(frame) and self._stream is not None

    def _columns(self) -> int | None:
        """How wide the terminal the messages go to is, now (None: not a terminal): a message is broken
        between its words to fit it, never inside a URL or a path where the terminal's edge falls."""
        return None if self._stream is None else terminal_columns(self._stream)

    def _write(self, text: str) -> None:
        """Messages only: a stderr that cannot take them (closed by `2>&1 | head -1`) stops them,
        never the export, whose data goes elsewhere."""
        if self._stream is None:
            return
        try:
            self._stream.write(text)
            self._stream.flush()
        except (OSError, ValueError):  # (ValueError: a closed file object)
            self._stream = None

    def end(self, *, keep: bool = True) -> None:
        """However it ends (Ctrl-C too): the progress line is ended (`keep`: how far it came stays
        on screen) or cleared, so what follows starts a line."""
        self._stop_counting()
        if self._line_open:
            self._line_open = False
            self._write("\n" if keep else CLEAR)

    def clear_for_output(self) -> None:
        """Entries go to the terminal this line is on: cleared for them, drawn again below (each page's
        first entry followed it on its row, `100 of 3,007 entries, 1 page{"id":…`: found in a walk)."""
        if self._line_open:
            self._stop_counting()
            self._write(CLEAR)
            self._line_open = False

    def request(self, record: RequestRecord) -> None:
        if self._verbose:
            status = record.status if record.status is not None else "-"
            outcome = "" if record.outcome == "ok" else f" {record.outcome}"
            # (in two parts: "GET" alone on a row, its target on the next and "(62" / "ms)" broken apart, as
            # words, at 80 columns: found in a walk; a target wider than the terminal is wrapped by it)
            self._say("", parts=[f"{record.method} {record.target}",
                                 f"→ {status}{outcome} ({record.elapsed_s * 1000:.0f} ms)"])

    def budget(self, state: BudgetState) -> None:
        """A request waits for the API budget (more than a second): a line with -v; on a
        terminal, on the progress line too, counting down until the request goes (it stood still
        for seconds: "resets in 11 s", found in a walk)."""
        said = self._budget_words(state)
        if self._verbose:
            self._say(f"logview: {said}")
        if self._live and self.last is not None:
            self._progress_line(self.last, f" · {said}")
            if self._ticking is None and _running():
                self._ticking = asyncio.get_running_loop().create_task(self._count_down(self.last))

    async def _count_down(self, last: EntriesLoaded) -> None:
        while True:
            await asyncio.sleep(TICK_S)
            state = self._budget_now()
            waits = state is not None and (state.waiting or state.live_waits or state.blocked_s > 0)
            self._progress_line(last, f" · {self._budget_words(state)}" if waits else "")
            if not waits:  # (the request has gone: the line says what has come)
                self._ticking = None
                return

    async def watch_answers(self, client: ApiClient) -> None:
        """A request sent without an answer is said, as the viewer's status line says it: with -v a
        line when it is first long (NO_ANSWER_SAID_S) and every NO_ANSWER_EVERY_S after; on a
        terminal, on the progress line, counting up (it stood still for the 30 s of a read timeout)."""
        said_at = 0.0  # how long the wait was when last said on a line (0: not said)
        while True:
            await asyncio.sleep(TICK_S)
            waited = client.unanswered_s()
            if waited is None:
                said_at = 0.0
                continue
            if self._verbose and (not said_at or waited - said_at >= NO_ANSWER_EVERY_S):
                said_at = waited
                self._say(f"logview: {no_answer(waited)}")
            if self._live and self.last is not None and self._ticking is None:
                self._progress_line(self.last, f" · {no_answer(waited)}")

    def _stop_counting(self) -> None:
        if self._ticking is not None:
            self._ticking.cancel()
            self._ticking = None

    def _budget_words(self, state: BudgetState, done: str | None = None) -> str:
        """`API budget 7/10 · resets in 5 s · done in ~10 s`: the budget, and when the export will be done
        (`done`: those words already made, `done_in`)."""
        return f"{state.describe()}{done_in(self.estimate()) if done is None else done}"

    def progress(self, event: EntriesLoaded) -> None:
        self.last = event
        self._stop_counting()
        if self._live or (self._verbose and not self._eta_said):  # (else nothing would say the pace: not worked out)
            paced = self._paced()
            if self._live:
                self._progress_line(event, paced)

    def _paced(self) -> str:
        """The budget's words and when the export will be done, once the budget binds (` · API budget
        3/10 · resets in 2 s · done in ~8 s`), said once with -v. A budget that paced the requests a
        fraction of a second each, never a wait worth a line of its own, made 3,000 entries take 11 s
        where they come in 1 without a word of why (found in a walk). Said once more with -v when it
        first can say when the export will be done: a server whose limit is not the published one has
        no known window until a reset shows it, and -v said the budget without ever saying when (s39)."""
        state = self._budget_now()
        if state is None or not (self._bound or state.binds or state.held_s >= BUDGET_SAID_AFTER_S):
            return ""
        eta = done_in(self.estimate())
        said = self._budget_words(state, eta)
        if self._verbose and (not self._bound or (eta and not self._eta_said)):
            self._say(f"logview: {said}")
            self._eta_said = bool(eta)
        self._bound = True
        return f" · {said}"

    def _progress_line(self, event: EntriesLoaded, waits: str) -> None:
        # (no total yet, or none at all: the count alone, not "N of N" while much is still to come)
        # (past a server's total, the count alone, and the total said as what it was: "700 of 382")
        entries = (f"{counted(event.loaded, 'entry', 'entries')} so far" if event.total is None
                   else f"{event.loaded:,} of {counted(event.total, 'entry', 'entries')}" if event.loaded <= event.total
                   else f"{counted(event.loaded, 'entry', 'entries')} so far, more than the server's total of "
                        f"{event.total:,}")
        self._draw(f"{entries}, {counted(event.pages, 'page', 'pages')}{waits}")

    def _draw(self, frame: str) -> None:
        # (one row, cut at the terminal's edge: a line the terminal wrapped left its first rows behind at
        # each redraw, which erases only the row it is on)
        columns = self._columns()
        self._frame = frame if columns is None or len(frame) < columns else frame[:max(columns - 2, 0)] + "…"
        self._write(f"{CLEAR}{self._frame}")
        self._line_open = self._stream is not None

    def frame(self, text: str) -> None:
        """On a terminal, a progress line in the caller's words (how far a file's export has got)."""
        if self._live:
            self._stop_counting()
            self._draw(text)

    def retry(self, event: RetryEvent) -> None:
        self._say(f"logview: {event.describe()}")

    def notice(self, event: Notice) -> None:
        self._say(f"logview: {event.message}")

    def done(self, event: BackfillDone, from_archive: int = 0) -> None:
        pages = counted(event.pages, "page", "pages")
        archived = f" ({from_archive:,} from the archive)" if from_archive else ""
        self.closing(f"logview: {counted(event.loaded, 'entry', 'entries')} in {pages}{archived}")

    def closing(self, text: str) -> None:
        """The line that ends an export, on a terminal or with -v (`logview: 0 entries in 1 page`)."""
        if self._live or self._verbose:
            self._say(text, progress_after=False)
        else:
            self.end()

    def tell(self, event: PagerEvent, from_archive: int = 0) -> None:
        """What a pager's event says: progress, a retry, a notice, the end."""
        if isinstance(event, EntriesLoaded):
            self.progress(event)
        elif isinstance(event, RetryEvent):
            self.retry(event)
        elif isinstance(event, Notice):
            self.notice(event)
        elif isinstance(event, BackfillDone):
            self.done(event, from_archive)

    def failure(self, message: str, detail: str | None) -> None:
        self._say(f"logview: {message}", progress_after=False)
        if detail:
            self._say(f"  {detail}", progress_after=False)


def _running() -> bool:
    """Whether an event loop runs here (the client's, which tells of its waits from it)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


async def _export(connection: Connection, filters: Filters, writer: EntryWriter, reporter: Reporter,
                  max_entries: int | None, archive: Archive | None = None, output_name: str = STDOUT,
                  not_kept: NotKept | None = None) -> int:
    client = connection.client(policy=RetryPolicy(), on_request=reporter.request, on_budget_wait=reporter.budget)
    if isinstance(connection.source, SupermetricsSource):
        connection.source.typed_pages = False  # (every raw value is written: see `typed_pages`)
    identity = identity_of(connection.source) if archive is not None else None
    reporter.follow_budget(client, connection.source, max_entries)
    watching = asyncio.get_running_loop().create_task(reporter.watch_answers(client))
    async with client, _stopped_after(watching):
        pager: Pager | ArchivedPager
        if archive is None or identity is None:
            pager = Pager(connection.source, client, filters, max_entries=max_entries)
        else:  # the archived spans are written from disk, in order; only the gaps are fetched
            pager = ArchivedPager(connection.source, client, filters, archive.source(identity),
                                  max_entries=max_entries, paint_first=False)
        try:
            # closed here on any way out (the reader of stdout gone too), so that what the
            # archive was given is stored before the client closes
            async with aclosing(pager.backfill()) as events:
                async for event in events:
                    if isinstance(event, EntriesLoaded):
                        if writer.on_terminal:
                            reporter.clear_for_output()
                        with writing(output_name):
                            writer.write(event.entries)
                        if not_kept is not None:
                            not_kept.see(event.entries)
                    reporter.tell(event, pager.count.from_archive if isinstance(pager, ArchivedPager) else 0)
        except ApiFailure as failure:  # (an ArchivedPager has archived the pages fetched before it)
            # (an envelope's detail is in the sentence; a broken contract's, what it corrected before, follows it)
            detail = failure.error.detail if isinstance(failure, ContractBroken) else None
            reporter.failure(client.redact(failure.describe()), client.redact(detail) if detail else None)
            if (refused := connection.refused(failure.error)) is not None:
                reporter.failure(refused, None)
            wait = failure.error.retry_after
            if isinstance(pager, ArchivedPager) and wait is not None and wait > (client.policy.max_wait_s or wait):
                # (what to do, when it is only time: "514 s, longer than logview waits" left it to guess, s29 walk 2 #3)
                reporter.failure(f"run it again in ~{format_wait(wait)}: the pages that came are archived, "
                                 "and only the rest is fetched", None)
            # (after a long wait's too: it said when to run it again, not what the archive answers now; found in a walk)
            if isinstance(pager, ArchivedPager) and not writer.written and (through := _archived_through(pager, filters)):
                reporter.failure(f"the archive holds this source's entries through {through}: "
                                 f"--until {through} exports them without asking the API", None)
            return EXIT_API
    return EXIT_OK


def _archived_through(pager: ArchivedPager, filters: Filters) -> str | None:
    """Until when the archive alone answers an open-ended export (the API out of reach: offline, a
    server down), its `--until` as typed; None if the archive does not hold the range's start."""
    if filters.until is not None:
        return None
    since_us = epoch_us(filters.since)
    ends = [span.end_us for span in pager.archived.coverage_within(pager.key, since_us, None)
            if span.start_us is None or (since_us is not None and span.start_us <= since_us)]
    return format_api_time(from_epoch_us(max(ends))).replace(".000Z", "Z") if ends else None


@asynccontextmanager
async def _stopped_after(task: asyncio.Task) -> AsyncIterator[None]:
    try:
        yield
    finally:
        task.cancel()


def backfill_eta(client: ApiClient, source: Source, last: EntriesLoaded | None,
                  max_entries: int | None) -> float | None:
    """When the budget lets the backfill finish, as the viewer's status line says it."""
    pages = pages_left(last.total, last.loaded, source.page_limit, max_entries) if last is not None else None
    return client.budget.estimates.eta_s(pages) if pages and client.budget is not None else None


class CannotWrite(Exception):
    """The output file cannot be created: exit 2 before anything is fetched."""


def _open_output(stack: ExitStack, output: Path | None) -> tuple[BinaryIO, Callable[[], None]]:
    """The stream to write to, and what makes the output appear under its name (see OutputFile)."""
    if output is None:
        return sys.stdout.buffer, lambda: None
    try:
        file = stack.enter_context(OutputFile(output))
    except OSError as error:
        raise CannotWrite(f"cannot write {output}: {error.strerror or error}") from None
    return file.stream, file.publish


def _cannot_write(error: CannotWrite) -> int:
    print(f"logview: {error}", file=sys.stderr)
    return EXIT_USAGE


def _quiet_broken_pipe() -> int:
    """The reader went away (`| head`): stop quietly, and stop Python complaining at exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return EXIT_OK


def export_connection(connection: Connection, filters: Filters, *, fmt: str, output: Path | None,
                      verbose: bool, max_entries: int | None, archive: Archive | None = None) -> int:
    reporter = Reporter(sys.stderr, verbose=verbose)
    not_kept = NotKept(archive.retention) if archive is not None else None
    with ExitStack() as stack:
        try:
            stream, publish = _open_output(stack, output)
        except CannotWrite as error:
            return _cannot_write(error)
        with writing(output_name(output)):  # (a CSV's header is written at once)
            writer = EntryWriter(stream, fmt, connection.source, on_first_entries=publish)
        try:
            code = asyncio.run(_export(connection, filters, writer, reporter, max_entries, archive,
                                       output_name(output), not_kept))
            if not_kept is not None:
                not_kept.say()
            if code == EXIT_OK:
                with writing(output_name(output)):
                    publish()  # no entries matched: an empty file (a CSV header) says so
            elif writer.written:  # (stopped midway by the API or its budget: a script logging stderr must learn it)
                reporter.failure(what_was_written(output, writer.written), None)
            say_fieldless(writer.fieldless, "entry", "entries")
            return code
        except BrokenPipeError:
            return _quiet_broken_pipe()
        except KeyboardInterrupt:  # (Ctrl-C, SIGTERM): whoever reads only the output must learn it is cut
            raise KeyboardInterrupt(what_was_written(output, writer.written, writer.in_flight)) from None
        finally:
            reporter.end()
    return EXIT_OK  # pragma: no cover


def say_fieldless(fieldless: int, noun: str, plural: str) -> None:
    """What a CSV left out: an entry that is not a JSON object has no column to fill (a row of
    empty cells said nothing, s21 walk #11); JSONL keeps it."""
    if fieldless:
        print(f"logview: {counted(fieldless, noun, plural)} left out of the CSV, with none of its columns "
              "(not JSON objects, or nested too deep to read); --format jsonl keeps them", file=sys.stderr)
