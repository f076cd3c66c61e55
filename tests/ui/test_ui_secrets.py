"""The key never reaches the viewer's screen: a wrong key's 401 banner, a 403 and a 5xx after
retries show the error, not the key; nothing the viewer writes under HOME/XDG dirs holds it."""

from __future__ import annotations

from pathlib import Path

import pytest

from logview.demo import DEMO_ORG, DemoServer, Fault
from logview.options import Connection
from logview.sources import AitronosSource
from ui_helpers import SIZE, make_app, screen_text, settle

CANARY = "sk-LEAK-CANARY-1234567890"


def assert_clean(text: str, where: str) -> None:
    for form in (CANARY, CANARY[8:], "Bearer "):
        assert form not in text, f"key leaked {where}: {text!r}"


@pytest.fixture
def homes(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "home"
    for name in ("HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        (root / name.lower()).mkdir(parents=True)
        monkeypatch.setenv(name, str(root / name.lower()))
    return root


@pytest.mark.parametrize(("kind", "fault", "expected"), [
    ("aitronos", None, "HTTP 401 AUTHENTICATION_REQUIRED"),
    ("supermetrics", None, "HTTP 401 UNAUTHORIZED"),
    ("aitronos", Fault(kind="status", status=403, api="aitronos"), "HTTP 403"),
    ("supermetrics", Fault(kind="status", status=503, count=6, api="supermetrics"), "HTTP 503"),
])
async def test_the_error_banner_never_shows_the_key(fresh_demo: DemoServer, homes: Path, kind, fault,
                                                    expected) -> None:
    if fault is not None:
        fresh_demo.state.add_fault(fault)
    app = make_app(fresh_demo, kind, key=CANARY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert expected in text
        assert_clean(text, "on the screen")
        await pilot.press("r")  # retry: the banner is drawn again
        await settle(pilot)
        assert_clean(screen_text(app), "on the screen after a retry")
        await pilot.press("question_mark")  # help, then the command palette: no key there either
        await pilot.pause()
        assert_clean(screen_text(app), "in the help screen")
        assert app.is_running
    for path in homes.rglob("*"):
        if path.is_file():
            assert_clean(path.read_bytes().decode("utf-8", "replace"), f"in {path}")


@pytest.mark.parametrize("key", [CANARY + "é", CANARY + "\nX-Evil: 1", "sk-LEAK CANARY-1234567890"])
def test_a_key_that_would_crash_the_viewer_is_refused_without_echoing_it(key) -> None:
    """Textual prints a crash with every frame's locals — the request headers among them — so a key
    httpx cannot encode is refused when the connection is made, and the message omits it."""
    with pytest.raises(ValueError) as info:
        Connection(AitronosSource(DEMO_ORG, base_url="http://127.0.0.1:1"), key, "x")
    assert "LEAK" not in str(info.value)


async def test_a_key_echoed_by_the_server_is_redacted_in_the_banner(fresh_demo: DemoServer, homes: Path,
                                                                    monkeypatch) -> None:
    import httpx

    from logview.api.client import ApiClient

    def handler(request: httpx.Request) -> httpx.Response:
        sent = request.headers.get("x-api-key", "")
        return httpx.Response(401, json={"success": False, "error": {
            "code": "AUTHENTICATION_REQUIRED", "message": f"unknown key {sent}", "details": {"key": sent}}})

    original = ApiClient.__init__

    def init(self, *args, **kwargs):
        kwargs["transport"] = httpx.MockTransport(handler)
        original(self, *args, **kwargs)

    monkeypatch.setattr(ApiClient, "__init__", init)
    app = make_app(fresh_demo, "aitronos", key=CANARY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "HTTP 401" in text and "unknown key [redacted]" in text
        assert_clean(text, "on the screen")
        await pilot.press("enter")
        await pilot.pause()
        assert_clean(screen_text(app), "on the screen")
