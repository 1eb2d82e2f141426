"""The platform's VNeID stand-in behaves like a provider, not like a back door (issue #21, item 10):
it never runs with production settings, sends codes only to the registered redirect URI, and does
not log anyone in as a citizen just because their ID number was typed."""

import os
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest

from tests.accounts.test_oidc import PERSON, vneid_login

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def start_production(**env):
    environ = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "x" * 64,
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_refuse_to_start_with_the_stand_in():
    refused = start_production(LOCAL_VNEID="1")
    assert refused.returncode != 0 and "VNeID" in refused.stderr
    assert start_production(LOCAL_VNEID="0").returncode == 0


def authorize_params(client):
    begin = client.get("/tai-khoan/dinh-danh/vneid/")
    url = urllib.parse.urlsplit(begin["Location"])
    return url.path, dict(urllib.parse.parse_qsl(url.query))


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "https://ke-gian.example/tai-khoan/dinh-danh/vneid/callback/",
        "http://testserver.ke-gian.example/tai-khoan/dinh-danh/vneid/callback/",
        "http://testserver/tai-khoan/dang-nhap/",
        "//ke-gian.example/tai-khoan/dinh-danh/vneid/callback/",
    ],
)
def test_a_code_is_never_sent_to_an_unregistered_redirect_uri(client, city, redirect_uri):
    path, params = authorize_params(client)
    params["redirect_uri"] = redirect_uri
    for response in (client.get(path, params), client.post(path, {**params, **PERSON})):
        assert response.status_code == 400
        assert "code=" not in response.get("Location", "")


def test_the_id_number_of_a_citizen_is_not_enough_to_log_in_as_them(client, city):
    from shared_apps.accounts.models import User

    assert vneid_login(client).status_code == 302  # the citizen's own first login (sets the password)
    client.post("/tai-khoan/dang-xuat/")
    path, params = authorize_params(client)
    intruder = {**PERSON, "password": "doan-bua-1"}
    page = client.post(path, {**params, **intruder})
    assert page.status_code == 200 and "code=" not in page.get("Location", "")
    assert "không đúng" in page.content.decode()
    without = {k: v for k, v in PERSON.items() if k != "password"}
    assert client.post(path, {**params, **without}).status_code == 200
    assert client.get("/api/v1/me/").status_code in (401, 403)
    # the citizen, with their stand-in password, still gets in
    assert vneid_login(client).status_code == 302
    assert (
        client.get("/api/v1/me/").json()["username"]
        == User.objects.get(id_number=PERSON["id_number"]).username
    )
