"""`logview config` on a narrow terminal (s30): a line too long for the terminal broke where its edge
fell, inside a base_url, a path, a key variable's name. On a terminal its lines now break between
their parts, as `archive list` does, each part whole; through a pipe each stays one line."""

from __future__ import annotations

from itertools import takewhile

import pytest

from test_export import CLEAN_ENV, logview
from test_terminal_output import on_a_terminal

URL = "https://logs-gateway.internal.example-company.com/aitronos/v1"
VARIABLE = "SUPERMETRICS_BUILDER_STAGING_API_KEY"
CONFIG = f"""
archive_max_age = "90d"

[profiles.prod]
source = "aitronos"
org = "org_123"
key_env = "FREDDY_PROD_KEY"
base_url = "{URL}"
follow = true

[profiles.prod.filters]
status = ["error", "timeout"]
since = "24h"
search = "token refresh failed"

[profiles.builder]
source = "supermetrics"
team = 42
connector = "T3S70"
key_env = "{VARIABLE}"
"""


@pytest.mark.parametrize("columns", [60, 80])
def test_config_breaks_its_lines_between_parts_on_a_narrow_terminal(tmp_path, columns):
    config = tmp_path / "config.toml"
    config.write_text(CONFIG)
    env = {"LOGVIEW_CONFIG": str(config), "XDG_DATA_HOME": str(tmp_path / "data")}
    code, received, _ = on_a_terminal("config", env={**CLEAN_ENV, **env}, columns=columns, stderr_too=True)
    lines = received.decode().replace("\r\n", "\n").splitlines()
    piped = logview("config", env=env)
    assert code == piped.returncode == 2, lines  # (the keys' variables are not set)

    # the URL, the variable's name and the archive's path each whole on one line, no line past the edge
    # but one that is a single part too long for any (the URL, at 60: the terminal wraps it, whole)
    assert f"    base_url {URL}" in lines and any(line.endswith(f" {VARIABLE} (NOT SET)") for line in lines), lines
    archive = str(tmp_path / "data" / "logview" / "archive.sqlite3")
    assert f"archive: {archive}" in lines, lines
    too_long = [line for line in lines if len(line) > columns]
    assert all(line.strip().count(" · ") == 0 for line in too_long), too_long

    # each line of the pipe's output, its parts said over several lines, the later ones indented
    said = piped.stdout.decode().splitlines()
    profile = lines.index(next(line for line in lines if line.startswith("  prod: ")))
    following = list(takewhile(lambda line: line.startswith("    "), lines[profile + 1:]))
    assert following, lines
    whole = " · ".join(line.strip() for line in [lines[profile], *following])
    assert f"  {whole}" in said, (whole, said)

    # the problems on stderr break between words: the variable's name stays whole
    problem = next(i for i, line in enumerate(lines) if line.startswith("  profile 'builder': no API key"))
    block = [lines[problem], *takewhile(lambda line: line.startswith("    "), lines[problem + 1:])]
    assert len(block) > 1 and all(len(line) <= columns for line in block), block
    assert any(line.endswith(f" {VARIABLE}") for line in block), block
    assert " ".join(line.strip() for line in block) == piped.stderr.decode().splitlines()[-1].strip()


def test_config_through_a_pipe_keeps_each_line_whole(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(CONFIG)
    piped = logview("config", env={"LOGVIEW_CONFIG": str(config), "XDG_DATA_HOME": str(tmp_path / "data")})
    said = piped.stdout.decode().splitlines()
    assert (f"  prod: aitronos org org_123 · key from FREDDY_PROD_KEY (NOT SET) · base_url {URL} · filters: "
            "status error,timeout · since 24h · search token refresh failed · follows live every 2 s") in said, said
    assert piped.stderr.decode().splitlines()[-1] == (
        f"  profile 'builder': no API key: set the environment variable {VARIABLE}")
