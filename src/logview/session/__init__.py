"""One viewer's state without Textual: the source, store, view and filters, the loading state
machine, and what the status line and the sidebar say about them (`ViewerSession`); the merged
timeline over several of them (`MergedSession`)."""

from logview.session.merged import MERGE_EVERY_S, MergedSession, Parts
from logview.session.status import Waits, format_wait
from logview.session.viewer_session import ViewerSession

__all__ = ["MERGE_EVERY_S", "MergedSession", "Parts", "ViewerSession", "Waits", "format_wait"]
