"""Where a file store's rows are in the file: each line's byte offset and length (`entries.py`).

Offsets take 4 bytes a row, not 8, while they stay below 2 GiB (4 MB less for a million rows);
past that (a larger file, or one that grew past it while read) the column is widened to 8 bytes
before the first offset that would not fit is written. 2 GiB, not 4: sums such as an offset plus
a block's size (`files/search.py`) stay within 4 bytes unsigned.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from logview.files.lines import LineFile
from logview.store.rows import RowBuffer

NARROW_OFFSETS_BELOW = 1 << 31  # bytes: offsets below this fit the narrow column


def line_columns(lines: LineFile) -> dict[str, Any]:
    """The columns of a store over `lines`, the offsets narrow if the file is small enough."""
    narrow = lines.path.stat().st_size < NARROW_OFFSETS_BELOW
    return {"start": np.uint32 if narrow else np.int64, "length": np.int32}


def write_offsets(rows: RowBuffer, start: int, stop: int, offsets: np.ndarray) -> None:
    """Write the (ascending) `offsets` of new rows at buffer positions [start, stop), widening
    the column first if the last one would not fit it."""
    column = rows.cols["start"]
    if len(offsets) and column.dtype != np.int64 and int(offsets[-1]) >= NARROW_OFFSETS_BELOW:
        column = rows.cols["start"] = column.astype(np.int64)
        rows.column_types["start"] = np.int64
    column[start:stop] = offsets
