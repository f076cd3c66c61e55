"""A profile's problems fitted to a narrow terminal by every command, as `logview config` fits them
(s31): `export`, `sql`, `archive …` and the viewer's start printed them unfitted, and the terminal
broke them where its edge fell, inside a URL, a path, a variable's name. Through a pipe each problem
stays one line."""

from __future__ import annotations

import re

import pytest

from test_export import CLEAN_ENV, logview
from test_terminal_output import on_a_terminal

VARIABLE = "FREDDY_PROD_KEY_FOR_THE_GATEWAY_STAGING"
CONFIG = f"""
[profiles.prod]
source = "aitronos"
org = "org_123"
key_env = "{VARIABLE}"
base_url = "https://logs-gateway.internal.example-company.com/aitronos/v1"
[profiles.prod.filters]
status = ["error", "bogus"]
since = "yesterday-ish"

[profiles.other]
source = "supermetrics"
team = "x"
"""
COLUMNS = 60


@pytest.mark.parametrize("command", [
    ("export", "--profile", "prod"),
    ("sql", "--profile", "prod", "--sync", "select 1"),
    ("--profile", "prod"),  # the viewer: refused before a screen is drawn
    ("archive", "prune", "--profile", "other", "--max-age", "1d"),
], ids=["export", "sql-sync", "viewer", "archive-prune"])
def test_a_profiles_problems_are_fitted_to_a_narrow_terminal(tmp_path, command):
    config = tmp_path / "config.toml"
    config.write_text(CONFIG)
    env = {"LOGVIEW_CONFIG": str(config), "XDG_DATA_HOME": str(tmp_path / "data")}
    code, received, _ = on_a_terminal(*command, env={**CLEAN_ENV, **env}, columns=COLUMNS, stderr_too=True)
    lines = received.decode().replace("\r\n", "\n").splitlines()
    piped = logview(*command, env=env)
    said = piped.stderr.decode().splitlines()
    assert code == piped.returncode == 2, lines
    assert any(len(line) > COLUMNS for line in said), said  # (else this test would prove nothing)

    # no line past the terminal's edge but a single word too long for any (the config's path: whole, on its
    # own line); each line continued at column 4, under the message and under its problems at 2
    assert lines and all(len(line) <= COLUMNS or " " not in line.strip() for line in lines), lines
    assert re.match(r"logview( sql| archive)?:( |$)", lines[0]), lines
    assert all(re.match(r"( {2}| {4})\S", line) for line in lines[1:]), lines

    # each line of the pipe's, its continued lines joined: broken between words only
    blocks: list[list[str]] = []
    for line in lines:
        if line.startswith("    "):
            blocks[-1].append(line.strip())
        else:
            blocks.append([line.strip()])
    assert [" ".join(block) for block in blocks] == [line.strip() for line in said], (lines, said)
    assert len(blocks[0]) > 1 and any(len(block) > 1 for block in blocks[1:]), lines
    if command[0] != "archive":  # (the key's variable, named whole on a line)
        assert any(line.strip() == VARIABLE or line.endswith(f" {VARIABLE}") for line in lines), lines
