"""What a running live tail keeps back from the backfill in its key's request budget
(`budget.py`): its polls still to come before the window resets.

Apart from the budget because it is a value of its own (the budget asks it how many requests it
will make, and forgets it when it is released) and reads alone. It knows its budget only as what
it releases itself from: importing `budget.py` here would be an import loop.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Protocol


class _Holder(Protocol):
    """The budget a reserve is held in (`budget.Budget`)."""

    def _release(self, reserve: TailReserve) -> None: ...


@dataclass(eq=False)
class TailReserve:
    """Requests a running tail keeps back from the backfill: `per_cycle` every `interval_s` until
    the window resets. Release it (or leave the `with` block) when the tail stops."""

    budget: _Holder
    interval_s: float
    per_cycle: int = 1
    held: bool = field(default=True, init=False)
    last_poll: float | None = field(default=None, init=False)  # clock time of the tail's last request

    def due_before(self, now: float, reset_at: float) -> int:
        """Requests this tail will make from `now` until `reset_at`: its polls still to come, one
        now if it is overdue (what it has already polled this window is not held back again)."""
        next_due = now if self.last_poll is None else max(now, self.last_poll + self.interval_s)
        if next_due >= reset_at:
            return 0
        return (math.floor((reset_at - next_due) / self.interval_s) + 1) * self.per_cycle

    def release(self) -> None:
        if self.held:
            self.held = False
            self.budget._release(self)

    def __enter__(self) -> TailReserve:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()
