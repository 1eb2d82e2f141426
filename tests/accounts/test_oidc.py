"""Log in with VNeID, end to end against the platform's own stand-in: the browser (test client) goes
login page → our begin URL → the stand-in's authorize page → our callback; our OIDC client then calls
the stand-in's token, JWKS and userinfo endpoints (in-process) and checks PKCE, state, nonce and the
RS256 signature for real."""

import urllib.parse

import pytest
from django.utils import timezone

from shared_apps.accounts.models import AccountEvent, User, UserIdentity

pytestmark = pytest.mark.django_db

PERSON = {
    "full_name": "Đỗ Minh G",
    "id_number": "031095004321",
    "birthdate": "15/03/1995",
    "phone_number": "0944444444",
    "password": "Mat-khau-VNeID-1",  # the stand-in's own password for this person (set on first use)
}


def vneid_login(client, person=PERSON, next_url=""):
    """Run the flow; returns the callback's response."""
    begin = client.get("/tai-khoan/dinh-danh/vneid/" + (f"?next={next_url}" if next_url else ""))
    assert begin.status_code == 302
    authorize_url = urllib.parse.urlsplit(begin["Location"])
    params = dict(urllib.parse.parse_qsl(authorize_url.query))
    assert authorize_url.path == "/tai-khoan/vneid-thu/authorize/"
    assert params["code_challenge_method"] == "S256" and params["state"] and params["nonce"]
    page = client.get(begin["Location"])
    assert page.status_code == 200 and "VNeID" in page.content.decode()
    consent = client.post(authorize_url.path, {**params, **person})
    assert consent.status_code == 302, consent.content.decode()[:1500]
    callback = urllib.parse.urlsplit(consent["Location"])
    assert callback.path == "/tai-khoan/dinh-danh/vneid/callback/"
    return client.get(callback.path + "?" + callback.query)


def test_a_first_vneid_login_creates_a_verified_citizen_account(client, city):
    response = vneid_login(client)
    assert response.status_code == 302 and response["Location"] == "/tai-khoan/"
    user = User.objects.get(id_number="031095004321")
    assert user.full_name == "Đỗ Minh G" and user.id_number_verified_at is not None
    assert user.date_of_birth.isoformat() == "1995-03-15"
    assert user.phone == "0944444444" and user.phone_verified_at is not None
    assert not user.has_usable_password()
    assert client.get("/api/v1/me/").json()["username"] == user.username
    assert UserIdentity.objects.get(user=user).provider == "vneid"


def test_the_next_vneid_login_returns_to_the_same_account_and_to_the_page_asked(client, city):
    vneid_login(client)
    client.post("/tai-khoan/dang-xuat/")
    response = vneid_login(client, next_url="/ho-so-cua-toi/")
    assert response["Location"] == "/ho-so-cua-toi/"
    assert User.objects.filter(id_number="031095004321").count() == 1
    assert UserIdentity.objects.count() == 1


def test_a_forged_state_is_refused(client, city):
    begin = client.get("/tai-khoan/dinh-danh/vneid/")
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(begin["Location"]).query))
    consent = client.post("/tai-khoan/vneid-thu/authorize/", {**params, **PERSON, "state": "forged"})
    callback = urllib.parse.urlsplit(consent["Location"])
    response = client.get(callback.path + "?" + callback.query)
    assert response.status_code == 400 and "không hợp lệ" in response.content.decode()
    assert not User.objects.filter(id_number="031095004321").exists()


def test_a_code_cannot_be_used_twice(client, city):
    from django.test import Client

    begin = client.get("/tai-khoan/dinh-danh/vneid/")
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(begin["Location"]).query))
    consent = client.post("/tai-khoan/vneid-thu/authorize/", {**params, **PERSON})
    callback = urllib.parse.urlsplit(consent["Location"])
    code = dict(urllib.parse.parse_qsl(callback.query))["code"]
    assert client.get(callback.path + "?" + callback.query).status_code == 302
    from shared_apps.accounts.identity.local import CLIENT_ID, client_secret

    replay = Client().post(
        "/tai-khoan/vneid-thu/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": params["redirect_uri"],
            "code_verifier": "x" * 50,
            "client_id": CLIENT_ID,
            "client_secret": client_secret(),
        },
    )
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"


def test_the_token_endpoint_checks_pkce(client, city):
    from django.test import Client

    from shared_apps.accounts.identity.local import CLIENT_ID, client_secret

    begin = client.get("/tai-khoan/dinh-danh/vneid/")
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(begin["Location"]).query))
    consent = client.post("/tai-khoan/vneid-thu/authorize/", {**params, **PERSON})
    code = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(consent["Location"]).query))["code"]
    answer = Client().post(
        "/tai-khoan/vneid-thu/token/",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": params["redirect_uri"],
            "code_verifier": "not-the-verifier-" * 3,
            "client_id": CLIENT_ID,
            "client_secret": client_secret(),
        },
    )
    assert answer.status_code == 400 and "PKCE" in answer.json()["error_description"]


def test_an_account_with_the_same_verified_phone_is_linked(client, city):
    owner = User.objects.create_user(
        username="cd-has-phone",
        password="x",
        phone="0944444444",
        phone_verified_at=timezone.now(),
        id_number="031095004321",
    )
    vneid_login(client)
    assert UserIdentity.objects.get(provider="vneid").user == owner
    owner.refresh_from_db()
    assert owner.id_number_verified_at is not None


def test_a_typed_id_number_of_someone_else_does_not_capture_their_vneid_login(client, city):
    squatter = User.objects.create_user(
        username="cd-squatter",
        password="x",
        id_number="031095004321",
        phone="0955555555",
        phone_verified_at=timezone.now(),
    )
    vneid_login(client)
    person = User.objects.get(identities__provider="vneid")
    assert person != squatter and person.id_number == "031095004321"
    squatter.refresh_from_db()
    assert squatter.id_number == ""
    assert AccountEvent.objects.filter(user=squatter, kind="id_number_released").exists()


def test_the_stand_in_is_not_served_when_disabled(client, city, settings):
    settings.LOCAL_VNEID = False
    settings.DEBUG = False
    assert client.get("/tai-khoan/vneid-thu/jwks/").status_code == 404
    assert client.get("/tai-khoan/dinh-danh/vneid/").status_code == 404
    assert "VNeID" not in client.get("/tai-khoan/dang-nhap/").content.decode()


def test_an_id_token_for_another_login_attempt_is_refused(client, city):
    """The nonce in the signed ID token must be the one this browser's session sent."""
    begin = client.get("/tai-khoan/dinh-danh/vneid/")
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(begin["Location"]).query))
    consent = client.post("/tai-khoan/vneid-thu/authorize/", {**params, **PERSON})
    session = client.session
    session["oidc:vneid"] = {**session["oidc:vneid"], "nonce": "another-attempt"}
    session.save()
    callback = urllib.parse.urlsplit(consent["Location"])
    response = client.get(callback.path + "?" + callback.query)
    assert response.status_code == 400 and "ID token" in response.content.decode()
    assert not UserIdentity.objects.exists()


def test_a_registered_provider_appears_on_the_login_page(client, city):
    from shared_apps.accounts.identity import IdentityProvider, register
    from shared_apps.accounts.identity.base import unregister

    register(IdentityProvider(name="thu-nghiem", label="Cổng thử nghiệm"))
    try:
        body = client.get("/tai-khoan/dang-nhap/").content.decode()
    finally:
        unregister("thu-nghiem")
    assert "Đăng nhập bằng Cổng thử nghiệm" in body and "/tai-khoan/dinh-danh/thu-nghiem/" in body
