"""API time strings of the two shapes exports hold, `2025-11-15T10:30:05Z` and
`2025-11-15T10:30:05.123Z`, turned into epoch microseconds with numpy, a million at a time.

Exactly what `epoch_us(parse_api_time(text))` gives for them: a text of either shape whose parts
are out of range (month 13, 30 February, hour 24, second 60, year 0) is left to the caller, as is
every other text, so nothing `datetime.fromisoformat` would refuse or read otherwise is read here.
"""

from __future__ import annotations

import numpy as np

# digit positions of `YYYY-MM-DDTHH:MM:SS`, and the separators between them
_DIGITS = np.array([0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18])
_SEPARATORS = {4: b"-", 7: b"-", 10: b"T", 13: b":", 16: b":"}
_SHAPES = {20: {19: b"Z"}, 24: {19: b".", 23: b"Z"}}  # length → its own separators
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
_US_PER_S = 1_000_000


def parse_stamps(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(epoch µs, done) per text; where `done` is False the µs are meaningless and the caller
    parses that text itself."""
    gathered = StampTexts()
    gathered.add(texts)
    return gathered.parse()


class StampTexts:
    """Time texts gathered run by run as ASCII bytes with their lengths, then parsed at once.

    Why not a list of `str`: a chunk of a big file is decoded block by block, and a string kept
    from each line pins the memory of the block's other (short-lived) objects until the chunk is
    done; bytes and lengths are two buffers."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._lengths: list[np.ndarray] = []
        self._beyond_ascii: dict[int, str] = {}  # row → its text (counted with length 0 here)
        self._buffer = np.zeros(0, dtype=np.uint8)
        self._starts = np.zeros(0, dtype=np.int64)
        self.count = 0

    def add(self, texts: list[str]) -> None:
        joined = "".join(texts)
        if not joined.isascii():  # a character beyond ASCII would shift the columns below
            texts = list(texts)
            for i, text in enumerate(texts):
                if not text.isascii():
                    self._beyond_ascii[self.count + i] = text
                    texts[i] = ""
            joined = "".join(texts)
        self._parts.append(joined.encode("ascii"))
        self._lengths.append(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)))
        self.count += len(texts)

    def parse(self) -> tuple[np.ndarray, np.ndarray]:
        """(epoch µs, done) per text added, as `parse_stamps`."""
        n = self.count
        micros = np.zeros(n, dtype=np.int64)
        done = np.zeros(n, dtype=bool)
        if not n:
            return micros, done
        buffer = self._buffer = np.frombuffer(b"".join(self._parts), dtype=np.uint8)
        lengths = np.concatenate(self._lengths) if len(self._lengths) > 1 else self._lengths[0]
        self._parts, self._lengths = [], [lengths]
        self._starts = np.cumsum(lengths) - lengths
        for length in _SHAPES:
            if len(buffer) == n * length and (lengths == length).all():  # (the usual case: one shape)
                micros, done = _parse_fixed(buffer.reshape(n, length))
                break
            rows = np.flatnonzero(lengths == length)
            if len(rows):
                chars = buffer[self._starts[rows][:, None] + np.arange(length)]
                micros[rows], done[rows] = _parse_fixed(chars)
        return micros, done

    def text(self, row: int) -> str:
        """The text of a row (after `parse`)."""
        if row in self._beyond_ascii:
            return self._beyond_ascii[row]
        start = int(self._starts[row])
        return self._buffer[start:start + int(self._lengths[0][row])].tobytes().decode("ascii")


def _parse_fixed(chars: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows of one shape's characters → (µs, valid)."""
    length = chars.shape[1]
    digits = chars[:, _DIGITS] - np.uint8(ord("0"))  # (a byte below `0` wraps around: not below 10)
    ok = (digits < 10).all(axis=1)
    separators = {**_SEPARATORS, **_SHAPES[length]}
    ok &= (chars[:, list(separators)] == np.frombuffer(b"".join(separators.values()), dtype=np.uint8)).all(axis=1)
    pairs = digits[:, 0::2].astype(np.int32) * 10 + digits[:, 1::2]  # YY YY MM DD hh mm ss
    year, month, day = pairs[:, 0] * 100 + pairs[:, 1], pairs[:, 2], pairs[:, 3]
    hour, minute, second = pairs[:, 4], pairs[:, 5], pairs[:, 6]
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_ok = (month >= 1) & (month <= 12)
    days_in_month = _MONTH_DAYS[np.where(month_ok, month, 0)] + (leap & (month == 2))
    ok &= (year >= 1) & month_ok & (day >= 1) & (day <= days_in_month) & (hour <= 23) & (minute <= 59) \
        & (second <= 59)
    seconds = (_days_from_civil(year.astype(np.int64), month, day) * 86_400
               + hour * 3600 + minute * 60 + second)
    micros = seconds * _US_PER_S
    if length == 24:
        fraction = chars[:, 20:23] - np.uint8(ord("0"))
        ok &= (fraction < 10).all(axis=1)
        fraction = fraction.astype(np.int64)
        micros += (fraction[:, 0] * 100 + fraction[:, 1] * 10 + fraction[:, 2]) * 1000
    return micros, ok


def _days_from_civil(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's algorithm)."""
    year = year - (month <= 2)
    era = np.floor_divide(year, 400)
    year_of_era = year - era * 400
    day_of_year = (153 * (month + np.where(month > 2, -3, 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146_097 + day_of_era - 719_468
