"""The table's columns: the source's own and any top-level field of the data, as the user picks
them (`f`), remembered per API (`column_choice`).

A mixin of `ViewerScreen`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from logview.ui.cells import ALWAYS, COLUMNS, FIELD_PREFIX, columns_for, default_keys, discovered_fields
from logview.ui.screens.column_picker import ColumnPicker
from logview.settings.userfiles import UserFileError

COLUMN_SAMPLE = 2_000  # entries looked at for their field names when the picker opens

if TYPE_CHECKING:
    from logview.ui.viewer import ViewerScreen

    _Base = ViewerScreen
else:
    _Base = object


class ColumnsMixin(_Base):
    """The column picker and the remembered choice."""

    def apply_column_choice(self) -> None:
        try:
            keys = self.column_choice.load(self.source.kind)
        except UserFileError as error:
            self.notify(f"{error}; showing the default columns.", severity="warning", timeout=6, markup=False)
            keys = None
        self.table.set_columns(columns_for(self.source.kind, keys))

    def action_pick_columns(self) -> None:
        """f: choose the table's columns, among the source's and the fields found in the data."""
        kind = self.source.kind
        builtin = [(c.key, c.title) for c in COLUMNS[kind] if c.key not in ALWAYS]
        step = max(1, len(self.store) // COLUMN_SAMPLE)
        sample = self.store.entries(np.arange(self.store.head, self.store.tail, step, dtype=np.int64)[:COLUMN_SAMPLE])
        fields = [(FIELD_PREFIX + name, name) for name in discovered_fields(sample, kind)]
        chosen = [c.key for c in self.table.columns if c.key not in ALWAYS]
        known = {key for key, _ in builtin + fields}
        fields += [(key, key[len(FIELD_PREFIX):]) for key in chosen if key not in known]  # chosen, not seen now
        self.app.push_screen(ColumnPicker(builtin + fields, chosen, default_keys(kind)), self._columns_picked)

    def _columns_picked(self, keys: list[str] | None) -> None:
        if keys is None:
            return
        try:
            if keys:
                self.column_choice.save(self.source.kind, keys)
            else:
                self.column_choice.reset(self.source.kind)
        except UserFileError as error:
            self.notify(f"{error} (the columns apply until you quit)", severity="warning", timeout=6, markup=False)
        self.table.set_columns(columns_for(self.source.kind, keys or None))
