"""API time strings of the two shapes exports hold, `2025-11-15T10:30:05Z` and
`2025-11-15T10:30:05.123Z`, turned into epoch microseconds with numpy, a million at a time.

Exactly what `epoch_us(parse_api_time(text))` gives for them: a text of either shape whose parts
are out of range (month 13, 30 February, hour 24, second 60, year 0) is left to the caller, as is
every other text, so nothing `datetime.fromisoformat` would refuse or read otherwise is read here.
"""

from __future__ import annotations

import numpy as np

# the separators between the digits of `YYYY-MM-DDTHH:MM:SS`
_SEPARATORS = {4: b"-", 7: b"-", 10: b"T", 13: b":", 16: b":"}
_SHAPES = {20: {19: b"Z"}, 24: {19: b".", 23: b"Z"}}  # length → its own separators
# The tens of a month, day, hour, minute and second are at most 1, 3, 2, 5, 5: checked with the
# characters, they leave month ≤ 19, day ≤ 39, and minutes and seconds in range (hours: ≤ 29).
_TENS_MOST = {5: 1, 8: 3, 11: 2, 14: 5, 17: 5}
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
_US_PER_S = 1_000_000
_NEWLINE = ord("\n")
_DATE = (0, 1, 2, 3, 5, 6, 8, 9)  # the columns of a date's digits, YYYYMMDD
# The dates met, by their YYYYMMDD number: (days since 1970-01-01, valid). A file's lines span few
# dates; a file of more is remembered afresh from this many on.
_DATES: dict[int, tuple[int, bool]] = {}
DATES_MET_MOST = 4096


def _templates(length: int) -> tuple[np.ndarray, np.ndarray]:
    """Per byte of a shape and the line break after it: the lowest it may be, and by how much it
    may exceed that."""
    lowest = np.full(length + 1, ord("0"), dtype=np.uint8)
    most = np.full(length + 1, 9, dtype=np.uint8)
    for at, separator in {**_SEPARATORS, **_SHAPES[length], length: b"\n"}.items():
        lowest[at], most[at] = separator[0], 0
    for at, tens in _TENS_MOST.items():
        most[at] = tens
    return lowest, most


_TEMPLATES = {length: _templates(length) for length in _SHAPES}
_tiles: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # the templates repeated, for many rows at once


def _tiled(length: int, rows: int) -> tuple[np.ndarray, np.ndarray]:
    """The templates of a shape repeated for `rows` texts, flat (numpy is fastest on flat arrays)."""
    size = rows * (length + 1)
    tiles = _tiles.get(length)
    if tiles is None or len(tiles[0]) < size:
        tiles = _tiles[length] = tuple(np.tile(template, max(rows, 1 << 14)) for template in _TEMPLATES[length])
    return tiles[0][:size], tiles[1][:size]


def parse_stamps(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(epoch µs, done) per text; where `done` is False the µs are meaningless and the caller
    parses that text itself."""
    gathered = StampTexts()
    gathered.add(texts)
    return gathered.parse()


class StampTexts:
    """Time texts gathered run by run as ASCII bytes, each ended by a line break, then parsed at once.

    Why not a list of `str`: a chunk of a big file is decoded block by block, and a string kept
    from each line pins the memory of the block's other (short-lived) objects until the chunk is
    done; the bytes are one buffer. The line breaks tell where each text ends (no `len` a text):
    when all texts have one length, one numpy comparison shows it."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._odd: dict[int, str] = {}  # row → its text, beyond ASCII or holding a line break ("" here)
        self._buffer = np.zeros(0, dtype=np.uint8)
        self._found: tuple[np.ndarray, np.ndarray] | None = None  # (`_bounds`, found when asked)
        self.count = 0

    def add(self, texts: list[str]) -> None:
        n = len(texts)
        if not n:
            return
        joined = "\n".join(texts)
        # (a character beyond ASCII would shift the bytes after it, a line break end a text early)
        if not joined.isascii() or joined.count("\n") != n - 1:
            texts = list(texts)
            for i, text in enumerate(texts):
                if not text.isascii() or "\n" in text:
                    self._odd[self.count + i] = text
                    texts[i] = ""
            joined = "\n".join(texts)
        self._parts += (joined.encode("ascii"), b"\n")
        self.count += n

    def parse(self) -> tuple[np.ndarray, np.ndarray]:
        """(epoch µs, done) per text added, as `parse_stamps`."""
        n = self.count
        if not n:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
        buffer = self._buffer = np.frombuffer(b"".join(self._parts), dtype=np.uint8)
        self._parts, self._found = [], None
        for length in _SHAPES:  # (the usual case: all of one shape, the line breaks where it puts them)
            if len(buffer) == n * (length + 1) and (buffer[length::length + 1] == _NEWLINE).all():
                return _parse_fixed(buffer.reshape(n, length + 1))
        micros = np.zeros(n, dtype=np.int64)
        done = np.zeros(n, dtype=bool)
        starts, lengths = self._bounds()
        for length in _SHAPES:
            rows = np.flatnonzero(lengths == length)
            if len(rows):
                micros[rows], done[rows] = _parse_fixed(buffer[starts[rows][:, None] + np.arange(length + 1)])
        return micros, done

    def _bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Where each text starts in the buffer, and its length."""
        if self._found is None:
            ends = np.flatnonzero(self._buffer == _NEWLINE)  # (one a text: none holds a line break)
            starts = np.concatenate(([0], ends[:-1] + 1))
            self._found = starts, ends - starts
        return self._found

    def text(self, row: int) -> str:
        """The text of a row (after `parse`)."""
        if row in self._odd:
            return self._odd[row]
        starts, lengths = self._bounds()
        start = int(starts[row])
        return self._buffer[start:start + int(lengths[row])].tobytes().decode("ascii")


def _parse_fixed(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows of one shape's characters, each with the line break after it → (µs, valid).

    Few temporaries as large as the texts (one, the check of each byte against its template; the
    numbers are made a column at a time): a segment's parse took ~3 MiB of them, which the reader's
    heap then held, or faulted in again at each segment once given back (`columns_pass.py`)."""
    rows, length = texts.shape[0], texts.shape[1] - 1
    lowest, most = _tiled(length, rows)
    beyond = texts.reshape(-1) - lowest  # (a byte below its lowest wraps around: beyond its most)
    np.greater(beyond, most, out=beyond.view(bool))
    ok = np.ones(rows, dtype=bool)
    ok[np.flatnonzero(beyond) // (length + 1)] = False
    del beyond
    clock = _number(texts, 11, 12) * 3600 + _number(texts, 14, 15) * 60 + _number(texts, 17, 18)
    ok &= clock < 86_400  # hour ≤ 23 (minutes and seconds are in range)
    days, date_ok = _days(texts)
    micros = days.astype(np.int64)  # (each step in place: one array of 64-bit integers)
    micros *= 86_400
    micros += clock
    micros *= _US_PER_S
    if length == 24:
        micros += _number(texts, 20, 21, 22) * 1000
    return micros, ok & date_ok


def _number(texts: np.ndarray, *columns: int) -> np.ndarray:
    """The decimal number the digits at these columns of each row write (int32; digits checked by the caller)."""
    value = texts[:, columns[0]].astype(np.int32)
    for column in columns[1:]:
        value *= 10
        value += texts[:, column]
    value -= int("1" * len(columns)) * ord("0")  # (each digit's character code, 48 more than its value)
    return value


def _days(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(days since 1970-01-01, valid) of each row's date. A chunk's lines mostly come in time order:
    the runs of one date's text are found from its bytes, and each run's days taken from the dates
    met before (`_DATES`). Why: the date's 8 digits were a pass each over all the rows, and the days
    of each run's date ~20 numpy calls on a few values (~50 µs) at every parse: 13–16% of a parse of
    8,192 or 3,400 rows, either file's times."""
    firsts = _starts_of_runs(texts, 0, 2)  # (the 10 of YYYY-MM-DD)
    if len(firsts) * 4 > len(texts):  # (no runs to speak of)
        return _dates_days(_number(texts, *_DATE))
    dates = _number(texts[firsts], *_DATE).tolist()  # YYYYMMDD (month ≤ 19, day ≤ 39)
    met = {date: _DATES.get(date) for date in dict.fromkeys(dates)}  # (its own: readers in other threads)
    new = [date for date, found in met.items() if found is None]
    if new:
        found = dict(zip(new, zip(*(column.tolist() for column in _dates_days(np.array(new, dtype=np.int64))))))
        met.update(found)
        if len(_DATES) + len(new) > DATES_MET_MOST:
            _DATES.clear()
        _DATES.update(found)
    days, ok = zip(*map(met.__getitem__, dates))
    runs = np.diff(np.append(firsts, len(texts)))
    return np.repeat(np.array(days, dtype=np.int64), runs), np.repeat(np.array(ok, dtype=bool), runs)


def _starts_of_runs(texts: np.ndarray, *offsets: int) -> np.ndarray:
    """The rows where a run of rows equal in the 8 bytes at each of `offsets` begins (each row's
    bytes read as 64-bit words where they lie: no copy, and ~5 times faster than comparing bytes)."""
    rows, width = texts.shape
    flat = np.ascontiguousarray(texts).reshape(-1)
    changed = np.zeros(max(rows - 1, 0), dtype=bool)
    for offset in offsets:
        words = np.ndarray((rows,), dtype="<u8", buffer=flat, offset=offset, strides=(width,))
        changed |= words[1:] != words[:-1]
    return np.concatenate(([0], np.flatnonzero(changed) + 1))


def _dates_days(dates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`_days`, date by date."""
    year, month, day = dates // 10_000, dates // 100 % 100, dates % 100
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_ok = (month >= 1) & (month <= 12)
    days_in_month = _MONTH_DAYS[np.where(month_ok, month, 0)] + (leap & (month == 2))
    ok = (year >= 1) & month_ok & (day >= 1) & (day <= days_in_month)
    return _days_from_civil(year, month, day), ok


def _days_from_civil(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's algorithm)."""
    year = year - (month <= 2)
    era = np.floor_divide(year, 400)
    year_of_era = year - era * 400
    day_of_year = (153 * (month + np.where(month > 2, -3, 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146_097 + day_of_era - 719_468
