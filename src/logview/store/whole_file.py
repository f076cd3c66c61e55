"""A whole file read into a store, as the viewer reads it, without the viewer: `logview export --file`.

The lines are indexed (`files/lines.scan_lines`, or the child a big file's reading forked: the
command line starts it, `files/early.begin`), then their filter columns read at the offsets found
(`files/columns_pass.read_columns`: the child reads the back of a big file on the other core), and
the rows put newest first (or left in file order); a `FilteredView` over the store then picks the rows, and their lines
are written (`files/writer.write_lines`), as the viewer's `s` writes them: JSONL copies their bytes,
a CSV parses the lines it writes into entries (every line was parsed into one, ~35 times the viewer's
save, s28 walk #2).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from logview.files import early
from logview.files.columns import ColumnReader
from logview.files.columns_pass import read_columns
from logview.files.lines import LineFile
from logview.sources.base import Source
from logview.store.entries import EntryStore

# How far a reading is: the lines indexed (the share of the file's bytes, None once they all
# are), then the rows whose fields are read.
Progress = Callable[[int, float | None], None]


def read_whole_file(path: Path, source: Source, progress: Progress = lambda rows, share: None, *,
                    newest_first: bool = True) -> EntryStore:
    """A store over every line of `path` (a file of `source`'s API), its columns all read and its
    rows newest first, as the viewer puts them (`newest_first` False: in file order, as `logview
    export` has always written them). `progress(rows, share)`: the lines indexed so far and the share of the file
    they cover, then (`share` None) the rows whose fields are read. Raises OSError. The caller
    closes the store."""
    reading = early.take(path)  # (what the command line began for it, else a scan of its own)
    store = EntryStore(source, lines=LineFile(path))
    try:
        for chunk in reading.chunks:
            store.append_lines(chunk)
            progress(len(store), chunk.scanned / chunk.size if chunk.size else 1.0)
        columns = read_columns(path, ColumnReader(source), len(store), lambda: None, reading.back,
                               spans=store.line_span)
        for chunk in columns:
            store.fill_columns(chunk)
            progress(store.fields_read, None)
        if newest_first:
            store.newest_first()
    except BaseException:
        store.close()
        if reading.back is not None:
            reading.back.close()
        raise
    return store
