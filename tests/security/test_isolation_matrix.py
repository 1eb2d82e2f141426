"""Every URL of an agency's workspace, tried by everyone who must not use it.

The URL patterns are enumerated from the agency URLconf itself, so a new page or API operation is
covered without anyone remembering: an endpoint missing from POLICY fails the test. Each one is
tried (GET and POST) as an anonymous visitor, as a member of another agency with every role, and —
for endpoints restricted to roles — as a member of the agency whose roles do not allow it. Expected:
a refusal (302 to the login page or 401 for the anonymous, 403 for outsiders and for the wrong
role), no data of the agency in the body, and nothing written. (City-level endpoints and
citizens' ownership come with the citizen features; see issue 8.)"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver

from shared_apps.accounts.models import Role, User
from shared_apps.accounts.services import membership_grant
from shared_apps.notifications.models import OutboxMessage
from tenant_apps.dossiers.models import Dossier, DossierComponent, DossierEvent
from tenant_apps.workspace.models import AuditEvent, Notice
from tests.dossiers.conftest import receive
from tests.dossiers.test_transitions import PAYLOADS

pytestmark = pytest.mark.django_db

MEMBER = "member"  # any member of the agency
PUBLIC = "public"  # anyone (health check)
ANY_ROLE = [r.value for r in Role]
POLICY = {
    "workspace:home": MEMBER,
    "workspace:ping": PUBLIC,
    "adoption:index": MEMBER,
    "adoption:edit": MEMBER,
    "desk:queue": MEMBER,
    "desk:intake": MEMBER,
    "desk:logbook": MEMBER,
    "desk:dossier": MEMBER,
    "desk:print": MEMBER,
    "desk:component-file": MEMBER,
    "desk:action": MEMBER,
    "agency-api:workspace": MEMBER,
    "agency-api:notice-list": MEMBER,
    "agency-api:adoption-list": MEMBER,
    "agency-api:adoption-detail": MEMBER,
    "agency-api:dossier-list": MEMBER,
    "agency-api:dossier-detail": MEMBER,
    "agency-api:dossier-component-file": MEMBER,
    # statistics (issue 7): the pages refuse members without a leader/unit head/admin role (tests/reports)
    "reports:dashboard": MEMBER,
    "reports:dossiers": MEMBER,
    "agency-api:reports-ii06a": MEMBER,
    "agency-api:reports-indicators": MEMBER,
    "agency-api:reports-dashboard": MEMBER,
    "agency-api:reports-dossiers": MEMBER,
    # inter-agency receipt (issue 6) and the history's hash chain (issue 8: leaders/admins verify, tests/history)
    "desk:intake-on-behalf": MEMBER,
    "agency-api:dossier-history": MEMBER,
    "agency-api:history-verify": MEMBER,
}


def _patterns(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _patterns(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield f"{namespace}{p.name}", prefix + str(p.pattern)


def agency_endpoints():
    from config import urls_tenant

    return list(_patterns(urls_tenant.urlpatterns))


def test_every_agency_endpoint_is_classified():
    from tenant_apps.dossiers.lifecycle import Action

    names = {name for name, _route in agency_endpoints()}
    action_names = {f"agency-api:dossier-{a.value}" for a in Action}
    unclassified = names - set(POLICY) - action_names
    assert unclassified == set(), f"classify these endpoints in POLICY: {sorted(unclassified)}"


def _url(agency, route, dossier):
    values = {
        "<int:pk>": str(dossier.pk),
        "<str:code>": "1.001193",
        "<int:position>": "1",
        "<slug:form>": "tiep-nhan",
        "<slug:action>": "assign",
    }
    url = route
    for key, value in values.items():
        url = url.replace(key, value)
    assert "<" not in url, url
    return f"/{agency.slug}/{url}"


def _written():
    return (
        Dossier.objects.count(),
        DossierEvent.objects.count(),
        DossierComponent.objects.exclude(file="").count(),
        Notice.objects.count(),
        AuditEvent.objects.count(),
        OutboxMessage.objects.count(),
    )


@pytest.fixture
def outsiders(desk, city):
    """One member of another agency per role, and one member of this agency per role."""
    people = {}
    for role in ANY_ROLE:
        people[f"other_{role}"] = User.objects.create_user(username=f"other_{role}", password="x")
        membership_grant(agency=city.b, user=people[f"other_{role}"], roles=[role], acting_user=None)
    return people


def test_no_endpoint_serves_or_writes_for_people_who_may_not_use_it(client, desk, outsiders):
    from tenant_apps.dossiers.lifecycle import TRANSITIONS, Action

    dossier = receive(desk)
    secrets = [dossier.code, "Nguyễn Văn An"]
    before = _written()
    checked = 0
    for name, route in agency_endpoints():
        policy = POLICY.get(name, "action")
        if policy == PUBLIC:
            continue
        url = _url(desk.agency, route, dossier)
        is_api = "/api/" in url
        for method in ("get", "post"):
            client.logout()
            response = getattr(client, method)(url)
            expected = (401,) if is_api else (302,)
            assert response.status_code in expected, (name, method, "anonymous", response.status_code)
            if response.status_code == 302:
                assert response["Location"].startswith("/tai-khoan/dang-nhap/"), (name, response["Location"])
            for username, user in outsiders.items():
                client.force_login(user)
                response = getattr(client, method)(url)
                assert response.status_code == 403, (name, method, username, response.status_code)
                body = response.content.decode()
                assert not any(s in body for s in secrets), (name, method, username)
                checked += 1
        if policy == "action":
            action = Action(name.removeprefix("agency-api:dossier-"))
            allowed = set(TRANSITIONS[action].roles)
            for role in ANY_ROLE:
                if role in allowed:
                    continue
                client.force_login(getattr(desk, role))
                # a valid request, so that only the role can be the reason for the refusal
                response = client.post(url, PAYLOADS.get(action, {}), content_type="application/json")
                assert response.status_code == 403, (name, role, response.status_code, response.content[:200])
                checked += 1
    assert _written() == before
    assert checked > 300
