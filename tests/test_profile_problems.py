"""A profile used with problems: what is wrong with the profile and what is wrong with the file as
a whole (an archive key, an unknown top-level key) are counted and headed apart, so the user looks
for each where it is."""

from __future__ import annotations

import pytest

from test_export import logview

ZERO_AGE = ("archive_max_age: '0d' would keep nothing, not even the newest entries: give an age greater than zero, "
            "such as \"30d\", or leave archive_max_age out for no age limit")


@pytest.mark.parametrize("command", [(), ("export",)], ids=["viewer", "export"])
def test_a_file_wide_problem_is_not_counted_as_the_profiles(tmp_path, command):
    """Found in a walk (s28 #9): `archive_max_age = "0d"` beside a profile with 4 problems read
    "5 problems with profile 'b'", and the user looked for the fifth in [profiles.b]."""
    path = tmp_path / "config.toml"
    path.write_text('archive_max_age = "0d"\n[profiles.b]\nsource = "aitronos"\norg = "o"\nbase_url = "ftp://x"\n'
                    'key_env = "LOGVIEW_TEST_UNSET"\n[profiles.b.filters]\nstatus = ["nope"]\nsince = "yesterday"\n')
    result = logview(*command, "--profile", "b", env={"LOGVIEW_CONFIG": str(path)}, timeout=30)
    assert result.returncode == 2
    head, *lines = result.stderr.decode().splitlines()
    assert head == f"logview: {path} has 4 problems with profile 'b', and 1 in the file:"
    assert [line.split(":")[0] for line in lines] == ["  profile 'b'"] * 4 + ["  archive_max_age"]
    assert lines[-1] == f"  {ZERO_AGE}"


def test_one_problem_of_each_is_counted_apart_too(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('archive_max_age = "0d"\n[profiles.b]\nsource = "aitronos"\norg = "o"\n'
                    'key_env = "LOGVIEW_TEST_UNSET"\n')
    result = logview("export", "--profile", "b", env={"LOGVIEW_CONFIG": str(path)})
    assert result.returncode == 2
    assert result.stderr.decode().splitlines() == [
        f"logview: {path} has 1 problem with profile 'b', and 1 in the file:",
        "  profile 'b': no API key: set the environment variable LOGVIEW_TEST_UNSET", f"  {ZERO_AGE}"]


def test_the_files_problems_alone_are_not_said_to_be_the_profiles(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('archive_max_age = "0d"\nfoo = 1\n[profiles.b]\nsource = "aitronos"\norg = "o"\n')
    result = logview("export", "--profile", "b", env={"LOGVIEW_CONFIG": str(path), "FREDDY_API_KEY": "k"})
    assert result.returncode == 2
    head, *lines = result.stderr.decode().splitlines()
    assert head == f"logview: {path} has 2 problems:" and "profile 'b'" not in result.stderr.decode()
    assert lines[0].startswith("  foo: unknown key") and lines[1] == f"  {ZERO_AGE}"
