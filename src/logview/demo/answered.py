"""The API requests the demo server answered, in the order their answers began: what tests and
`/_demo/state` count. Each keeps when it was answered and the budget's count said with it, so a
test can tell which of the server's windows a request was counted in, where the order alone left
it to guess (a loaded machine's late poll moved a window's edge)."""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Answered:
    method: str
    path: str  # with its query
    status: int
    at: float  # epoch seconds, as the answer began
    remaining: int | None  # X-RateLimit-Remaining as answered (None: not said)


class AnsweredLog:
    """The last `size` answers; thread-safe (the server's thread records, a test's reads)."""

    def __init__(self, size: int) -> None:
        self._lock = threading.Lock()
        self._answers: deque[Answered] = deque(maxlen=size)

    def record(self, method: str, path: str, status: int, remaining: int | None = None) -> None:
        with self._lock:
            self._answers.append(Answered(method, path, status, time.time(), remaining))

    def answers(self) -> list[Answered]:
        with self._lock:
            return list(self._answers)

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._answers)
