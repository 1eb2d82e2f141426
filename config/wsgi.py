import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
application = get_wsgi_application()

# The anonymous city-wide look-up API answers ahead of the full middleware stack (same answer and
# headers; everything else goes to Django as before).
from shared_apps.tracking.fastpath import LookupFastPath  # noqa: E402  (needs Django set up)

application = LookupFastPath(application)

# Settings, apps, URLconfs and views out of the collector's reach (config/startup.py).
from config.startup import freeze_startup_objects  # noqa: E402

freeze_startup_objects()
