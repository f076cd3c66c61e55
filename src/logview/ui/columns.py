"""The table's columns: the source's own and any top-level field of the data, as the user picks
them (`f`), remembered per API (`settings.column_choice`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from logview.model import SourceKind
from logview.settings.column_choice import ColumnChoice
from logview.settings.userfiles import UserFileError
from logview.store import EntryStore
from logview.ui.cells import ALWAYS, COLUMNS, FIELD_PREFIX, columns_for, default_keys, discovered_fields
from logview.ui.widgets.log_table import LogTable

if TYPE_CHECKING:  # (the picker and its Textual lists load when `f` opens it, not at start-up)
    from logview.ui.screens.column_picker import ColumnPicker

COLUMN_SAMPLE = 2_000  # entries looked at for their field names when the picker opens


class ColumnControl:
    """Sets the table's columns from the remembered choice, and offers the picker. Methods return
    a warning for the user when the choice cannot be read or kept (the columns apply anyway)."""

    def __init__(self, kind: SourceKind, choice: ColumnChoice, table: LogTable) -> None:
        self.kind, self.choice, self.table = kind, choice, table

    def apply_saved(self) -> str | None:
        try:
            keys = self.choice.load(self.kind)
        except UserFileError as error:
            self.table.set_columns(columns_for(self.kind, None))
            return f"{error}; showing the default columns."
        self.table.set_columns(columns_for(self.kind, keys))
        return None

    def picker(self, store: EntryStore) -> ColumnPicker:
        """The source's columns and the fields found in a sample of the rows, the shown ticked."""
        from logview.ui.screens.column_picker import ColumnPicker

        builtin = [(c.key, c.title) for c in COLUMNS[self.kind] if c.key not in ALWAYS]
        step = max(1, len(store) // COLUMN_SAMPLE)
        sample = store.entries(np.arange(store.head, store.tail, step, dtype=np.int64)[:COLUMN_SAMPLE])
        fields = [(FIELD_PREFIX + name, name) for name in discovered_fields(sample, self.kind)]
        chosen = [c.key for c in self.table.columns if c.key not in ALWAYS]
        known = {key for key, _ in builtin + fields}
        fields += [(key, key[len(FIELD_PREFIX):]) for key in chosen if key not in known]  # chosen, not seen now
        return ColumnPicker(builtin + fields, chosen, default_keys(self.kind))

    def picked(self, keys: list[str] | None) -> str | None:
        """The picker's answer: `[]` back to the defaults, None cancelled."""
        if keys is None:
            return None
        warning = None
        try:
            if keys:
                self.choice.save(self.kind, keys)
            else:
                self.choice.reset(self.kind)
        except UserFileError as error:
            warning = f"{error} (the columns apply until you quit)"
        self.table.set_columns(columns_for(self.kind, keys or None))
        return warning
