"""The merged timeline's screen: a viewer over every tab's loaded entries (`MergedSession`),
newest first, with a source column. It asks no API anything: it follows the tabs (every
MERGE_EVERY_S, so a tab's live tail shows here too) and keeps the entry the user is on."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from logview.model import Filters
from logview.options import ViewerOptions
from logview.session import MERGE_EVERY_S, MergedSession, Parts
from logview.session.merged import Sources
from logview.session.status_inputs import SourceProgress
from logview.ui.names import credential_labels, credential_notes
from logview.ui.viewer import ViewerScreen

if TYPE_CHECKING:
    from logview.api.directory import CredentialInfo


STARTING = SourceProgress("loading", "loading", "loading", "loading")  # (a tab's progress before it is told)


class MergedScreen(ViewerScreen):
    """A viewer whose rows are merged from other stores."""

    def __init__(self, parts: Parts, *, label: str = "all sources, merged",
                 retry_failed: Callable[[], int] = lambda: 0, toggle_tails: Callable[[], str] = lambda: "",
                 sources: Sources = tuple, reaches: Callable[[], list[Reach]] = list,
                 credentials: Callable[[], list[dict[str, CredentialInfo]]] = list, filters: Filters | None = None,
                 **kwargs: Any) -> None:
        """`retry_failed`: `r` here retries the tabs whose loading failed (how many it did);
        `toggle_tails`: `t` here turns every tab's live tail on or off (what it did, in words);
        `sources`: what each part reads (`source_of`), so an entry two of them hold shows once;
        `reaches`: how far back each tab loaded (`reach_of`); `credentials`: the Aitronos credentials
        each tab has named (`Names.credentials`); `filters`: those it opens with (a mixed file's flags,
        or those `r` kept over a file a merged tab's save replaced: both were dropped, found in a walk)."""
        self.merged = MergedSession(parts, filters, sources=sources)
        super().__init__(ViewerOptions(filters=self.merged.filters, merged=True), session=self.merged, **kwargs)
        # every tab loading until the app says how far each is (`LogViewApp._show_troubles`, a second on): the
        # line said "2 sources merged" from the start, over "No entries." (s29)
        self.merged.source_loading = {label: STARTING for label in (self.tab_strip.labels[:-1] if self.tab_strip else ())}
        self.label, self.retry_failed, self.toggle_tails, self.reaches = label, retry_failed, toggle_tails, reaches
        self.credentials = credentials
        self._named: dict[str, CredentialInfo] = {}  # (the tabs' credentials, as the detail last named them)
        self._partial: str | None = None  # (the sources not whole yet, as the panels' notes last said)

    def start(self) -> None:
        self.merge_now()
        self.set_interval(MERGE_EVERY_S, self.merge_now)

    def merge_now(self, force: bool = False) -> None:
        """Rebuild from the parts if any of them changed (or `force`), on the same entry."""
        table = self.table
        if not table.is_attached:
            return
        if (partial := self.merged.partial_note()) != self._partial:  # (the panels' notes say it: counted again)
            self._partial = partial
            self.browser.rows_changed()
        self._name_credentials()
        was_at, was_scrolled, counted = table.cursor_row, round(table.scroll_y), (table.new_rows, table.newer_unseen)
        selected = self.merged.origin_of(table.cursor_ordinal)
        if not self.merged.merge(force):
            return
        table.refiltered(keep_place=False)
        if selected is not None and (was_at != 0 or table.pinned):  # the same entry again, wherever it is now
            row = self.merged.row_of_origin(selected)
            if row is not None:
                # at the same height on screen, the rows that came above it counted as new, as a
                # tab does with its tail's (it drifted down the screen without a word)
                table.move_to_row(row)
                table.scroll_to(y=max(0, was_scrolled + row - was_at), animate=False)
                table.count_above(counted[0] + max(0, row - was_at), counted[1])  # (and those a search left)
        self.refresh_all()

    def _name_credentials(self) -> None:
        """The credentials the tabs named, named here too (an id names one credential, whatever its tab):
        the detail showed an Aitronos entry's bare `tcred_…` id, where its tab showed `Work Gmail · …`
        under it (found by a tester)."""
        named = {cid: credential for credentials in self.credentials() for cid, credential in credentials.items()}
        if named != self._named:
            self._named = named
            self.browser.name_credentials(credential_labels(named), credential_notes(named))

    def apply_filters(self, new: Filters) -> None:
        """As a tab's, and where the range starts before what a tab loaded, that said: the merged tab's
        dates filter the tabs' rows, so `3d` over tabs that loaded `1d` (the config's archive_max_age)
        showed one day under "since 3d", nothing saying the rest was not loaded (s25 walk #6)."""
        before = self.session.filters.since
        super().apply_filters(new)
        if new.since is None or new.since == before:
            return
        short = [(label, text or f"{since.astimezone():%Y-%m-%d %H:%M}") for label, since, text in self.reaches()
                 if since is not None and since > new.since]
        if short:
            names = ", ".join(f"{label} since {when}" for label, when in short)
            whose = "its tab" if len(short) == 1 else "their tabs"  # (d loads: "d on their tabs load" read wrong)
            self.notify(f"Older entries are not here: the tabs loaded {names} (d on {whose} loads further back).",
                        timeout=6, markup=False)

    def action_reload(self) -> None:
        retried = self.retry_failed()
        if retried:
            self.notify(f"Retrying {retried} source{'s' if retried > 1 else ''} that failed or whose live tail stopped; "
                        f"{'their' if retried > 1 else 'its'} entries appear here as they come.", timeout=4,
                        markup=False)
        else:  # (it was silent; and said nothing of a source still loading, s21 walk #8)
            partial = self.merged.partial_note()
            self.notify(f"No source failed{f' ({partial})' if partial else ''}: each tab loads its own "
                        "(r in a tab loads it again), merged here.", timeout=4, markup=False)
        self.merge_now(force=True)

    def action_toggle_tail(self) -> None:
        """t: every tab's live tail on (off once all are on): the footer offered `t Tail` here and it
        only said to press t in a tab (s22 walk #11)."""
        self.notify(self.toggle_tails(), timeout=4, markup=False)
        self.merge_now(force=True)

    def action_escape(self) -> None:
        """As in a tab; with nothing here to leave, close or fold, and a tab loading, where Esc stops a load
        the API's budget paces (in its tab) is said: it was silent here (s30 walk #7)."""
        if self.leave_field() or self.browser.close_something() or self.stop_search() or self.banner.fold():
            return
        self.app.clear_notifications()  # (as in a tab: nothing else to close, the toasts go)
        loading = [label for label, progress in self.merged.source_loading.items() if progress.state == "loading"]
        if loading:
            self.notify(f"Esc in a tab stops its load while the API's budget paces it ({', '.join(loading)} "
                        "loading; [ and ] switch tabs): the merged tab only shows what the tabs load.",
                        timeout=4, markup=False)

    def action_choose_connector(self) -> None:
        self.notify("Each Supermetrics tab reads its own connector: press c in that tab ([ and ] switch tabs).",
                    timeout=4, markup=False)


Reach = tuple[str, "datetime | None", "str | None"]  # a tab's label, the start of what it loaded, that start as typed


def reach_of(label: str, viewer: ViewerScreen) -> Reach:
    """How far back a tab loaded: the start of its server-side range (a file's dates filter what it read)."""
    filters = viewer.session.filters
    if source_of(viewer) is None:
        return label, None, None
    return label, filters.since, filters.since_text


def source_of(viewer: ViewerScreen) -> tuple[object, ...] | None:
    """Whose logs a tab reads: its API, host and scope (None for a file, or a connector not chosen
    yet). Tabs of one source take each entry once in the merged tab, whatever their filters."""
    session = viewer.session
    if session.file_mode or session.merged or session.needs_connector:
        return None
    source = session.source
    scope = tuple(getattr(source, name, None) for name in ("organization_id", "team_id", "connector_id"))
    return source.kind, source.base_url, scope


def reading_of(viewer: ViewerScreen) -> tuple[object, ...] | None:
    """What a tab reads: its source (`source_of`) and the filters the server applies."""
    source = source_of(viewer)
    return None if source is None else (*source, viewer.session.source.server_part(viewer.session.filters))


def same_readings(tabs: list[tuple[str, ViewerScreen]]) -> dict[str, str]:
    """Each tab that reads what an earlier tab reads, and that tab's label: two profiles of one org
    (production-eu-west-1 and -2) showed every entry twice in the merged tab (found in a walk)."""
    seen: list[tuple[tuple[object, ...], str]] = []
    same: dict[str, str] = {}
    for label, viewer in tabs:
        reading = reading_of(viewer)
        if reading is None:
            continue
        earlier = next((first for other, first in seen if other == reading), None)
        if earlier is not None:
            same[label] = earlier
        else:
            seen.append((reading, label))
    return same
