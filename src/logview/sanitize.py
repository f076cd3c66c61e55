"""Make untrusted text (API responses, files) safe to put on a terminal.

Rich and Textual pass control characters through to the terminal, so a log value carrying
`ESC ]2;…BEL` could retitle the window, `ESC ]52;…` write the clipboard, and a bare `ESC [2J`
clear the screen. Every string shown by the viewer goes through `clean` (or `clean_line` for a
one-line table cell) *and* is rendered as plain text, never as markup.

Removed: C0 controls except tab and newline, DEL, C1 controls (U+0080–U+009F, `CSI` among them),
lone surrogates, and the Unicode bidirectional overrides/isolates that can make a terminal line
read differently from what it contains.

The CLI's data on a terminal (`export`, `sql` as CSV or JSONL) keeps them visible instead, as
`ls -q` does for file names: `visible` writes each as a backslash escape (`\\x1b`), `inert_json`
as the JSON escape that means the same character. Written to a file or a pipe the data stays exact.
"""

from __future__ import annotations

import re

# C0 minus \t (0x09) and \n (0x0a); DEL; C1; bidi embeddings/overrides (U+202A–U+202E) and
# isolates (U+2066–U+2069).
# Lone surrogates (U+D800–U+DFFF, from a JSON `\\ud800` escape) go too: they cannot be encoded
# for the terminal and would crash the writer.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_UNSAFE_OR_BREAK = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]")


def clean(text: str) -> str:
    """`text` without control characters; tab and newline are kept for multi-line views."""
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub("", text)


def _line_replacement(match: re.Match[str]) -> str:
    return " " if match.group() in "\t\n\r\u2028\u2029" else ""


def clean_line(text: str) -> str:
    """`text` made safe for one table cell: line breaks and tabs become spaces."""
    if _UNSAFE_OR_BREAK.search(text) is None:
        return text
    return _UNSAFE_OR_BREAK.sub(_line_replacement, text)


# What `clean_line` changes but a newline: texts joined by newlines are looked at once (`shown_otherwise`).
_CHANGED_IN_LINE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]")


def shown_otherwise(texts: list[str], joined: str) -> list[str]:
    """Those of `texts` that a table cell shows otherwise, as it shows them (`clean_line`: controls
    left out, a tab or line break as a space). `joined`: the texts joined by newlines, looked at
    once: a value rarely holds any of those (each of them looked at was 50% more of a search's text)."""
    if joined.count("\n") < len(texts) and _CHANGED_IN_LINE.search(joined) is None:
        return []
    return [shown for text in texts if (shown := clean_line(text)) != text]


def is_clean(text: str) -> bool:
    """True when `clean` would leave `text` unchanged (for tests and assertions)."""
    return _UNSAFE.search(text) is None


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` with each character `clean` removes written as its escape (`\\x1b`, `\\x9b`, `\\u202e`):
    what a CSV cell holds is seen on a terminal, never acted on. Tab and newline stay (a CSV
    field quoted by the writer may hold a newline); a carriage return, which would move the
    cursor back over the line, does not."""
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(_escaped, text)


# In UTF-8 JSON text (orjson's: C0 and lone surrogates already escaped) what a terminal could still
# act on: DEL, C1 (U+0080–U+009F, 0xC2 0x80–0x9F) and the bidi controls (U+202A–U+202E, U+2066–U+2069).
_UNSAFE_IN_JSON = re.compile(rb"\x7f|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]")


def _json_escaped(match: re.Match[bytes]) -> bytes:
    return b"\\u%04x" % ord(match.group().decode("utf-8"))


def inert_json(line: bytes) -> bytes:
    """A JSON text (UTF-8) with the controls a terminal could act on written as `\\u009b`: the same
    JSON value, read back, and inert on a terminal. They can only stand inside strings."""
    if _UNSAFE_IN_JSON.search(line) is None:
        return line
    return _UNSAFE_IN_JSON.sub(_json_escaped, line)


def _json_escaped_text(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def inert_copied_line(line: bytes) -> bytes:
    """A file's line copied to a terminal (`export --file` to stdout): each control `clean` removes
    written as its JSON escape (`\\u001b`), bytes that are not UTF-8 as `\\xff`. A JSON line reads
    back as the same value (a control stands only inside its strings); any other line (a torn one,
    garbage) is seen, never acted on, where `inert_json` would have let its raw ESC through."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        text = line.decode("utf-8", "backslashreplace")
    else:
        if _UNSAFE.search(text) is None:
            return line
    return _UNSAFE.sub(_json_escaped_text, text).encode()
