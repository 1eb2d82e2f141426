#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    # The developer's tool: dev settings unless told otherwise. Production runs every command with
    # DJANGO_SETTINGS_MODULE set (deploy/compose.yaml); the servers and workers default to production
    # (config/wsgi.py, asgi.py, celery.py).
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
