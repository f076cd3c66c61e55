"""What the command line resolves to: a connection to one API (or a file) plus filters.

The seam between `cli.py` and the commands it runs (`export`, the viewer): both receive these
values and never parse arguments or read the environment themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from logview.api.types import BudgetState, RequestRecord, RetryPolicy
from logview.model import ApiError, Filters
from logview.sources.base import Source

if TYPE_CHECKING:
    from logview.settings.config_models import Profile
    from logview.api.client import ApiClient


@dataclass
class Connection:
    """A source with its key. `repr` hides the key so it cannot leak through a traceback or log."""

    source: Source
    key: str = field(repr=False)
    label: str  # what the header shows: "demo data (aitronos)", "profile prod", "aitronos org_123"
    demo: bool = False
    profile: Profile | None = None  # the profile it came from: its default filters and tail settings
    key_named: str | None = None  # the environment variable the key was read from (None: the demo's own)

    def __post_init__(self) -> None:
        # A key httpx cannot encode would crash the viewer, and Textual prints crashes with every
        # frame's locals — the headers among them. Refuse it here, without echoing it.
        if not all(33 <= ord(char) < 127 for char in self.key):
            raise ValueError("an API key must be printable ASCII without spaces or control characters")

    def refused(self, error: ApiError) -> str | None:
        """What a 401 adds to the server's words: which variable holds the key refused (the server
        names none, and a profile's own key_env was left to guess, found in a walk); never the key."""
        if error.status != 401 or self.key_named is None:
            return None
        return f"the key in {self.key_named} was refused: check it, or set another"

    def client(
        self,
        *,
        policy: RetryPolicy | None = None,
        on_request: Callable[[RequestRecord], None] | None = None,
        on_budget_wait: Callable[[BudgetState], None] | None = None,
    ) -> ApiClient:
        """A client that shares this key's request budget at this host with every other one
        (every tab, the tail, the listings: see `api.budgets.budget_for`)."""
        from logview.api.budgets import budget_for
        from logview.api.client import ApiClient  # httpx only when there is an API to talk to

        return ApiClient(
            self.source.base_url,
            self.source.auth_headers(self.key),
            policy=policy,
            on_request=on_request,
            budget=budget_for(self.key, self.source.base_url, self.source.kind),
            on_budget_wait=on_budget_wait,
        )


@dataclass
class ViewerOptions:
    """Everything the viewer needs; exactly one of `connection` and `file` is set, or neither for
    the merged timeline of the app's other tabs (`merged`)."""

    filters: Filters
    connection: Connection | None = None
    file: Path | None = None
    file_source: str | None = None  # --source given with --file, else detected from the fields
    follow: bool = False
    interval_s: float = 2.0
    max_entries: int | None = 100_000
    merged: bool = False
    welcome: str | None = None  # said once the viewer opens: why it shows what it shows (the demo)
    notes: tuple[str, ...] = ()  # said once the viewer opens, as they were on stderr before it took the screen
    # a file's: where an Aitronos file's credentials' names are kept (the user's archive, if the config keeps
    # one; None: none), asked once the file is read as one (the config is not read before a file's first paint)
    names_archive: Callable[[], Path | None] | None = None
