"""The platform's own stand-in for VNeID (development and tests only: production settings refuse to
start with it): a tiny OpenID Connect provider served under ``/tai-khoan/vneid-thu/`` — authorize (a
page where the developer logs in as a person) → code → token (PKCE checked, RS256-signed ID token) →
userinfo, with its JWKS — and the client configuration that points the real
:class:`~.oidc.OIDCProvider` at it.

Like a real provider it checks who logs in and where the code goes:

- each person (ID number) has a stand-in password, as each citizen has a VNeID password: the first
  login with an ID number sets it (the stand-in's "registration"), every later one must give it —
  typing someone's ID number no longer logs in as them. The passwords are kept hashed in the shared
  Redis cache (``localidp:person:<digest of the ID number>``), without expiry; emptying that cache
  forgets them (the next login sets one again): a development stand-in, not a registry.
- the code is sent only to a registered redirect URI: this platform's own VNeID callback at the
  address the stand-in is served on or at PUBLIC_BASE_URL, or one listed in
  LOCAL_VNEID_REDIRECT_URIS — compared in full (scheme, host, port, path), as providers do.

The client reaches the stand-in's token, JWKS and userinfo endpoints in-process (Django's test client
on the same URLconf), so the flow needs no second server, no network, and cannot deadlock a
single-worker development server; everything else — PKCE, state, nonce, signature, claims — is the
real client code. It answers 404 unless the stand-in is enabled (``base.providers_enabled``).

Keys and codes live in the shared Redis cache: the signing key is made once and shared by every
process; codes live 60 s and are used once; access tokens live 5 minutes."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
import urllib.parse

from django import forms
from django.conf import settings
from django.core.cache import caches
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from joserfc import jwt
from joserfc.jwk import RSAKey

from .oidc import OIDCProvider

PATH = "/tai-khoan/vneid-thu/"
CLIENT_ID = "mot-cua-hai-phong-local"
CODE_TTL = 60
TOKEN_TTL = 300


def _cache():
    return caches["shared"]


def issuer():
    return settings.PUBLIC_BASE_URL.rstrip("/") + PATH.rstrip("/")


def client_secret():
    return salted_hmac("accounts.local-vneid.client", CLIENT_ID, algorithm="sha256").hexdigest()


def signing_key():
    pem = _cache().get("localidp:key")
    if pem is None:
        key = RSAKey.generate_key(
            2048, parameters={"kid": secrets.token_hex(4), "use": "sig", "alg": "RS256"}
        )
        _cache().add("localidp:key", key.as_pem(private=True).decode() + "\n#kid=" + key.kid, None)
        pem = _cache().get("localidp:key")
    body, _sep, kid = pem.rpartition("\n#kid=")
    return RSAKey.import_key(body, parameters={"kid": kid, "use": "sig", "alg": "RS256"})


# --- the client side -----------------------------------------------------------------------------
class LocalVNeIDProvider(OIDCProvider):
    name = "vneid"
    label = "VNeID"

    def __init__(self, **options):
        options.setdefault("client_id", CLIENT_ID)
        options.setdefault("scope", "openid profile phone")
        super().__init__(**options)

    @property
    def issuer(self):
        return issuer()

    @property
    def client_secret(self):
        return client_secret()

    def endpoint(self, name):
        if name == "authorization_endpoint":  # the browser goes there: same site, relative
            return PATH + "authorize/"
        return (
            issuer()
            + {
                "authorization_endpoint": "/authorize/",
                "token_endpoint": "/token/",
                "userinfo_endpoint": "/userinfo/",
                "jwks_uri": "/jwks/",
            }[name]
        )

    def http(self, method, url, *, data=None, headers=None):
        from django.test import Client

        path = urllib.parse.urlsplit(url).path
        client = Client(raise_request_exception=True)
        if method == "POST":
            response = client.post(
                path,
                urllib.parse.urlencode(data or {}),
                content_type="application/x-www-form-urlencoded",
                headers=headers or {},
            )
        else:
            response = client.get(path, headers=headers or {})
        return response.status_code, response.content


# --- the provider side ---------------------------------------------------------------------------
def _enabled():
    from .base import providers_enabled

    if not any(isinstance(p, LocalVNeIDProvider) for p in providers_enabled()):
        raise Http404


class PersonForm(forms.Form):
    full_name = forms.CharField(label=gettext_lazy("Họ và tên"), max_length=255)
    id_number = forms.RegexField(
        label=gettext_lazy("Số định danh cá nhân (12 chữ số)"),
        regex=r"^\d{12}$",
        error_messages={"invalid": gettext_lazy("Số định danh gồm đúng 12 chữ số.")},
    )
    birthdate = forms.DateField(
        label=gettext_lazy("Ngày sinh (dd/mm/yyyy)"), input_formats=["%d/%m/%Y"], required=False
    )
    phone_number = forms.CharField(label=gettext_lazy("Số điện thoại"), max_length=20, required=False)
    password = forms.CharField(
        label=gettext_lazy("Mật khẩu VNeID (thử nghiệm; lần đầu dùng số định danh này: đặt mật khẩu)"),
        widget=forms.PasswordInput,
        min_length=8,
        max_length=128,
    )

    def clean(self):
        data = super().clean()
        if data.get("id_number") and data.get("password"):
            if not _person_password_ok(data["id_number"], data["password"]):
                raise forms.ValidationError(gettext_lazy("Số định danh hoặc mật khẩu VNeID không đúng."))
        return data


def _registered_redirect_uris(request):
    """Where the stand-in may send a code: the platform's callback for each stand-in provider, at this
    address and at PUBLIC_BASE_URL, plus LOCAL_VNEID_REDIRECT_URIS."""
    from django.urls import reverse

    from .base import providers_enabled

    uris = set(settings.LOCAL_VNEID_REDIRECT_URIS or ())
    for provider in providers_enabled():
        if isinstance(provider, LocalVNeIDProvider):
            path = reverse("accounts:identity-callback", args=[provider.name])
            uris.add(request.build_absolute_uri(path))
            uris.add(settings.PUBLIC_BASE_URL.rstrip("/") + path)
    return uris


def _person_key(id_number):
    digest = salted_hmac("accounts.local-vneid.person", id_number, algorithm="sha256").hexdigest()
    return f"localidp:person:{digest[:32]}"


def _person_password_ok(id_number, password):
    """Check (or, on the person's first login, set) the stand-in password of this ID number."""
    from django.contrib.auth.hashers import check_password, make_password

    key = _person_key(id_number)
    if _cache().add(key, make_password(password), None):
        return True
    stored = _cache().get(key)
    return stored is not None and check_password(password, stored)


def _error(error, description, status=400):
    return JsonResponse({"error": error, "error_description": description}, status=status)


def authorize(request):
    _enabled()
    params = request.GET if request.method == "GET" else request.POST
    redirect_uri = params.get("redirect_uri", "")
    # Like a real provider: the client is known and the redirect URI is one registered for it.
    if params.get("client_id") != CLIENT_ID or redirect_uri not in _registered_redirect_uris(request):
        return _error("invalid_request", "unknown client or redirect_uri")
    if (
        params.get("response_type") != "code"
        or params.get("code_challenge_method") != "S256"
        or not params.get("code_challenge")
    ):
        return _error("invalid_request", "code flow with PKCE S256 only")
    carried = {
        k: params.get(k, "")
        for k in (
            "client_id",
            "redirect_uri",
            "response_type",
            "scope",
            "state",
            "nonce",
            "code_challenge",
            "code_challenge_method",
        )
    }
    form = PersonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        person = form.cleaned_data
        claims = {
            "sub": salted_hmac(
                "accounts.local-vneid.sub", person["id_number"], algorithm="sha256"
            ).hexdigest()[:32],
            "name": person["full_name"],
            "citizen_id": person["id_number"],
            "birthdate": person["birthdate"].isoformat() if person["birthdate"] else "",
            "phone_number": person["phone_number"],
        }
        code = secrets.token_urlsafe(32)
        _cache().set(f"localidp:code:{code}", {"claims": claims, **carried}, CODE_TTL)
        sep = "&" if "?" in redirect_uri else "?"
        return HttpResponseRedirect(
            redirect_uri + sep + urllib.parse.urlencode({"code": code, "state": carried["state"]})
        )
    return render(request, "accounts/local_vneid.html", {"form": form, "carried": carried})


def _client_ok(request):
    client_id, secret = request.POST.get("client_id", ""), request.POST.get("client_secret", "")
    auth = request.META.get("HTTP_AUTHORIZATION", "")
    if auth.startswith("Basic "):
        try:
            pair = base64.b64decode(auth[6:]).decode()
        except ValueError:
            return False
        client_id, _sep, secret = (urllib.parse.unquote(p) for p in pair.partition(":"))
    return client_id == CLIENT_ID and constant_time_compare(secret, client_secret())


@csrf_exempt
def token(request):
    _enabled()
    if request.method != "POST":
        return _error("invalid_request", "POST only", status=405)
    if not _client_ok(request):
        return _error("invalid_client", "client authentication failed", status=401)
    code = request.POST.get("code", "")
    key = f"localidp:code:{code}"
    grant = _cache().get(key)
    if grant is None or not _cache().delete(key):  # used once
        return _error("invalid_grant", "unknown, expired or used code")
    if request.POST.get("redirect_uri") != grant["redirect_uri"]:
        return _error("invalid_grant", "redirect_uri mismatch")
    verifier = request.POST.get("code_verifier", "")
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    if not constant_time_compare(challenge, grant["code_challenge"]):
        return _error("invalid_grant", "PKCE verification failed")
    now = int(time.time())
    claims = grant["claims"]
    key_ = signing_key()
    id_token = jwt.encode(
        {"alg": "RS256", "kid": key_.kid},
        {
            "iss": issuer(),
            "aud": CLIENT_ID,
            "sub": claims["sub"],
            "iat": now,
            "exp": now + TOKEN_TTL,
            "nonce": grant["nonce"],
            "name": claims["name"],
        },
        key_,
    )
    access_token = secrets.token_urlsafe(32)
    _cache().set(f"localidp:at:{access_token}", claims, TOKEN_TTL)
    return JsonResponse(
        {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": TOKEN_TTL,
            "id_token": id_token,
            "scope": grant["scope"],
        }
    )


def userinfo(request):
    _enabled()
    auth = request.META.get("HTTP_AUTHORIZATION", "")
    claims = _cache().get(f"localidp:at:{auth[7:]}") if auth.startswith("Bearer ") else None
    if claims is None:
        return _error("invalid_token", "unknown or expired access token", status=401)
    return JsonResponse(claims)


def jwks(request):
    _enabled()
    return JsonResponse({"keys": [signing_key().as_dict(private=False)]})


def discovery(request):
    _enabled()
    provider = LocalVNeIDProvider()
    return JsonResponse(
        {
            "issuer": issuer(),
            **{
                n: provider.endpoint(n)
                for n in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri")
            },
            "response_types_supported": ["code"],
            "code_challenge_methods_supported": ["S256"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "subject_types_supported": ["public"],
        }
    )
