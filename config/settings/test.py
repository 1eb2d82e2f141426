import os

from .base import *  # noqa: F401,F403
from .base import env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOCAL_VNEID = True  # the platform's VNeID stand-in: the OIDC flow runs end to end in tests
# Tests use their own Redis database so they never touch a running demo. Under pytest-xdist each
# worker (gw0, gw1, ...) counts down from it: one database per worker, as each has its own PostgreSQL
# test database, so caches, throttles and the Celery broker of one never see the other's.
REDIS_URL = env("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw") and _worker[2:].isdigit() and not os.environ.get("TEST_REDIS_PER_WORKER"):
    _base, _, _db = REDIS_URL.rpartition("/")
    REDIS_URL = f"{_base}/{int(_db or 0) - int(_worker[2:])}"
    # the processes the tests start (Celery workers, servers) inherit the worker's database as is
    os.environ["TEST_REDIS_URL"] = REDIS_URL
    os.environ["TEST_REDIS_PER_WORKER"] = "1"
for _alias in ("default", "shared"):
    CACHES[_alias]["LOCATION"] = REDIS_URL  # noqa: F405
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
# A queue per test run: parallel runs on one machine never take each other's tasks.
# (set in the environment so that the workers the tests start inherit it)
os.environ.setdefault("TEST_CELERY_QUEUE", f"egov-tests-{os.getpid()}")
CELERY_TASK_DEFAULT_QUEUE = os.environ["TEST_CELERY_QUEUE"]
AGENCY_DIRECTORY_CHECK_SECONDS = 0.0
SCHEMA_POOL_SIZE = 0  # tests of the pool set their own size
OUTBOX_KICK_MIN_INTERVAL = 0  # every transaction kicks: tests count the kicks
# Workers restore a dead worker's unacknowledged tasks within a second of the visibility timeout
# (tests/faults sets CELERY_VISIBILITY_TIMEOUT to a few seconds for the workers it starts).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
