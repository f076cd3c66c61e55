"""Layering rules the design depends on: the import-linter contracts in pyproject.toml, and a few
finer rules checked on the source tree."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "logview"


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def modules_under(folder: Path, exclude: str | None = None) -> list[Path]:
    return [p for p in folder.rglob("*.py") if not (exclude and exclude in p.relative_to(PACKAGE).parts)]


@pytest.mark.parametrize("path", modules_under(PACKAGE, exclude="ui"), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_nothing_outside_ui_imports_textual(path):
    assert not {m for m in imported_modules(path) if m.split(".")[0] in ("textual", "rich")}


@pytest.mark.parametrize("path", modules_under(PACKAGE / "sources"), ids=lambda p: p.name)
def test_sources_never_touch_the_network(path):
    assert not {m for m in imported_modules(path) if m.split(".")[0] in ("httpx", "socket", "logview")
                and m not in ("logview.model", "logview.times", "logview.jsonutil", "logview.sanitize")
                and not m.startswith("logview.sources")}


@pytest.mark.parametrize("path", modules_under(PACKAGE / "demo"), ids=lambda p: p.name)
def test_the_demo_server_is_independent_of_the_client_it_tests(path):
    assert not {m for m in imported_modules(path) if m.startswith("logview.") and not m.startswith("logview.demo")}


def test_the_import_contracts_hold():
    """`lint-imports`: the layers import only downward, Textual stays in ui, the demo stands alone."""
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=PACKAGE.parents[1], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


@pytest.mark.parametrize("path", modules_under(PACKAGE), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_module_stays_small(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 420


def test_styles_ship_inside_the_wheel():
    pyproject = (PACKAGE.parents[1] / "pyproject.toml").read_text()
    assert '"styles" = "logview/styles"' in pyproject


def notify_calls_without_markup_off(path: Path) -> list[int]:
    """The lines of `path` where a toast is asked for (`notify(…)`, `_notify(…)`) without `markup=False`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) in (
                "notify", "_notify"):
            markup = next((k.value for k in node.keywords if k.arg == "markup"), None)
            if not (isinstance(markup, ast.Constant) and markup.value is False):
                found.append(node.lineno)
    return found


@pytest.mark.parametrize("path", modules_under(PACKAGE / "ui"), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_toast_shows_its_text_as_written(path):
    """A toast's text is never read as markup: '([ and ] switch tabs)' showed as '( switch tabs)',
    and a value from a file or an API would be taken for tags (found in a walk)."""
    assert not notify_calls_without_markup_off(path)
