"""Each API's plainly valid entry as a typed msgspec Struct: a value decodes into one only when
every schema field has the type `Source.plainly_valid` demands (an `int` is never a bool or a float;
a Supermetrics status is within 100..599 ...), so a decode is a C-speed proof that the entry is
plain, and the fields come out without a `dict.get` each.

Used by the file reader (`files/typed.py`, a big file's columns) and by a page's fast path
(`sources/typed_page.py`). Where msgspec is laxer than `load_json` (non-UTF-8 bytes in values it
skips, escaped surrogates), the caller keeps such input from it: see those modules.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from msgspec import Meta, Struct, field

_DOUBLE_INT = 2**53  # Aitronos takes an integer duration only when a double holds it exactly


class SupermetricsDocumented(Struct, gc=False, forbid_unknown_fields=True):
    """A Supermetrics line holding the documented keys and no other, as the API writes them:
    decoding into it shows that no credential or tool is there (`SupermetricsFields` would read
    them as None), which spares a Struct four fields and the reader a look at each."""

    # An error group is made of the status (HTTP 400 and up) and the event alone: the reader
    # asks `error_group` once per pair of codes, not once per line.
    GROUPED_BY_STATUS_AND_EVENT: ClassVar[bool] = True

    # (in the order the API writes them: msgspec looks for a key from where the last was found)
    id: str
    stamp: str = field(name="log_time")
    status: Annotated[int, Meta(ge=100, le=599)] | None = None
    event: str | None = None
    request: str | None = None
    duration_ms: Annotated[int, Meta(ge=0)] | None = None
    request_id: str | None = None


class SupermetricsFields(SupermetricsDocumented, forbid_unknown_fields=False):
    """`SupermetricsSource.plainly_valid`, as types; and the other keys the columns read."""

    credential_id: Any = None
    tool: Any = None
    tool_key: Any = None
    tool_name: Any = None


class ErrorFields(Struct, frozen=True, gc=False):
    """An Aitronos error object: the two keys its error group reads (`AitronosSource.error_group`
    only `.get`s them, so absent and null are alike), the rest skipped. Frozen: hashable, part of
    the key its lines' group is found by (`files/groups.py`)."""

    code: Any = None
    message: Any = None


class AitronosFields(Struct, kw_only=True, gc=False):
    """`AitronosSource.plainly_valid`, as types; and the other keys the columns and the error
    group (`AitronosSource.error_group`: `error`, `error_message`) read."""

    GROUPED_BY_STATUS_AND_EVENT: ClassVar[bool] = False

    # (in the order the API writes them: msgspec looks for a key from where the last was found)
    id: str
    stamp: str = field(name="created_at")
    credential_id: str | None = None
    tool: Any = None
    status: str | None = None
    duration_ms: Annotated[int, Meta(gt=-_DOUBLE_INT, lt=_DOUBLE_INT)] | float | None = None
    # any JSON value, as `load_json` reads it (an object as its code and message alone)
    error: ErrorFields | str | int | float | bool | list[Any] | None = None
    event: Any = None
    tool_key: Any = None
    tool_name: Any = None
    error_message: Any = None


Fields = SupermetricsFields | AitronosFields
SHAPES: dict[str, type[Struct]] = {"supermetrics": SupermetricsFields, "aitronos": AitronosFields}
# A shape's lines that hold their documented keys alone, where files of it usually do (an Aitronos
# entry holds more: inputs, output, metadata ...)
DOCUMENTED: dict[str, type[Struct]] = {"supermetrics": SupermetricsDocumented}
