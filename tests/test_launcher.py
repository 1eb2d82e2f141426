"""The launcher behind `make test`: it provides Chromium when the browser tests will run, never
silently skips them, and leaves them out only when the pytest arguments do."""

from __future__ import annotations

import subprocess
import sys

import pytest

from deploy import local


@pytest.mark.parametrize(
    "args, needed",
    [
        ([], True),
        (["-x", "-q"], True),
        (["tests"], True),
        (["tests/browser"], True),
        (["tests/browser/test_dashboard.py::test_x"], True),
        (["tests/dossiers", "tests/browser"], True),
        (["tests/dossiers"], False),
        (["tests/backup/test_city_backup.py", "-k", "city"], False),
        (["-m", local.QUICK_MARKERS], False),
        (["-mnot browser", "tests"], False),
        (["-m", "slow"], True),
    ],
)
def test_browser_tests_need_chromium_unless_the_arguments_leave_them_out(args, needed):
    assert local.needs_browser(args) is needed


def test_a_chromium_path_that_does_not_exist_stops_the_run_with_a_clear_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", "from deploy import local; local.ensure_chromium()"],
        env={"CHROMIUM_PATH": str(tmp_path / "no-such-chrome"), "PATH": ""},
        capture_output=True,
        text=True,
        cwd=local.ROOT,
    )
    assert result.returncode == 1
    assert f"CHROMIUM_PATH={tmp_path / 'no-such-chrome'} is not an executable file" in result.stdout


def test_without_chromium_and_without_apt_the_run_stops_and_says_how_to_get_it(tmp_path):
    """PATH without any Chromium or apt-get: no install is attempted, one line explains."""
    result = subprocess.run(
        [sys.executable, "-c", "from deploy import local; local.ensure_chromium()"],
        env={"PATH": str(tmp_path)},
        capture_output=True,
        text=True,
        cwd=local.ROOT,
    )
    assert result.returncode == 1
    assert "Chromium not found" in result.stdout and "apt-get install chromium" in result.stdout
    assert "installing" not in result.stdout


def test_a_chromium_on_path_is_found(tmp_path):
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    result = subprocess.run(
        [sys.executable, "-c", "from deploy import local; print(local.ensure_chromium())"],
        env={"PATH": str(tmp_path)},
        capture_output=True,
        text=True,
        cwd=local.ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == str(fake)
