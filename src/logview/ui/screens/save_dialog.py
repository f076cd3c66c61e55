"""The small modal that asks where to save the filtered view (`s`)."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static

from logview.files.writer import CSV_EXTENSIONS, JSONL_EXTENSIONS, UnknownFormat, format_for
from logview.model import counted
from logview.sanitize import clean_line
from logview.ui.screens.confirm import confirm_replace
from logview.ui.screens.dialog import Dialog
from logview.ui.widgets.fields import SaveField
from logview.ui.widgets.key_footer import KeyFooter


# The field's own keys, typed before it has the focus (`SaveDialog.on_key`).
_EDITING = {"ctrl+u": "action_delete_left_all", "ctrl+w": "action_delete_left_word", "backspace": "action_delete_left",
            "enter": "action_submit"}


class SaveDialog(Dialog[Path | None]):
    """Returns the chosen path, or None when cancelled. The format follows the extension, by
    `logview export`'s rule (`format_for`); an existing file is replaced only once confirmed."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, default: str, count: Callable[[], int], settling: Callable[[], str | None] = lambda: None,
                 merged: bool = False, partial: Callable[[], str | None] = lambda: None,
                 replacing: Callable[[Path, str, int | None], str | None] = lambda path, shown, count: None,
                 refusing: Callable[[Path], str | None] = lambda path: None) -> None:
        """`count`: the rows shown, asked again while the dialog is open; `settling`: what the
        save will wait for while they are not yet all the filters pick (a big file's fields being
        read, a mixed file being read), in words, else None;
        `merged`: the merged timeline, whose JSONL is an envelope a line (`files/envelope.py`);
        `partial`: why the rows are a part of what they will be, saved as they are (the merged
        timeline's sources still loading: `smb loading`), else None; `replacing(path, shown, count)`: the
        question before replacing `path` when it is the file shown (`shown`: the entries shown, in words;
        `count`: how many, None while they settle), else None; `refusing(path)`: why a save to `path` is
        refused (CSV over the JSONL file shown), said with the name still to change, else None."""
        super().__init__()
        self.default, self.merged = default, merged
        self._count, self._settling, self._partial, self._replacing = count, settling, partial, replacing
        self._refusing = refusing
        # the count the title said last (None while it says none): what the save's toast counts
        # from, so that its "N came while you typed" adds up with it (s23 walk #6)
        self.said: int | None = None

    @property
    def count(self) -> int:
        return self._count()

    def _title(self) -> Text:
        awaited = self._settling()
        if awaited is not None:
            self.said = None
            # (no count of its own: the status line's `shown` counts the rows whose fields are read, the
            # table's ran ahead of it, and the two said 25,588 and 15,296 side by side, s28 walk #8)
            return Text(f"Save the entries shown (saved once {awaited})", style="bold")
        partial, self.said = self._partial(), self.count
        if not self.said:  # (it wrote an empty file, which `--file` then refuses: s25 walk #9)
            return Text("Save the 0 entries shown (nothing matches: the file will be empty)", style="bold")
        return Text(f"Save the {counted(self.said)} shown" + (f" (partial: {partial})" if partial else ""),
                    style="bold")

    def compose(self) -> ComposeResult:
        with Vertical(id="save-box"):
            yield Static(self._title(), id="save-title")
            jsonl, csv = (("each entry as received, in an envelope naming its source", "a leading source column")
                          if self.merged else ("raw entries as received", "the source's columns"))
            yield Static(Text(f"{' '.join(JSONL_EXTENSIONS)}: {jsonl} · {' '.join(CSV_EXTENSIONS)}: {csv}",
                              style="dim"), id="save-hint")
            yield SaveField(value=self.default, id="save-path")
            yield Static(id="save-error")
            yield Static(Text("Enter saves · Esc cancels", style="dim"), id="save-keys")
        yield KeyFooter()  # (over the viewer's, whose keys are typed into the name here)

    def on_key(self, event: events.Key) -> None:
        """A name typed at once after `s` comes before the field has the focus: its characters go
        into the field (they were lost, and Enter then saved under the default name). The first
        replaces the default name, as typing over its selection does."""
        field = self.query_one("#save-path", Input)
        editing = _EDITING.get(event.key)
        if self.focused is field or not (editing or (event.is_printable and event.character)):
            return
        event.stop()
        event.prevent_default()
        if field.select_on_focus:  # (the first typed ahead: the default name goes)
            field.select_on_focus, field.value = False, ""
        if editing:
            getattr(field, editing)()
        else:
            field.insert_text_at_cursor(event.character)
        field.focus()

    def on_mount(self) -> None:
        self.query_one("#save-path", Input).focus()
        self.set_interval(0.25, lambda: self.query_one("#save-title", Static).update(self._title()))

    @on(Input.Submitted, "#save-path")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text:
            self.query_one("#save-error", Static).update(Text("Type a file name.", style="red"))
            return
        path = Path(text).expanduser()
        try:
            format_for(None, path)  # the same rule, and the same words, as `logview export -o`
        except UnknownFormat as error:
            self.query_one("#save-error", Static).update(Text(clean_line(str(error)), style="red"))
            return
        if path.is_dir():
            self.query_one("#save-error", Static).update(Text(f"{clean_line(str(path))} is a folder: name a file.",
                                                              style="red"))
            return
        problem = folder_problem(path) or self._refusing(path)
        if problem:
            self.query_one("#save-error", Static).update(Text(clean_line(problem), style="red"))
            return
        self.query_one("#save-error", Static).update("")
        if path.exists():
            count = None if self._settling() is not None else self.count
            shown = "the entries shown" if count is None else f"the {counted(count)} shown"
            question = self._replacing(path, shown, count) or f"{path} already exists. Replace it with {shown}?"
            confirm_replace(self, question, lambda: self.dismiss(path), focus_again="#save-path")
            return
        self.dismiss(path)

    def action_cancel(self) -> None:
        self.dismiss(None)


def folder_problem(path: Path) -> str | None:
    """Why `path` cannot be written in its folder, if that shows before writing: said here, in the
    dialog with the name still to change, rather than by the save after the dialog has closed."""
    folder = path.parent
    if not folder.exists():
        return f"no such folder: {folder}"
    if not folder.is_dir():
        return f"not a folder: {folder}"
    # the save writes a temporary file beside the target and renames it: the folder must let it
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"no permission to write in the folder {folder}"
    try:  # (a folder that takes no file, /proc, said the OS's "No such file or directory" once the dialog closed)
        tempfile.TemporaryFile(dir=folder).close()
    except PermissionError:
        return f"no permission to write in the folder {folder}"
    except OSError as error:
        if error.errno == errno.EROFS:
            return f"the folder {folder} is on a read-only file system"
        return f"no file can be made in the folder {folder}: name one in another folder"
    return None
