"""The columnar entry store and what is computed over it: filtered views, search, merging and
the analytics (histogram, stats, error groups). No Textual here."""

from logview.store.entries import EntryStore
from logview.store.held import Rowids
from logview.store.rows import FrozenColumns
from logview.store.search import FileSearchJob, SearchJob
from logview.store.select import Selection, needs_columns
from logview.store.view import FilteredView, ViewChange

__all__ = ["EntryStore", "FileSearchJob", "FilteredView", "FrozenColumns", "Rowids", "SearchJob", "Selection",
           "ViewChange", "needs_columns"]
