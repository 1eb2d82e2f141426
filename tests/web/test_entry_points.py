"""The server and worker entry points never fall back to the dev settings: without
DJANGO_SETTINGS_MODULE they load the production settings, which refuse to start without their secret."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

PROBE = """
import json, sys
import {module}
from django.conf import settings
print(json.dumps({{"settings": settings.SETTINGS_MODULE, "debug": settings.DEBUG}}))
"""


def _environment_without_settings_module(**extra):
    env = {
        k: v
        for k, v in os.environ.items()
        # the module (set by pytest), the secret, and what the test settings or browser tests add
        if k
        not in {"DJANGO_SETTINGS_MODULE", "DJANGO_SECRET_KEY", "LOCAL_VNEID", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return env | extra


def _run(module, env):
    return subprocess.run(
        [sys.executable, "-c", PROBE.format(module=module)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("module", ["config.wsgi", "config.asgi", "config.celery"])
def test_an_entry_point_started_without_a_settings_module_runs_on_the_production_settings(module):
    env = _environment_without_settings_module(DJANGO_SECRET_KEY=secrets.token_urlsafe(64))
    result = _run(module, env)
    assert result.returncode == 0, result.stdout + result.stderr
    probe = result.stdout.strip().splitlines()[-1]
    assert '"settings": "config.settings.production"' in probe
    assert '"debug": false' in probe


@pytest.mark.parametrize("module", ["config.wsgi", "config.asgi"])
def test_a_server_started_without_a_settings_module_or_a_secret_refuses_to_start(module):
    result = _run(module, _environment_without_settings_module())
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
