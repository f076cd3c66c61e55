"""The app's stylesheet: each source parsed once at start-up, and kept parsed between launches.

Textual parses the app's styles and every widget class's default CSS at each launch: ~20 ms of
the ~0.4 s to a big file's first rows, for text that changes only with logview or Textual. The
rules parsed are kept in the user's cache folder (`KeptStyles`), one file per theme's variables,
and a launch takes them from there (~2 ms). Each source is looked up by its whole text and where
it comes from, so a changed source is parsed afresh; a file kept by another Textual or Python is
never read (its name says which: `kept_name`); writing a file removes those no launch reads again
(`remove_stale`).

The file is a pickle, which runs code when read: it is read only if this user owns it and the
folder and no one else may write to either (as Python trusts its own `__pycache__`). A damaged
file must never stop a launch: the pickle is unpickled only if its BLAKE2 digest, written before it,
matches (one changed byte can unpickle into rules Textual trips on much later), and should kept
rules still fail where Textual applies them, every source is parsed again and the file rewritten.

Textual's `Stylesheet.reparse` also parses every source in a fresh stylesheet and keeps its
rules, not its parse cache: in 16 colours the theme's reparse at start-up was followed by a
`parse` of every source again, the app's own styles among them (~7 ms). `ParsedOnceStylesheet`
keeps it.
"""

from __future__ import annotations

import os
import pickle
import re
import stat
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import platformdirs
import textual
from textual.css.model import RuleSet
from textual.css.stylesheet import Stylesheet

try:  # (hashlib's own BLAKE2: `import hashlib` loads OpenSSL, ~3.5 MiB resident, for one name a launch)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python without it
    from hashlib import blake2b

# Textual's modules whose code makes the rules (a new Textual changes them, and so the file's name)
PARSING_MODULES = ("css/parse.py", "css/tokenize.py", "css/tokenizer.py", "css/model.py", "css/styles.py",
                   "css/_styles_builder.py", "css/scalar.py", "color.py")

ParseKey = tuple[str, tuple[str, str], bool, int, str]  # (css, read_from, is_default_rules, tie_breaker, scope)


def kept_styles_folder() -> Path:
    return Path(platformdirs.user_cache_dir("logview", appauthor=False))


def kept_name(variables: dict[str, str]) -> str:
    """The kept file's name for a theme's `variables`, under this Python and Textual:
    `styles-<theirs>-<the theme's>.pickle` (by the first part, `remove_stale` knows the files
    another Python or Textual made)."""
    theme = [f"{name}={value}" for name, value in sorted(variables.items())]
    return f"styles-{_made_by()}-{_hex(theme)}.pickle"


def _made_by() -> str:
    textual_dir = Path(textual.__file__).parent
    made_by = [sys.version, str(textual_dir)]
    for module in PARSING_MODULES:
        try:
            found = (textual_dir / module).stat()
            made_by.append(f"{module} {found.st_size} {found.st_mtime_ns}")
        except OSError:
            made_by.append(module)
    return _hex(made_by)


def _hex(parts: list[str]) -> str:
    return blake2b(chr(0).join(parts).encode(), digest_size=8).hexdigest()


# Names kept files had before (one digest of everything: sha256's, then BLAKE2's), and have now
EARLIER_NAME = re.compile(r"styles-(?:[0-9a-f]{32}|[0-9a-f]{64})\.pickle")
KEPT_NAME = re.compile(r"styles-([0-9a-f]{16})-[0-9a-f]{16}\.pickle")
OTHERS_KEPT_S = 30 * 86400  # another Python's or Textual's file unchanged this long: likely none reads it


def remove_stale(folder: Path, now: float) -> None:
    """Remove kept files no launch of this logview reads again (they stayed for ever): those named
    as before, and another Python's or Textual's (an upgrade's leftovers; or another install's,
    which writes its own again, hence only when unchanged for a month). Only logview's own names in
    its folder, only regular files of this user, no symlink followed; a file that cannot be
    removed stays."""
    mine = _made_by()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        kept = KEPT_NAME.fullmatch(entry.name)
        if not (kept or EARLIER_NAME.fullmatch(entry.name)) or (kept and kept.group(1) == mine):
            continue
        try:
            found = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(found.st_mode) and found.st_uid == os.getuid() and (
                    not kept or now - found.st_mtime > OTHERS_KEPT_S):
                os.unlink(entry.path)
        except OSError:
            pass


DIGEST_SIZE = 32  # (the BLAKE2 digest of the pickle, which follows it in the file)


def _digest(payload: bytes) -> bytes:
    return blake2b(payload, digest_size=DIGEST_SIZE).digest()


def _all_rule_lists(rules: object) -> bool:
    return isinstance(rules, dict) and all(
        isinstance(key, tuple) and isinstance(found, list) and all(isinstance(rule, RuleSet) for rule in found)
        for key, found in rules.items())


def _only_mine(found: os.stat_result) -> bool:
    return found.st_uid == os.getuid() and not found.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


class KeptStyles:
    """The rules parsed under a theme's variables, kept in `folder` between launches."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def read(self, variables: dict[str, str]) -> dict[ParseKey, list[RuleSet]]:
        """What was kept for `variables` (nothing if there is no file, or one that cannot be
        trusted or read: it is parsed again and written anew)."""
        path = self.folder / kept_name(variables)
        try:
            # (not blocking: a FIFO at the path would hold the launch before any check, deaf to keys)
            with open(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as kept:
                found = os.fstat(kept.fileno())
                if not (stat.S_ISREG(found.st_mode) and _only_mine(found) and _only_mine(os.stat(self.folder))):
                    return {}
                written = kept.read()
            digest, payload = written[:DIGEST_SIZE], written[DIGEST_SIZE:]
            if _digest(payload) != digest:
                return {}  # (damaged, or kept before files had their digest)
            rules = pickle.loads(payload)
        except Exception:  # (missing, truncated, made by other code: parsed again, as without it)
            return {}
        return rules if _all_rule_lists(rules) else {}

    def write(self, variables: dict[str, str], rules: dict[ParseKey, list[RuleSet]]) -> None:
        """Keep `rules` for `variables` (atomically: a launch beside this one reads the whole file
        or none). A folder that cannot be written keeps nothing."""
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=".styles.", dir=self.folder)
            try:
                payload = pickle.dumps(rules, protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(handle, "wb") as out:
                    out.write(_digest(payload) + payload)
                os.replace(temporary, self.folder / kept_name(variables))
            except BaseException:
                os.unlink(temporary)
                raise
        except (OSError, pickle.PicklingError):
            return
        remove_stale(self.folder, time.time())


# What `ParsedOnceStylesheet` reads of Textual's `Stylesheet` beyond its public methods: a Textual
# that renamed any of them gets its own stylesheet, every source parsed at each launch, as before.
TEXTUAL_INTERNALS = ("_parse_cache", "_variables", "_rules", "_rules_map", "_invalid_css", "_require_parse", "source")


class ParsedOnceStylesheet(Stylesheet):
    """A `Stylesheet` that takes what `kept` has before it parses a source, and whose `reparse`
    keeps what it parsed for the next `parse`."""

    @staticmethod
    def fits(stylesheet: Stylesheet) -> bool:
        """Whether `stylesheet` (Textual's, as the app made it) has what this one builds on."""
        return all(hasattr(stylesheet, name) for name in TEXTUAL_INTERNALS)

    @classmethod
    def instead_of(cls, stylesheet: Stylesheet, *, kept: KeptStyles | None) -> ParsedOnceStylesheet:
        """One for Textual's `stylesheet` (as the app made it: no source read yet, its theme's variables)."""
        return cls(variables=stylesheet._variables, kept=kept)

    def __init__(self, *, variables: dict[str, str] | None = None, kept: KeptStyles | None = None) -> None:
        super().__init__(variables=variables)
        self.kept = kept
        self._kept_rules: dict[ParseKey, list[RuleSet]] | None = None  # (read at the first parse)
        self._parsed_here = False  # a source was parsed that the kept file did not have

    def set_variables(self, variables: dict[str, str]) -> None:
        super().set_variables(variables)
        self._kept_rules = None  # (another theme: another file)

    def _take_kept(self) -> None:
        """Each source not parsed yet, from the kept file if it has it."""
        if self.kept is None:
            return
        if self._kept_rules is None:
            self._kept_rules = self.kept.read(self._variables)
        for read_from, (css, is_defaults, tie_breaker, scope) in self.source.items():
            key = (css, read_from, is_defaults, tie_breaker, scope)
            if key not in self._parse_cache:
                rules = self._kept_rules.get(key)
                if rules is not None:
                    self._parse_cache[key] = rules
                else:
                    self._parsed_here = True

    def parse(self) -> None:
        self._take_kept()
        super().parse()

    def apply(self, node: Any, *, animate: bool = False, cache: dict[tuple, Any] | None = None) -> None:
        try:
            super().apply(node, animate=animate, cache=cache)
        except Exception:
            if not self._kept_rules:
                raise  # (Textual's own parse: not the kept file's fault)
            self._forget_kept()
            if cache is not None:
                cache.clear()
            super().apply(node, animate=animate, cache=cache)

    def _forget_kept(self) -> None:
        """Parse every source again, as with no kept file (which `keep_parsed` rewrites): kept
        rules that Textual trips on must not stop a launch, nor the next."""
        self._kept_rules = {}
        self._parse_cache.clear()
        self.parse()  # (each source marked parsed here)

    def reparse(self) -> None:
        # As Textual's (a fresh stylesheet, so that invalid CSS leaves this one as it was), but the
        # fresh one fills this one's parse cache: parsed with the same variables (`set_variables`,
        # which a theme's change calls before reparsing, empties it).
        self._take_kept()
        fresh = Stylesheet(variables=self._variables)
        fresh._parse_cache = self._parse_cache
        for read_from, source in self.source.items():
            fresh.add_source(source.content, read_from=read_from, is_default_css=source.is_defaults,
                             tie_breaker=source.tie_breaker, scope=source.scope)
        try:
            fresh.parse()
        except Exception:
            self._invalid_css.update(fresh._invalid_css)  # (as Textual: not parsed again on the way out)
            raise
        self._rules = fresh.rules
        self._rules_map = None
        self.source = fresh.source
        self._require_parse = False

    def keep_parsed(self) -> None:
        """Keep the rules of every source parsed (for the theme now on), if any was parsed here."""
        if self.kept is None or not self._parsed_here or self._invalid_css:
            return
        rules: dict[Any, list[RuleSet]] = dict(self._kept_rules or {})
        for key in list(self._parse_cache.keys()):
            rules[key] = self._parse_cache[key]
        self.kept.write(self._variables, rules)
        self._parsed_here = False


__all__ = ["KeptStyles", "ParsedOnceStylesheet", "kept_name", "kept_styles_folder", "remove_stale"]
