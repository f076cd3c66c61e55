"""The WAL's checkpoint after a writer process (`Database.checkpoint`, run in a thread once the
process has ended) and the viewer's own reads of the archive, on the event loop."""

from __future__ import annotations

import threading
from pathlib import Path

from logview.archive import Archive

from archive_support import supermetrics_entries, supermetrics_identity


def test_the_checkpoint_after_a_backfill_never_holds_up_the_viewers_reads(tmp_path):
    """The checkpoint copied the WAL into the file holding the lock of the connection the event
    loop reads through (~0.13 s for 100k entries): a read of the archive meanwhile (a new query's)
    waited for it. It has a connection of its own: it ends, and empties the WAL, while a read
    holds the viewer's connection."""
    entries = supermetrics_entries(6_000)
    with Archive.open(tmp_path / "a.sqlite3") as archive:
        archive.store_in_bulk()  # (the WAL left to grow, as the writer process leaves it)
        stored = archive.source(supermetrics_identity())
        for start in range(0, len(entries), 1_000):
            stored.store(entries[start:start + 1_000])
        wal = Path(f"{archive.path}-wal")
        assert wal.stat().st_size > 1 << 20
        database = stored._database
        done = threading.Event()
        with database.reading():  # (a read on the loop, under way)
            checkpoint = threading.Thread(target=lambda: (stored.checkpoint(), done.set()), daemon=True)
            checkpoint.start()
            ended = done.wait(20)  # (waiting for the read's lock, it never would while the read lasts)
        checkpoint.join()
        assert ended, "the checkpoint waited for the viewer's read"
        assert not wal.exists() or wal.stat().st_size == 0  # (the WAL's megabytes given back)
        assert archive.path.stat().st_size > 1 << 20  # (copied into the file)
        assert stored.count() == len(entries)
