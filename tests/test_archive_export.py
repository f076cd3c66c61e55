"""`logview export` through the archive when the API fails part way: the pages fetched before the
failure are archived (they gathered for one transaction; the failure must not drop them), so the
next export does not spend the budget on them again."""

from __future__ import annotations

import os

from logview.archive import Archive, identity_of
from logview.cli.export import Reporter, _export
from logview.demo import DEMO_AITRONOS_KEY, DEMO_ORG, Fault
from logview.files.writer import EntryWriter
from logview.model import Filters
from logview.options import Connection
from logview.sources import AitronosSource


async def test_pages_fetched_before_an_api_failure_are_archived(fresh_server, tmp_path):
    state = fresh_server.state
    state.insert_aitronos(250)

    class FailAfterFirstPage(EntryWriter):
        def write(self, entries):
            super().write(entries)
            state.add_fault(Fault(kind="status", status=403))

    source = AitronosSource(DEMO_ORG, base_url=fresh_server.url)
    with Archive.open() as archive, (tmp_path / "out.jsonl").open("wb") as stream, open(os.devnull, "w") as quiet:
        code = await _export(Connection(source, DEMO_AITRONOS_KEY, "t"), Filters(),
                             FailAfterFirstPage(stream, "jsonl", source), Reporter(quiet, verbose=False), None,
                             archive)
        assert code == 3
        stream.flush()
        written = {line.split(b'"id":"')[1].split(b'"')[0].decode() for line in
                   (tmp_path / "out.jsonl").read_bytes().splitlines()}
        kept = {entry.id for entry in archive.source(identity_of(source)).entries()}
        # the pages answered before the failure, and no more (the first; with prefetch, the second
        # if it was asked for before the fault came)
        answered = [status for _, path, status in state.request_log if "/logs" in path and status == 200]
        assert 1 <= len(answered) <= 2
        newest = {entry["id"] for entry in state.aitronos_logs[:100 * len(answered)]}
        assert written == kept == newest
