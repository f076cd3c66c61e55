"""A key the API refuses (401) is said with the variable it was read from, never its value: the
server's words name no variable, and with a profile's own `key_env` the user was left to guess
which one to fix (found in a walk)."""

from __future__ import annotations

import pytest

from logview.demo import DEMO_AITRONOS_KEY, DEMO_ORG, Fault

from test_export import aitronos_args, logview, supermetrics_args

WRONG = "sk-wrong-0123456789abcdef"


def profile_config(tmp_path, server) -> str:
    path = tmp_path / "config.toml"
    path.write_text(f'[profiles.prod]\nsource = "aitronos"\norg = "{DEMO_ORG}"\nbase_url = "{server.url}"\n'
                    'key_env = "FREDDY_PROD_KEY"\n')
    return str(path)


@pytest.mark.parametrize("api", ["aitronos", "supermetrics"])
def test_export_names_the_variable_of_the_refused_key(server, api):
    args, variable = ((aitronos_args(server), "FREDDY_API_KEY") if api == "aitronos"
                      else (supermetrics_args(server), "SUPERMETRICS_API_KEY"))
    result = logview(*args, env={variable: WRONG})
    assert (result.returncode, result.stdout) == (3, b"")
    lines = result.stderr.decode().splitlines()
    assert lines[0].startswith("logview: HTTP 401 ")
    assert lines[1:] == [f"logview: the key in {variable} was refused: check it, or set another"]
    assert WRONG not in result.stderr.decode()


def test_export_of_a_profile_names_its_key_env(server, tmp_path):
    result = logview("export", "--profile", "prod",
                     env={"LOGVIEW_CONFIG": profile_config(tmp_path, server), "FREDDY_PROD_KEY": WRONG,
                          "FREDDY_API_KEY": DEMO_AITRONOS_KEY})  # (not the one read)
    assert result.returncode == 3
    said = result.stderr.decode()
    assert "logview: the key in FREDDY_PROD_KEY was refused: check it, or set another\n" in said
    assert "FREDDY_API_KEY" not in said and WRONG not in said


def test_sql_sync_names_the_variable_too(server, tmp_path):
    result = logview("sql", "SELECT 1", "--profile", "prod", "--sync",
                     env={"LOGVIEW_CONFIG": profile_config(tmp_path, server), "FREDDY_PROD_KEY": WRONG})
    assert (result.returncode, result.stdout) == (3, b"")
    assert result.stderr.decode().splitlines()[1:] == [
        "logview sql: the key in FREDDY_PROD_KEY was refused: check it, or set another"]


def test_another_failure_blames_no_key(fresh_server):
    """A 403 (a key without access) or a 5xx is not a key refused: no line says it is."""
    fresh_server.state.add_fault(Fault(kind="status", status=403, api="aitronos"))
    result = logview(*aitronos_args(fresh_server), env={"FREDDY_API_KEY": DEMO_AITRONOS_KEY})
    assert result.returncode == 3 and "HTTP 403" in result.stderr.decode()
    assert "was refused" not in result.stderr.decode()
