"""A web process, once it has loaded the project (config/wsgi.py), keeps its long-lived objects out of
the garbage collector's reach (config/startup.py) and still answers requests."""

import json
import os
import subprocess
import sys

from django.conf import settings

PROBE = """
import gc, json
before = gc.get_freeze_count()
import config.wsgi
from django.urls import get_resolver
from django.conf import settings
print(json.dumps({"before": before, "after": gc.get_freeze_count(),
                  "tenant_urls_loaded": "url_patterns" in get_resolver(settings.TENANT_URLCONF).__dict__}))
"""


def test_loading_the_wsgi_application_freezes_the_startup_objects_with_every_urlconf_imported():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    probe = json.loads(out.stdout.strip().splitlines()[-1])
    assert probe["before"] == 0
    assert (
        probe["after"] > 50_000
    )  # settings, apps, models, URLconfs and views: far more than a bare interpreter
    assert probe["tenant_urls_loaded"]
