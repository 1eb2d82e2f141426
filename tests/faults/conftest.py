"""Fixtures of the fault suite: a committed agency with a receiving officer and a citizen, and a
`stack` — a private Redis plus the web app (gunicorn) and Celery workers started on demand, all on
the test database — that each test breaks in its own way and that is torn down afterwards."""

from __future__ import annotations

import shutil
from types import SimpleNamespace

import pytest
from django.db import connection

from shared_apps.accounts.models import Role
from tests.committed import committed_agency
from tests.conftest import database_url_for_subprocess

from .harness import REDIS_SERVER, PrivateRedis, service_env, session_for, start_web, start_worker

if REDIS_SERVER is None:  # make test without a redis-server binary: say so instead of failing
    pytest.skip(
        "tests/faults need a redis-server binary on PATH (Debian: redis-server)", allow_module_level=True
    )


@pytest.fixture(scope="module")
def world(city, django_db_blocker):
    """An agency open for online intake of birth registration, an officer and a citizen (committed,
    removed afterwards with everything they made, the local SMS provider's rows included)."""
    from django.contrib.sessions.models import Session

    with committed_agency(
        django_db_blocker,
        slug="phuong-su-co",
        national_code="000.96.01.H31",
        users={"can_bo_su_co": [Role.RECEIVING_OFFICER], "cong_dan_su_co": []},
        sector_code="ho-tich-faults",
    ) as made:
        with django_db_blocker.unblock():
            connection.set_schema_to_public()
            sessions = {name: session_for(user) for name, user in made.users.items()}
            database_url = database_url_for_subprocess()
        try:
            yield SimpleNamespace(
                agency=made.agency,
                officer=made.users["can_bo_su_co"],
                citizen=made.users["cong_dan_su_co"],
                officer_session=sessions["can_bo_su_co"],
                citizen_session=sessions["cong_dan_su_co"],
                database_url=database_url,
            )
        finally:
            with django_db_blocker.unblock():
                connection.set_schema_to_public()
                forget_messages(made.agency)
                Session.objects.filter(session_key__in=sessions.values()).delete()


def forget_messages(agency):
    """The local SMS provider's rows of the agency's outbox messages (committed_agency removes the
    outbox rows themselves)."""
    from shared_apps.notifications.adapters import outbox_idempotency_key
    from shared_apps.notifications.models import OutboxMessage, SmsMessage

    keys = [outbox_idempotency_key(m) for m in OutboxMessage.objects.filter(agency=agency)]
    SmsMessage.objects.filter(idempotency_key__in=keys).delete()


class Stack:
    """The processes of one test. `env(**extra)` is the environment they share."""

    def __init__(self, workdir, database_url):
        self.workdir = workdir
        (workdir / "mail").mkdir()
        self.database_url = database_url
        self.redis = PrivateRedis(workdir)
        self.extra = {}
        self.services = []

    def env(self):
        return service_env(
            database_url=self.database_url, redis_url=self.redis.url, workdir=self.workdir, **self.extra
        )

    def web(self, **kwargs):
        web = start_web(self.env(), self.workdir, **kwargs)
        self.services.append(web)
        return web

    def worker(self, name, **kwargs):
        worker = start_worker(self.env(), self.workdir, name=name, **kwargs)
        self.services.append(worker)
        return worker

    def logs(self):
        return "\n".join(f"--- {s.log_path.name}\n{s.log()[-6000:]}" for s in self.services)

    def close(self):
        for service in reversed(self.services):
            service.close()
        self.redis.close()


@pytest.fixture
def stack(world, tmp_path_factory):
    stack = Stack(tmp_path_factory.mktemp("faults"), world.database_url)
    stack.redis.start()
    try:
        yield stack
    finally:
        stack.close()
        shutil.rmtree(stack.workdir / "mail", ignore_errors=True)
