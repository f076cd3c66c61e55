"""The status line's words while the archive's writer is behind (`status._behind_forms`): the narrowest forms
keep the load's own page, taken from its progress (they read it back out of the first form's words)."""

from __future__ import annotations

import pytest

from logview.model import Filters
from logview.session import ViewerSession, Waits
from logview.sources import AitronosSource
from test_store import ait


@pytest.mark.parametrize("pages, archived", [(19, 0), (0, 1_900)], ids=["paging", "archive-only"])
def test_a_writer_behind_says_the_loads_page_in_the_fewest_words(pages: int, archived: int) -> None:
    session = ViewerSession(AitronosSource("org_1"), Filters(), max_entries=None)
    session.begin(clear_now=True)
    session.loaded([ait(i) for i in range(1900)], live=False, pages=pages, total=6_000, archived=archived)
    state = session.state(Waits(backfilling=True, archive_behind=300 << 10))
    forms = (state.text, *state.shorter)
    if pages:
        assert forms == ("loading page 20 · 1,900 of 6,000 (31%) · archive writer behind (300 KiB waiting) …",
                         "loading page 20 · 1,900 of 6,000 (31%) · archive behind …", "page 20 · archive behind …",
                         "archive behind …"), forms
    else:  # (a relaunch's rows, all the archive's, before any page: where they are from)
        assert forms == ("1,900 from the archive · asking the API · archive writer behind (300 KiB waiting) …",
                         "from the archive · asking the API · archive writer behind (300 KiB waiting) …",
                         "from the archive · asking the API · archive behind …", "1,900 from the archive · archive behind …",
                         "archive behind …"), forms
