"""Copying for the user (`y`): by OSC 52 to the terminal's clipboard, and by a local clipboard
command when this machine has one.

OSC 52 reaches the clipboard through ssh and tmux, but tmux's default `set-clipboard external` and
many terminals drop it without a word, so nothing tells logview whether it worked. A local command
(`wl-copy`, `xclip`, `xsel`, `pbcopy`) does say: only its success is reported as "Copied".
"""

from __future__ import annotations

import shutil
import subprocess

from textual.screen import Screen

# Tried in this order, the first that exits 0 has the text: Wayland, X11 (two tools), macOS.
CLIPBOARD_COMMANDS: tuple[tuple[str, ...], ...] = (
    ("wl-copy",),
    ("xclip", "-selection", "clipboard"),
    ("xsel", "--clipboard", "--input"),
    ("pbcopy",),
)
COMMAND_TIMEOUT_S = 2.0


def copy_with_local_command(data: bytes) -> str | None:
    """Give `data` to the first clipboard command on PATH that takes it; returns that command's
    name, or None when none did. Blocks up to `COMMAND_TIMEOUT_S` per command: call it in a thread.

    The data is untrusted (log entries): it goes to the command's stdin only, never into its
    arguments, and no shell is involved."""
    for name, *arguments in CLIPBOARD_COMMANDS:
        program = shutil.which(name)
        if program is None:
            continue
        try:
            # Output goes to /dev/null, not to pipes: xclip and wl-copy leave a child behind to
            # serve the selection, which would hold a pipe open and stall the wait until the timeout.
            done = subprocess.run([program, *arguments], input=data, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, timeout=COMMAND_TIMEOUT_S, check=False)
        except (OSError, subprocess.SubprocessError):
            continue
        if done.returncode == 0:
            return name
    return None


def copy_for_user(screen: Screen, text: str, what: str) -> None:
    """Copy `text` (`what` names it in the message) both ways, and say what is known to have
    happened once the local command, if any, is done."""
    screen.app.copy_to_clipboard(text)
    screen.run_worker(lambda: _copy_locally(screen, text, what), thread=True, group="clipboard",
                      exit_on_error=False)


def _copy_locally(screen: Screen, text: str, what: str) -> None:
    command = copy_with_local_command(text.encode("utf-8"))
    if command:
        message, timeout = f"Copied {what} to the clipboard ({command}).", 3
    else:
        message = (f"Sent {what} to the terminal's clipboard (OSC 52) — if your terminal blocks that, "
                   f"s saves the entries shown to a file.")
        timeout = 6
    screen.app.call_from_thread(screen.notify, message, timeout=timeout, markup=False)
