"""The values that flow from the sources to the views: entries, pages, filters and API errors.

Models are tolerant of reality: unknown fields are kept, nulls are allowed where the contracts allow
them, times parse leniently, and an entry that does not fit its schema is kept and marked invalid
instead of being dropped — a log viewer must show what it was given.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import msgspec

from logview.sanitize import clean_line
from logview.times import is_relative, parse_api_time, parse_time_range

SourceKind = Literal["aitronos", "supermetrics"]
SOURCE_KINDS: tuple[SourceKind, ...] = ("aitronos", "supermetrics")

AITRONOS_STATUSES: tuple[str, ...] = ("success", "error", "blocked", "timeout")
# `other`: no HTTP status in the classes before it: events that record none (`sync.start`), and 1xx
# or out-of-range values. It makes the options add up to every entry.
SUPERMETRICS_STATUS_CLASSES: tuple[str, ...] = ("2xx", "3xx", "4xx", "5xx", "other")
OTHER_STATUS = "other"

_BUILDING = threading.RLock()  # a model is built once, whichever thread (UI, file reader) asks first


class BuiltOnFirstUse(type):
    """The metaclass of a pydantic model's stand-in. Importing pydantic and building a model's
    validators costs a few hundred ms of every launch, while a file whose lines all fit their
    schema never needs one: the model (`build()`) is built the first time the class is used —
    validated against, called, asked for a field, `isinstance` — and everything is forwarded to it.
    What it returns are instances of the built model, which `isinstance` accepts as this class's."""

    def built_model(cls) -> type:
        built = cls.__dict__.get("_built")
        if built is None:
            with _BUILDING:
                built = cls.__dict__.get("_built")
                if built is None:
                    built = cls.__dict__["build"]()
                    type.__setattr__(cls, "_built", built)
        return built

    def __getattr__(cls, name: str) -> Any:
        if name.startswith("__") and not name.startswith("__pydantic"):
            raise AttributeError(name)  # the interpreter's own probes (`__wrapped__` …) build nothing
        return getattr(cls.built_model(), name)

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        return cls.built_model()(*args, **kwargs)

    def __instancecheck__(cls, instance: Any) -> bool:
        return isinstance(instance, cls.built_model())

    def __subclasscheck__(cls, subclass: type) -> bool:
        return issubclass(subclass, cls.built_model())


def _lenient_time(value: Any) -> datetime:
    parsed = parse_api_time(value)
    if parsed is None:
        # (a list or an object is named, not quoted: its repr recursed, 1,000 deep, as its row was drawn)
        shown = {dict: "an object", list: "a list"}.get(type(value)) or repr(value)[:80]
        raise ValueError(f"not a recognisable time: {shown}")
    return parsed


def _lenient_time_type() -> Any:
    from typing import Annotated

    from pydantic import BeforeValidator

    return Annotated[datetime, BeforeValidator(_lenient_time)]


def __getattr__(name: str) -> Any:
    # `LenientTime` (a pydantic annotation) is made when asked for, like the models that use it.
    if name == "LenientTime":
        return _lenient_time_type()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@functools.cache
def _entry_models() -> dict[str, type]:
    """Both APIs' entry models, built together (one import of pydantic, one lenient time type)."""
    from pydantic import BaseModel, ConfigDict, Field

    LenientTime = _lenient_time_type()  # noqa: F841 - the annotations below name it
    tolerant = ConfigDict(extra="allow", coerce_numbers_to_str=True)

    class AitronosLog(BaseModel):
        """An Aitronos execution log. Only `id` and `created_at` are documented; the rest is optional."""

        model_config = tolerant

        id: str
        created_at: LenientTime
        status: str | None = None
        credential_id: str | None = None
        duration_ms: float | None = None

    class SupermetricsLog(BaseModel):
        """A Supermetrics Connector Builder log entry, per the public OpenAPI schema."""

        model_config = tolerant

        id: str
        log_time: LenientTime
        status: int | None = Field(default=None, ge=100, le=599)
        event: str | None = None
        request: str | None = None
        duration_ms: int | None = Field(default=None, ge=0)
        request_id: str | None = None

    return {"aitronos": AitronosLog, "supermetrics": SupermetricsLog}


class AitronosLog(metaclass=BuiltOnFirstUse):
    """An Aitronos execution log (a pydantic model, built on first use): `AitronosLog.model_validate(raw)`."""

    build = staticmethod(lambda: _entry_models()["aitronos"])


class SupermetricsLog(metaclass=BuiltOnFirstUse):
    """A Supermetrics log entry (a pydantic model, built on first use): `SupermetricsLog.model_validate(raw)`."""

    build = staticmethod(lambda: _entry_models()["supermetrics"])


@dataclass(slots=True)
class LogEntry:
    """One entry, normalised just enough to sort, de-duplicate and filter; `raw` is as received.

    `invalid` holds the reason when the entry did not match its schema; it is still shown.
    """

    id: str
    time: datetime | None
    status: str | int | None
    raw: Any
    source: SourceKind
    invalid: str | None = None


class Page(msgspec.Struct):
    """One parsed response page. `total`/`has_more`/`returned` only where the API reports them (Aitronos)."""

    entries: Sequence[LogEntry]  # (a typed Supermetrics page's: a `ColumnEntries`, not a list)
    total: int | None = None
    has_more: bool | None = None
    returned: int | None = None  # what the server says the page holds (checked against `entries`)


class Filters(msgspec.Struct, frozen=True, kw_only=True):
    """What the user asked to see. Which parts run on the server is the source's decision.
    (A plain frozen value: no pydantic on the way to the first screen.)"""

    statuses: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    credential: str | None = None
    event: str | None = None
    tool: str | None = None  # Aitronos `tool`; always applied locally
    error: str | None = None  # an error group (`Source.error_group`); always applied locally
    origin: str | None = None  # the merged timeline's tab an entry comes from (no entry knows it)
    search: str | None = None
    # The time range as the user typed it (`24h`, `2025-11-15`), when it was typed rather than
    # picked: shown and saved as typed, and a relative one is resolved again (`resolved`) on a
    # reload and while tailing, so `24h` stays "the last 24 hours".
    since_text: str | None = None
    until_text: str | None = None

    def __post_init__(self) -> None:
        if type(self.statuses) is not tuple:  # a list given (as pydantic took it): kept hashable
            msgspec.structs.force_setattr(self, "statuses", tuple(self.statuses))

    def model_copy(self, *, update: dict[str, Any] | None = None) -> Filters:
        """A copy with the fields in `update` changed (the name pydantic gives it, kept for callers)."""
        return msgspec.structs.replace(self, **(update or {}))

    def is_empty(self) -> bool:
        return self == Filters()

    def with_time_range(self, since_text: str, until_text: str, now: datetime | None = None) -> Filters:
        """These filters over the range typed (blank: open-ended). Raises TimeParseError."""
        since, until = parse_time_range(since_text, until_text, now=now)
        return self.model_copy(update={"since": since, "until": until,
                                       "since_text": since_text.strip() or None,
                                       "until_text": until_text.strip() or None})

    def with_moments(self, since: datetime | None, until: datetime | None) -> Filters:
        """These filters over a range picked as moments (the histogram), not typed."""
        return self.model_copy(update={"since": since, "until": until, "since_text": None, "until_text": None})

    @property
    def relative(self) -> bool:
        """Whether the range moves with the clock (`24h`)."""
        return any(text is not None and is_relative(text) for text in (self.since_text, self.until_text))

    def resolved(self, now: datetime | None = None) -> Filters:
        """The same filters with relative times counted back from `now` again."""
        if not self.relative:
            return self
        return self.with_time_range(self.since_text or "", self.until_text or "", now=now)

    def ended_by(self, now: datetime) -> bool:
        """Whether no entry from `now` on can match: an `until` already past that stays where it is (a
        relative one, `4d`, moves with the clock while tailing: what a tail brings slides into range)."""
        return self.until is not None and self.until <= now and not (
            self.until_text is not None and is_relative(self.until_text))


# The code of a request that logview's own pace for the API's budget held back too long: no server
# refused it, so `summary` says it in logview's words alone (`RATE_LIMITED: API budget 7/10 …` read
# as a 429 that never came, s30). A 429 the server sent keeps the server's code.
PACED_BY_LOGVIEW = "PACED_BY_LOGVIEW"


class ApiError(msgspec.Struct, frozen=True, kw_only=True):
    """Every failure — either envelope shape, a proxy's HTML page, a torn body, a network fault —
    reduced to one value the CLI prints and the viewer shows inline."""

    status: int | None = None  # None when no HTTP response arrived at all
    code: str
    message: str
    detail: str | None = None
    request_id: str | None = None
    retry_after: float | None = None  # seconds, from Retry-After
    body_excerpt: str | None = None
    retryable: bool = False

    def model_copy(self, *, update: dict[str, Any] | None = None) -> ApiError:
        """A copy with the fields in `update` changed (the name pydantic gives it, kept for callers)."""
        return msgspec.structs.replace(self, **(update or {}))

    @property
    def answered(self) -> bool:
        """A 2xx whose body was unusable (not JSON, torn): its status names no error, and its
        message says what was wrong ("HTTP 200 INVALID_RESPONSE" read as if 200 were the error)."""
        return self.status is not None and 200 <= self.status < 300

    def summary(self) -> str:
        """`HTTP <status> <CODE>: <message> (request <id>)`: the line export prints on failure
        (a 2xx that was unusable, or logview's own pace: its message alone)."""
        head = f"HTTP {self.status} {self.code}" if self.status is not None else self.code
        text = self.message if self.answered or self.code == PACED_BY_LOGVIEW else f"{head}: {self.message}"
        if self.request_id:
            text += f" (request {self.request_id})"
        return text

    def sentence(self) -> str:
        """`summary` with the detail told in it, one line: `HTTP 429 RATE_LIMIT_EXCEEDED: Rate limit
        exceeded. Too many requests for this API key; retry_after: 3600 (request req_1)`, the words the
        banner shows on its lines (export printed the detail below, the envelope's `details` as raw JSON, s31)."""
        lines = (self.detail or "").splitlines()
        told = "; ".join(part for line in lines if (part := " ".join(line.split()).rstrip(".;,")))
        message = " ".join(self.message.split())
        joined = f"{message}{' ' if message.endswith(('.', '!', '?')) else ': '}{told}" if told else message
        return clean_line(msgspec.structs.replace(self, message=joined).summary())


class ApiFailure(Exception):
    """Raised when a request failed for good (after retries, or not retryable)."""

    def __init__(self, error: ApiError, *, gave_up: str | None = None) -> None:
        self.error = error
        self.gave_up = gave_up  # why retrying stopped early, e.g. a Retry-After above the limit
        super().__init__(self.describe())

    def describe(self) -> str:
        text = self.error.sentence()
        if self.gave_up:
            text += f"; {self.gave_up}"
        return text


class ServerQuery(msgspec.Struct):
    """The part of the filters one request stream sends to the server (one Aitronos status each)."""

    status: str | None = None
    credential: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    extra: dict[str, str] = msgspec.field(default_factory=dict)


def counted(count: int, noun: str = "entry", plural: str = "entries") -> str:
    """`1 entry`, `2,345 entries`, `1 page`: a count with its noun, singular or plural."""
    return f"{count:,} {noun if count == 1 else plural}"


_SIZE_UNITS = ("KiB", "MiB", "GiB", "TiB")


def sized(size: int) -> str:
    """A size in bytes as every message says one (a file and the part of it read, the archive, the
    archive writer's backlog: they said "5.0 MiB", "5.2 MB" and "8 MiB"): binary units, one decimal
    below 10, as `ls -h` says them: `512 bytes`, `300 KiB`, `8.0 MiB`, `1.2 GiB`."""
    if size < 1024:
        return counted(size, "byte", "bytes")
    value = float(size)
    for unit in _SIZE_UNITS:
        value /= 1024
        if round(value, 1) < 10:
            return f"{value:.1f} {unit}"
        if round(value) < 1024 or unit == _SIZE_UNITS[-1]:
            return f"{value:.0f} {unit}"
    raise AssertionError("unreachable: the last unit returns")


# Severity of a status, used for colours and for jumping between problem entries (e / E).
SEV_UNKNOWN, SEV_OK, SEV_INFO, SEV_WARN, SEV_ERROR = 0, 1, 2, 3, 4
_WORD_SEVERITY = {"success": SEV_OK, "ok": SEV_OK, "error": SEV_ERROR, "failed": SEV_ERROR,
                  "failure": SEV_ERROR, "blocked": SEV_WARN, "timeout": SEV_WARN}


def severity(status: str | int | None) -> int:
    """How alarming a status is: words (Aitronos) and HTTP codes (Supermetrics) alike."""
    if isinstance(status, bool) or status is None:
        return SEV_UNKNOWN
    if isinstance(status, str):
        text = status.strip().lower()
        if text.isdecimal():  # not isdigit: `int` refuses a digit that is no decimal (`²`)
            return severity(int(text))
        return _WORD_SEVERITY.get(text, SEV_UNKNOWN)
    if not isinstance(status, int):
        return SEV_UNKNOWN
    if status in (408, 429):
        return SEV_WARN
    if 200 <= status < 300:
        return SEV_OK
    if 100 <= status < 200 or 300 <= status < 400:
        return SEV_INFO
    if 400 <= status < 600:
        return SEV_ERROR
    return SEV_UNKNOWN
