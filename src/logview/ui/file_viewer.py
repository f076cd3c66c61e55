"""The first tab's viewer: made at launch (`LogViewApp`), and made again where `r` found that the file
shown is now another API's export, or a merged tab's save (`file_api.py`), as a launch on that file
would make it: its columns, detail, status choices and filters the new file's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from textual.app import App

from logview.files.jsonl import FileKind, source_for_kind
from logview.model import Filters
from logview.options import ViewerOptions
from logview.sources.base import Source
from logview.ui.file_api import FileApiChanged
from logview.ui.viewer import ViewerScreen

FirstViewer = Callable[..., ViewerScreen]  # (`first_viewer` with the launch's options and settings given)


def first_viewer(options: ViewerOptions, source: Source | None, file_kind: FileKind | None, *,
                 tabs: list[str] | None, filters: Filters | None = None, **settings: Any) -> ViewerScreen:
    """A file's viewer for its API (a mixed file: the merged timeline), or the first source's;
    `filters`: other than the launch's (`options`)."""
    if filters is not None:
        options = replace(options, filters=filters, file_source=file_kind)
    if file_kind == "mixed":
        from logview.ui.mixed_file import MixedFileViewer  # (what one source does not need loads when asked)

        assert options.file is not None
        del settings["policy"], settings["archive"]  # (a file asks no API and keeps nothing)
        return MixedFileViewer(options.file, max_entries=options.max_entries, filters=options.filters, **settings)
    return ViewerScreen(options, source=source, file_kind=file_kind, tabs=tabs, tab=0, **settings)


async def made_again(app: App[Any], viewers: list[ViewerScreen], make: FirstViewer, changed: FileApiChanged) -> None:
    """The file's viewer (`viewers[0]`, the only one: a file opens alone) replaced by the one `make`
    makes for what the file holds now, as at launch but for the filters kept; the old one closed
    (its feed and store: `ViewerScreen.on_unmount`). Not while a dialog opened since `r` is over it."""
    old = viewers[0]
    if app.screen is not old:
        return
    viewers[0] = new = make(source_for_kind(changed.kind), changed.kind, filters=changed.filters)
    await app.switch_screen(new)
    app.uninstall_screen(old)
    await old.remove()
    app.install_screen(new, name="tab-0")
    app.notify(changed.words(), timeout=6, markup=False)
