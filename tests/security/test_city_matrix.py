"""Every URL of the city address and every city API operation, tried by everyone who must not use it.

The patterns are enumerated from the public URLconf (admin and the language switch excepted: Django's
admin has its own staff login), so a new page or operation fails `test_every_city_endpoint_is_classified`
until someone decides who may use it. Expected refusals:

* LOGIN  — anonymous: 302 to the login page (pages) or 401 (API);
* OWNER  — a citizen's own draft or dossier: anonymous as LOGIN, another citizen 404 (the object's
  existence is not confirmed), with nothing of the owner's data in the body;
* CITY   — city administrators only: anonymous as LOGIN, a citizen and members of an agency with
  every role 403 (pages: 403 or the login page);
* READ   — anyone may read (GET), only city administrators write: a write by anyone else is refused;
* a method an endpoint does not serve (405) counts as refused;
* PUBLIC — open to everyone by design (portal, catalogue, look-up with proof, progress, sign-up,
  the local VNeID stand-in, the OpenAPI document); checked only to answer without a server error.

Nothing is written by any refused request."""

from __future__ import annotations

import pytest

from shared_apps.accounts.models import Membership, Role, User
from shared_apps.accounts.services import membership_grant
from tests.security.test_isolation_matrix import _patterns
from tests.submissions.conftest import citizen, other_citizen  # noqa: F401  (fixtures)
from tests.submissions.test_citizen_dossier import submitted

pytestmark = pytest.mark.django_db

PUBLIC, LOGIN, OWNER, CITY, READ = "public", "login", "owner", "city", "read"
POLICY = {
    "portal-home": PUBLIC,
    "healthz": PUBLIC,
    "lookup-form": PUBLIC,
    "lookup": PUBLIC,
    "accounts:login": PUBLIC,
    "accounts:logout": PUBLIC,
    "accounts:signup": PUBLIC,
    "accounts:verify": PUBLIC,
    "accounts:identity-begin": PUBLIC,
    "accounts:identity-callback": PUBLIC,
    "accounts:local-vneid-discovery": PUBLIC,
    "accounts:local-vneid-authorize": PUBLIC,
    "accounts:local-vneid-token": PUBLIC,
    "accounts:local-vneid-userinfo": PUBLIC,
    "accounts:local-vneid-jwks": PUBLIC,
    "catalogue:list": PUBLIC,
    "catalogue:export": PUBLIC,
    "catalogue:detail": PUBLIC,
    "progress:city": PUBLIC,
    "progress:agency": PUBLIC,
    "ratings:form": PUBLIC,
    "ratings:thanks": PUBLIC,
    "api:accounts-signup": PUBLIC,
    "api:accounts-verify": PUBLIC,
    "api:accounts-resend": PUBLIC,
    "api:procedure-list": PUBLIC,
    "api:procedure-detail": PUBLIC,
    "api:sector-list": PUBLIC,
    "api:calendar-deadline": PUBLIC,
    "api:lookup": PUBLIC,
    "api:rating-create": PUBLIC,
    "openapi-schema": PUBLIC,
    "openapi-docs": PUBLIC,
    "accounts:profile": LOGIN,
    "my-dossiers": LOGIN,
    "submissions:drafts": LOGIN,
    "submissions:start": LOGIN,
    "api:me": LOGIN,
    "api:accounts-profile": LOGIN,
    "api:submission": LOGIN,
    "api:my-dossiers": LOGIN,
    "citizen-dossier:detail": OWNER,
    "citizen-dossier:supplement": OWNER,
    "citizen-dossier:receipt": OWNER,
    "submissions:draft": OWNER,
    "submissions:draft-file": OWNER,
    "submissions:discard": OWNER,
    "catalogue:import": CITY,
    "reports:dashboard": CITY,
    "reports:dossiers": CITY,
    "api:agency-merge": CITY,
    "api:catalogue-import": CITY,
    "api:reports-ii06a": CITY,
    "api:reports-indicators": CITY,
    "api:reports-compliance": CITY,
    "api:reports-dashboard": CITY,
    "api:reports-dossiers": CITY,
    "api:agency-list": READ,
    "api:calendar": READ,
    "api:calendar-day": CITY,
    "api:calendar-office-hours": CITY,
}

# <str:code> is a procedure's national code here, a dossier's code elsewhere
PROCEDURE_CODE = {"submissions:start", "catalogue:detail", "api:procedure-detail"}


def city_endpoints():
    from config import urls_public

    return [
        (name, route)
        for name, route in _patterns(urls_public.urlpatterns)
        if not route.startswith(("admin/", "i18n/"))
    ]


def test_every_city_endpoint_is_classified():
    unclassified = {name for name, _route in city_endpoints()} - set(POLICY)
    assert unclassified == set(), f"classify these endpoints in POLICY: {sorted(unclassified)}"


@pytest.fixture
def world(desk, citizen, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    from django.db import connection

    from shared_apps.catalogue.models import Procedure
    from shared_apps.submissions import services

    dossier, _url = submitted(desk, citizen)
    connection.set_schema_to_public()
    draft = services.draft_create(
        procedure=Procedure.objects.get(national_code="1.001193"), agency=desk.agency, acting_user=citizen
    )
    services.draft_attach(
        draft=draft,
        position=1,
        upload=__import__("tests.submissions.conftest", fromlist=["pdf"]).pdf(),
        acting_user=citizen,
    )
    return dossier, draft


def _url(route, *, desk, dossier, draft, code):
    values = {
        "<slug:agency>": desk.agency.slug,
        "<slug:slug>": desk.agency.slug,
        "<slug:name>": "vneid",
        "<str:code>": code,
        "<str:day>": "2026-09-02",
        "<int:position>": "1",
        "^xuat\\.(?P<fmt>xlsx|csv)$": "xuat.csv",
    }
    url = route
    for key, value in values.items():
        url = url.replace(key, value)
    # the citizen's dossier pages take the dossier id, the draft pages the draft id
    url = url.replace("<int:pk>", str(draft.pk if url.startswith("nop-truc-tuyen/") else dossier.pk))
    assert "<" not in url and "(" not in url, url
    return "/" + url


def _written():
    from shared_apps.calendar.models import CalendarDay
    from shared_apps.catalogue.models import Procedure
    from shared_apps.ratings.models import Rating
    from shared_apps.submissions.models import SubmissionDraft
    from shared_apps.tracking.models import DossierIndex
    from tenants.models import Agency

    return tuple(
        m.objects.count()
        for m in (Agency, Membership, DossierIndex, SubmissionDraft, Rating, CalendarDay, Procedure, User)
    )


def _refused_anonymously(response, is_api):
    if response.status_code == 405:  # the method is not served at all
        return True
    if is_api:
        return response.status_code in (401, 403)
    return response.status_code == 302 and response["Location"].startswith("/tai-khoan/dang-nhap/")


def test_no_city_endpoint_serves_or_writes_for_people_who_may_not_use_it(
    client,
    desk,
    world,
    other_citizen,  # noqa: F811
    city,
):
    dossier, draft = world
    secrets = [dossier.code or "", "Trần Thị Bình", "0987654321"]
    members = {}
    for role in Role:
        members[role.value] = User.objects.create_user(username=f"member_{role.value}", password="x")
        membership_grant(agency=desk.agency, user=members[role.value], roles=[role.value], acting_user=None)
    before = _written()
    checked = 0
    for name, route in city_endpoints():
        policy = POLICY[name]
        code = "1.001193" if name in PROCEDURE_CODE else (dossier.code or "X")
        url = _url(route, desk=desk, dossier=dossier, draft=draft, code=code)
        is_api = url.startswith("/api/")
        for method in ("get", "post", "put", "delete"):
            client.logout()
            response = getattr(client, method)(url)
            assert response.status_code < 500, (name, method, "anonymous", response.status_code)
            if policy in (LOGIN, OWNER, CITY):
                assert _refused_anonymously(response, is_api), (name, method, response.status_code)
                checked += 1
            if policy == READ and method != "get":
                assert response.status_code in (401, 403, 405), (
                    name,
                    "anonymous write",
                    response.status_code,
                )
                checked += 1
            if policy == OWNER:
                client.force_login(other_citizen)
                response = getattr(client, method)(url)
                assert response.status_code in (404, 405), (
                    name,
                    method,
                    "other citizen",
                    response.status_code,
                )
                assert not any(s and s in response.content.decode(errors="replace") for s in secrets), name
                checked += 1
            if policy in (CITY, READ) and (policy == CITY or method != "get"):
                for who, user in [("citizen", other_citizen), *members.items()]:
                    client.force_login(user)
                    response = getattr(client, method)(url)
                    assert response.status_code in (403, 405) or (
                        not is_api and _refused_anonymously(response, False)
                    ), (name, method, who, response.status_code)
                    checked += 1
    assert _written() == before
    assert checked > 150
