"""The archive's writer process (`archive/writer_process.py`, `writer_child.py`): a backfill's pages
go to it as the JSON text of their raw entries, and it must store exactly what the thread stores
(rows, order, spans, where each entry went), end when idle or flushed, fail as one clear `problem`
when it dies, and keep everything it was handed when the viewer itself is killed."""

from __future__ import annotations

import asyncio
import io
import os
import re
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logview.archive import Archive, Retention, Span
from logview.archive import writer as archive_writer
from logview.archive.rows import Rows, page_rows
from logview.archive.writer import PageWriter
from logview.archive.writer_process import process_part
from logview.archive.writer_child import frame, out_of_band, part_rows, read_frame
from logview.archive.writer_process import WriterGone, WriterProcess
from logview.files.jsonl import source_for_kind
from logview.jsonutil import load_json
from logview.times import epoch_us

from archive_support import aitronos_entries, aitronos_identity, supermetrics_entries, supermetrics_identity, told_by_id
from test_archive_rows import KINDS, any_logs, typed
from test_fast_parse import body_of


@pytest.fixture
def always_a_process(monkeypatch):
    """Every page goes to a writer process (not only a backfill's, past PROCESS_AFTER entries)."""
    monkeypatch.setattr(archive_writer, "PROCESS_AFTER", 0)
    started: list[WriterProcess] = []
    start = WriterProcess.start

    async def spied(archived):
        process = await start(archived)
        started.append(process)
        return process

    monkeypatch.setattr(WriterProcess, "start", spied)
    return started


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_the_process_makes_the_rows_the_thread_makes_of_any_page(kind: str, data: st.DataObject) -> None:
    source = source_for_kind(kind)
    entries = source.parse_page(body_of(data.draw(any_logs(kind)))).entries  # as fetched
    identity = aitronos_identity() if kind == "aitronos" else supermetrics_identity()
    with tempfile.TemporaryDirectory() as folder, Archive.open(Path(folder) / "a.sqlite3") as archive:
        archived = archive.source(identity)
        sent = process_part(archived, entries)  # (what crosses the pipe: bytes, or rows orjson refused)
        received = crossed(([out_of_band(sent)], None, "", True))[0][0]  # (its text out of band)
        assert [typed(row) for row in part_rows(archived, received).tuples()] == \
            [typed(row) for row in page_rows(archived._writable_id(), archived.api_source, entries).tuples()]


def crossed(message: object) -> object:
    """`message` as the process reads it from the pipe."""
    return read_frame(io.BytesIO(b"".join(map(bytes, frame(message)))))


@pytest.mark.parametrize("part", [b'[{"id":"a"}]', (b'[{"id":"a"},{"id":"b"}]', [1, 2]), Rows.of([(1, "a")])])
def test_a_frame_carries_a_pages_text_out_of_band_and_one_cut_short_reads_as_the_end(part) -> None:
    """(the text as it is, not copied into the pickle; a viewer killed mid-write leaves a frame cut
    short, which the process takes for the end of its input: it stores nothing of it)"""
    message = ([out_of_band(part), out_of_band(part)], Span(1, 2), "q", True)
    pieces = frame(message)
    assert len(pieces) == (1 if isinstance(part, Rows) else 3)  # (the pickle, then each text as it is)
    got = crossed(message)
    texts = [one if isinstance(one, bytes) else one[0] for one in got[0] if not isinstance(one, Rows)]
    assert all(type(text) is bytes for text in texts) and got[1:] == message[1:]
    assert plain(got[0]) == plain([part, part])
    whole = b"".join(map(bytes, pieces))
    assert all(read_frame(io.BytesIO(whole[:end])) is None for end in range(len(whole)))
    stream = io.BytesIO(whole + b"".join(map(bytes, frame(({}, None)))))
    assert plain(read_frame(stream)[0]) == plain(got[0])
    assert read_frame(stream) == ({}, None) and read_frame(stream) is None


def plain(parts: list) -> list:
    return [part.columns if isinstance(part, Rows) else part for part in parts]


async def test_a_backfill_stored_by_the_process_is_what_the_thread_stores(always_a_process):
    entries = aitronos_entries(2_350)
    top = epoch_us(entries[0].time)
    with Archive.open() as archive:
        stored = archive.source(aitronos_identity())
        said: list = []
        writer = PageWriter(stored, "q", on_archived=lambda *word: said.append(word))
        pages = {}
        for start in range(0, len(entries), 100):
            page = entries[start:start + 100]
            pages[writer.store(page, Span(epoch_us(page[-1].time) + 1, top))] = [e.id for e in page]
            await writer.room()
        await writer.flush()
        assert writer.problem is None and len(always_a_process) == 1 and always_a_process[0] is not None
        assert [entry.id for entry in stored.entries()] == [entry.id for entry in entries]
        assert [entry.raw for entry in stored.entries()] == [entry.raw for entry in entries]
        assert stored.coverage("q") == [Span(epoch_us(entries[-1].time) + 1, top)]
        told = told_by_id(said, pages)
        assert set(told) == {entry.id for entry in entries}
        assert all(load_json(stored.raw([rowid])[0])["id"] == entry_id for entry_id, rowid in told.items())
        assert always_a_process[0]._process.returncode == 0  # a flush ends it


async def test_a_number_orjson_refuses_reaches_the_archive_as_written(always_a_process):
    source = source_for_kind("aitronos")
    body = body_of([{"id": "big", "created_at": "2025-11-15T09:00:00Z", "status": "success", "cost": 1},
                    {"id": "plain", "created_at": "2025-11-15T08:00:00Z", "status": "success"}])
    body = body.replace(b'"cost": 1', b'"cost": 1e400')
    entries = source.parse_page(body).entries
    with Archive.open() as archive:
        stored = archive.source(aitronos_identity())
        writer = PageWriter(stored, "")
        writer.store(entries, None)
        await writer.flush()
        assert writer.problem is None and always_a_process[0] is not None
        assert b'"cost":1e400' in stored.raw(list(stored.rowids(["big"]).values()))[0]


async def test_a_process_with_nothing_to_do_ends_and_small_pages_go_to_the_thread_again(monkeypatch):
    monkeypatch.setattr(archive_writer, "PROCESS_AFTER", 300)
    monkeypatch.setattr(archive_writer, "IDLE_S", 0.05)
    entries = aitronos_entries(900)
    with Archive.open(retention=Retention(max_entries=500)) as archive:
        stored = archive.source(aitronos_identity())
        writer = PageWriter(stored, "")
        for start in range(0, 400, 100):  # past PROCESS_AFTER: the last page goes to a process
            writer.store(entries[start:start + 100], None)
        starting = writer._starting
        assert starting is not None
        await writer._writing
        process = await starting
        assert process is not None
        await asyncio.wait_for(process.ended(), 5)  # idle for IDLE_S
        assert writer._starting is None
        writer.store(entries[400:500], None)
        writer.store(entries[500:600], None)
        await writer.flush()
        assert writer._starting is None  # (the thread: under PROCESS_AFTER again)
        assert writer.problem is None and stored.count() == 500  # the retention counted the process's


async def test_a_writer_process_that_dies_is_one_problem_and_no_error_on_the_loop(always_a_process):
    errors: list[dict] = []
    asyncio.get_running_loop().set_exception_handler(lambda loop, context: errors.append(context))
    entries = aitronos_entries(3_000)
    with Archive.open() as archive:
        stored = archive.source(aitronos_identity())
        writer = PageWriter(stored, "")
        writer.store(entries[:100], None)
        await writer._writing
        process = await writer._starting
        os.kill(process._process.pid, signal.SIGKILL)
        for start in range(100, 3_000, 100):
            writer.store(entries[start:start + 100], None)
            await writer.room()
        await asyncio.wait_for(writer.flush(), 10)
        assert writer.problem == "the archive's writer process ended unexpectedly (killed by SIGKILL)"
        assert stored.count() < 3_000 and errors == []


def test_the_process_is_out_of_reach_of_the_terminals_ctrl_c(tmp_path):
    """Ctrl-C goes to the terminal's foreground process group: the viewer handles it (and flushes
    through the process), which must not be cut short by the same signal."""
    async def pid_and_session() -> tuple[int, int]:
        with Archive.open(tmp_path / "a.sqlite3") as archive:
            process = await WriterProcess.start(archive.source(aitronos_identity()))
            assert process is not None
            pid = process._process.pid
            session = os.getsid(pid)
            process.close()
            await process.ended()
            return pid, session

    pid, session = asyncio.run(pid_and_session())
    assert session == pid != os.getsid(0)


KILLED_VIEWER = textwrap.dedent("""
    import asyncio, sys
    from pathlib import Path
    sys.path.insert(0, {tests!r})
    from logview.archive import Archive, Span, writer
    from logview.archive.writer import PageWriter
    from logview.times import epoch_us
    from archive_support import aitronos_entries, aitronos_identity
    writer.PROCESS_AFTER = 0

    async def main():
        entries = aitronos_entries(20_000)
        top = epoch_us(entries[0].time)
        with Archive.open(Path({path!r})) as archive:
            page_writer = PageWriter(archive.source(aitronos_identity()), "",
                                     on_archived=lambda tickets, rowids: print("answered", len(rowids), flush=True))
            for start in range(0, len(entries), 100):
                page = entries[start:start + 100]
                page_writer.store(page, Span(epoch_us(page[-1].time) + 1, top))
                await page_writer.room()
                if start == 0:
                    await page_writer._writing
                    print("child", (await page_writer._starting)._process.pid, flush=True)
            await asyncio.sleep(60)

    asyncio.run(main())
""")


def test_kill_9_of_the_viewer_leaves_the_process_to_commit_what_it_read_and_exit(tmp_path):
    path = tmp_path / "a.sqlite3"
    script = KILLED_VIEWER.format(tests=str(Path(__file__).parent), path=str(path))
    viewer = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert viewer.stdout is not None
    child = int(viewer.stdout.readline().split()[1])
    answered = 0
    while answered < 3_000:
        answered += int(viewer.stdout.readline().split()[1])
    viewer.kill()
    viewer.wait()
    deadline = time.monotonic() + 15
    while Path(f"/proc/{child}").exists() and _state(child) != "Z" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not Path(f"/proc/{child}").exists() or _state(child) == "Z"  # it ended by itself
    with Archive.open(path) as archive:
        assert archive._database.connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        stored = archive.source(aitronos_identity())
        entries = aitronos_entries(20_000)
        count = stored.count()
        assert count >= answered
        assert {entry.id for entry in stored.entries()} == {entry.id for entry in entries[:count]}
        spans = stored.coverage()
        assert spans and spans[0].start_us == epoch_us(entries[count - 1].time) + 1  # no span without its entries


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


async def test_a_read_only_archive_starts_no_process_and_is_the_writers_problem(always_a_process):
    with Archive.open() as archive:
        archive.source(aitronos_identity())  # the source's row is there: only writing is refused
    with Archive.open(readonly=True) as archive:
        stored = archive.source(aitronos_identity())
        writer = PageWriter(stored, "")
        writer.store(aitronos_entries(300), Span(1, 2))
        await writer.flush()
        assert always_a_process == [None]
        assert writer.problem is not None and "read-only" in writer.problem
    with Archive.open() as archive:
        assert archive.source(aitronos_identity()).count() == 0 and archive.source(aitronos_identity()).coverage() == []


async def test_a_backfill_paced_by_the_apis_budget_stays_in_the_thread(monkeypatch):
    """100 Aitronos entries a page, a page every 0.6 s (100 requests a minute): the thread keeps up,
    and a process would hold its memory the whole backfill long. At the network's pace, one starts."""
    monkeypatch.setattr(archive_writer, "PROCESS_WINDOW_S", 0.2)  # (the window, compressed as the pace)
    entries = aitronos_entries(4_500)
    with Archive.open() as archive:
        writer = PageWriter(archive.source(aitronos_identity()), "")
        for start in range(0, 2_500, 100):
            writer.store(entries[start:start + 100], None)
            await asyncio.sleep(0.03)  # 25 pages, a window's ~700 entries at most: no process
        assert writer._starting is None
        await asyncio.sleep(0.25)
        for start in range(2_500, 4_500, 100):
            writer.store(entries[start:start + 100], None)  # 2,000 at once, within the window: a process
        assert writer._starting is not None
        await writer.flush()
        assert writer.problem is None and archive.source(aitronos_identity()).count() == 4_500


def test_the_process_holds_no_key_from_the_viewers_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("FREDDY_API_KEY", "sk-never-in-the-writer")
    monkeypatch.setenv("MY_PROFILE_KEY", "sk-nor-this-one")

    async def environment_of_the_process() -> bytes:
        with Archive.open(tmp_path / "a.sqlite3") as archive:
            process = await WriterProcess.start(archive.source(aitronos_identity()))
            assert process is not None
            environ, deadline = b"", time.monotonic() + 10
            while not environ and time.monotonic() < deadline:  # (empty while the process is still being exec'd:
                environ = Path(f"/proc/{process._process.pid}/environ").read_bytes()  # read so under load)
                if not environ:
                    await asyncio.sleep(0.02)
            process.close()
            await process.ended()
            return environ

    environ = asyncio.run(environment_of_the_process())
    names = sorted(item.split(b"=", 1)[0].decode() for item in environ.split(b"\0") if item)
    assert b"PATH=" in environ, names  # (the process's own environment was read, not an empty one)
    assert b"sk-never-in-the-writer" not in environ and b"sk-nor-this-one" not in environ, names
    assert b"FREDDY_API_KEY" not in environ and b"MY_PROFILE_KEY" not in environ, names


async def test_the_process_leaves_the_wal_to_grow_and_the_viewer_checkpoints_it_once_it_has_ended(always_a_process):
    """(a commit in ten copied the WAL into the file: ~0.1 s of the writer's time per 100k, which
    a loopback backfill waits for)"""
    entries = aitronos_entries(16_000)
    with Archive.open() as archive:
        stored = archive.source(aitronos_identity())
        writer = PageWriter(stored, "q")
        for start in range(0, len(entries), 1_000):
            writer.store(entries[start:start + 1_000], None)
            await writer.room()
        while writer._answers and not all(answer.done() for answer in writer._answers):
            await asyncio.sleep(0.01)
        wal = Path(f"{archive.path}-wal")
        assert wal.stat().st_size > 1_000 * 4_096  # (SQLite's default: a checkpoint past 1,000 pages)
        assert archive.path.stat().st_size < 1 << 20  # (nothing copied into the file yet)
        await writer.flush()
        assert writer.checkpointing is not None
        await writer.checkpointing
        assert archive.path.stat().st_size > 4 << 20  # (copied: readers find the entries in the file)
        assert not wal.exists() or wal.stat().st_size == 0  # (and the WAL's tens of MB given back)
        assert sum(1 for _ in stored.entries()) == len(entries)


async def test_the_process_is_handed_several_transactions_to_go_on_with_while_the_loop_is_busy(always_a_process):
    """(two at a time, it waited idle while the viewer showed a batch, ~0.1 s twice in a load of 100k)"""
    entries = aitronos_entries(9_000)
    with Archive.open() as archive:
        stored = archive.source(aitronos_identity())
        writer = PageWriter(stored, "q")
        writer.store(entries[:1_000], None)
        while not always_a_process:
            await asyncio.sleep(0.01)
        pid = always_a_process[0]._process.pid
        os.kill(pid, signal.SIGSTOP)  # (a process busy with what it holds)
        try:
            for start in range(1_000, len(entries), 1_000):
                writer.store(entries[start:start + 1_000], None)
            deadline = time.monotonic() + 10
            while sum(not answer.done() for answer in writer._answers) < 8 and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            assert sum(not answer.done() for answer in writer._answers) == 8  # (IN_FLIGHT)
        finally:
            os.kill(pid, signal.SIGCONT)
        await writer.flush()
        assert writer.problem is None and stored.count() == len(entries)


# A process in the writer's place that, once handed something, answers with `frame` and stays:
# what the viewer reads is not an answer, so it must give up on every transaction and end it.
NOT_AN_ANSWER = {
    "UnpicklingError": b"\x02\x00\x00\x00\x00\x00\x00\x00\xff\xff",  # (2 bytes of pickle that are none)
    "TypeError": b"".join(map(bytes, frame(7))),  # (a pickle, not the pair an answer is)
}


async def a_process_answering(answer: bytes) -> asyncio.subprocess.Process:
    script = f"import sys, time; sys.stdin.buffer.read(1); sys.stdout.buffer.write({answer!r}); sys.stdout.flush(); time.sleep(60)"
    return await asyncio.create_subprocess_exec(sys.executable, "-c", script, stdin=subprocess.PIPE,
                                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)


@pytest.mark.parametrize("error", ["UnpicklingError", "TypeError"])
async def test_an_answer_that_cannot_be_read_fails_every_transaction_at_once_and_ends_the_process(error):
    process = WriterProcess(await a_process_answering(NOT_AN_ANSWER[error]))
    answers = [process.submit([b'[{"id":"a"}]'], None, "", False) for _ in range(3)]
    failures = await asyncio.wait_for(asyncio.gather(*answers, return_exceptions=True), 5)
    said = f"the archive's writer process sent an answer that could not be read ({error})"
    assert [str(failure) for failure in failures] == [said] * 3
    await asyncio.wait_for(process.ended(), 5)
    assert process._process.returncode == -signal.SIGKILL
    with pytest.raises(WriterGone, match=re.escape(said)):
        await process.submit([b"[]"], None, "", False)


async def test_the_viewer_goes_on_without_the_archive_when_the_processs_answers_cannot_be_read(monkeypatch):
    errors: list[dict] = []
    asyncio.get_running_loop().set_exception_handler(lambda loop, context: errors.append(context))
    monkeypatch.setattr(archive_writer, "PROCESS_AFTER", 0)

    async def a_bad_writer(archived):
        return WriterProcess(await a_process_answering(NOT_AN_ANSWER["UnpicklingError"]))

    monkeypatch.setattr(WriterProcess, "start", a_bad_writer)
    entries = aitronos_entries(1_000)
    with Archive.open() as archive:
        writer = PageWriter(archive.source(aitronos_identity()), "")
        for start in range(0, 1_000, 100):
            writer.store(entries[start:start + 100], None)
            await asyncio.wait_for(writer.room(), 5)
        await asyncio.wait_for(writer.flush(), 5)
        assert writer.problem == "the archive's writer process sent an answer that could not be read (UnpicklingError)"
        assert errors == []


async def test_pages_for_the_process_wait_as_their_text_in_the_backlog_not_as_rows(always_a_process):
    """A page handed to the writer process waits as its JSON text and times (~0.2 KB a Supermetrics
    entry), not as rows (a few KB an entry): counted as rows, the fetch waited for the process at
    4,000 entries, mostly while it started (0.04-0.06 s per 100k from the loopback demo)."""
    import orjson

    source = source_for_kind("supermetrics")
    raws = [entry.raw for entry in supermetrics_entries(6_000)]
    pages = [source.parse_page(orjson.dumps({"logs": raws[start:start + 1_000]})).entries
             for start in range(0, len(raws), 1_000)]
    with Archive.open() as archive:
        stored = archive.source(supermetrics_identity())
        writer = PageWriter(stored, "")
        for page in pages:
            writer.store(page, None)
        assert writer._held == 6_000 * archive_writer.ROW_BYTES > archive_writer.BACKLOG_BYTES  # (not made ready yet)
        await asyncio.sleep(0)  # (each made ready on the loop, the process still starting)
        parts = [process_part(stored, page) for page in pages]
        assert all(isinstance(part, tuple) for part in parts)  # (typed pages: their texts and times)
        assert writer._held == sum(len(text) + 8 * len(times) for text, times in parts) < archive_writer.BACKLOG_BYTES
        await asyncio.wait_for(writer.room(), 0.01)  # (the fetch goes on)
        await writer.flush()
        assert writer.problem is None and stored.count() == 6_000 and len(always_a_process) == 1
