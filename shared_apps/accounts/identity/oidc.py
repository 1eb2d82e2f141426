"""An OpenID Connect client: authorization code flow with PKCE (S256), state and nonce, the ID token's
signature checked against the provider's JWKS (RS256/ES256), issuer, audience, expiry and nonce
checked, then the userinfo endpoint read with the access token (its ``sub`` must equal the ID token's).

Options (``settings.IDENTITY_PROVIDERS`` entry): ``issuer``, ``authorization_endpoint``,
``token_endpoint``, ``userinfo_endpoint``, ``jwks_uri``, ``client_id``, ``client_secret``,
``scope`` (default ``"openid profile"``), ``token_auth`` (``client_secret_basic`` | ``client_secret_post``),
``claims``: which claim holds each profile field (defaults below; VNeID's exact claim names come with
the city's integration agreement), ``timeout`` (seconds).

HTTP goes through ``self.http(method, url, *, data=None, headers=None) -> (status, body bytes)``,
by default the standard library's urllib; the local stand-in calls the platform in-process."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request

from django.utils.translation import gettext as _
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from .base import Identity, IdentityError, IdentityProvider

DEFAULT_CLAIMS = {
    "full_name": "name",
    "id_number": "citizen_id",
    "date_of_birth": "birthdate",
    "phone": "phone_number",
    "email": "email",
    "address": "address",
}


def pkce_pair():
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def urllib_http(method, url, *, data=None, headers=None, timeout=10):
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (configured https URLs)
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


class OIDCProvider(IdentityProvider):
    session_key_prefix = "oidc:"

    def __init__(self, **options):
        super().__init__(**options)
        o = self.options
        self.claims_map = {**DEFAULT_CLAIMS, **(o.get("claims") or {})}
        self.scope = o.get("scope", "openid profile")
        self.timeout = float(o.get("timeout", 10))

    # endpoints (overridable: the local stand-in computes them)
    def endpoint(self, name):
        return self.options[name]

    @property
    def issuer(self):
        return self.options["issuer"]

    @property
    def client_id(self):
        return self.options["client_id"]

    @property
    def client_secret(self):
        return self.options.get("client_secret", "")

    def http(self, method, url, *, data=None, headers=None):
        return urllib_http(method, url, data=data, headers=headers, timeout=self.timeout)

    # --- step 1 ----------------------------------------------------------------------------------
    def begin(self, request, *, redirect_uri, next_url=""):
        state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        verifier, challenge = pkce_pair()
        request.session[self.session_key_prefix + self.name] = {
            "state": state,
            "nonce": nonce,
            "verifier": verifier,
            "next": next_url,
            "at": int(time.time()),
        }
        query = urllib.parse.urlencode(
            {
                "response_type": "code",
                "client_id": self.client_id,
                "redirect_uri": redirect_uri,
                "scope": self.scope,
                "state": state,
                "nonce": nonce,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            }
        )
        return f"{self.endpoint('authorization_endpoint')}?{query}"

    # --- step 2 ----------------------------------------------------------------------------------
    def complete(self, request, *, redirect_uri):
        pending = request.session.pop(self.session_key_prefix + self.name, None)
        if not pending or not secrets.compare_digest(str(request.GET.get("state", "")), pending["state"]):
            raise IdentityError(_("Phiên đăng nhập không hợp lệ hoặc đã hết hạn. Vui lòng thử lại."))
        if time.time() - pending["at"] > 600:
            raise IdentityError(_("Phiên đăng nhập đã hết hạn. Vui lòng thử lại."))
        if request.GET.get("error"):
            raise IdentityError(
                _("Nhà cung cấp định danh từ chối đăng nhập (%(e)s).") % {"e": request.GET["error"][:60]}
            )
        code = request.GET.get("code")
        if not code:
            raise IdentityError(_("Thiếu mã cấp quyền từ nhà cung cấp định danh."))
        tokens = self._token(code=code, redirect_uri=redirect_uri, verifier=pending["verifier"])
        claims = self._verify_id_token(tokens.get("id_token", ""), nonce=pending["nonce"])
        userinfo = self._userinfo(tokens.get("access_token", ""))
        if userinfo.get("sub") != claims.get("sub"):
            raise IdentityError(_("Thông tin định danh không khớp với mã định danh (sub)."))
        merged = {**claims, **userinfo}
        return self.identity_from_claims(merged), pending.get("next", "")

    def _json(self, status, body, what):
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            data = None
        if status != 200 or not isinstance(data, dict):
            raise IdentityError(
                _("Nhà cung cấp định danh trả lời lỗi (%(what)s, %(status)s).")
                % {"what": what, "status": status}
            )
        return data

    def _token(self, *, code, redirect_uri, verifier):
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        }
        headers = {"Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"}
        if self.options.get("token_auth", "client_secret_basic") == "client_secret_post":
            data.update(client_id=self.client_id, client_secret=self.client_secret)
        else:
            pair = f"{urllib.parse.quote(self.client_id)}:{urllib.parse.quote(self.client_secret)}"
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        status, body = self.http("POST", self.endpoint("token_endpoint"), data=data, headers=headers)
        tokens = self._json(status, body, "token")
        if not tokens.get("id_token") or not tokens.get("access_token"):
            raise IdentityError(_("Nhà cung cấp định danh không trả mã thông báo (token)."))
        return tokens

    def _keys(self):
        status, body = self.http("GET", self.endpoint("jwks_uri"), headers={"Accept": "application/json"})
        return KeySet.import_key_set(self._json(status, body, "jwks"))

    def _verify_id_token(self, id_token, *, nonce):
        try:
            token = jwt.decode(id_token, self._keys(), algorithms=["RS256", "ES256"])
            jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": self.issuer},
                aud={"essential": True, "value": self.client_id},
                sub={"essential": True},
                exp={"essential": True},
                nonce={"essential": True, "value": nonce},
            ).validate(token.claims)
        except (JoseError, ValueError) as exc:
            raise IdentityError(
                _("Mã định danh (ID token) không hợp lệ: %(e)s.") % {"e": str(exc)[:120]}
            ) from None
        return token.claims

    def _userinfo(self, access_token):
        status, body = self.http(
            "GET",
            self.endpoint("userinfo_endpoint"),
            headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
        )
        return self._json(status, body, "userinfo")

    def identity_from_claims(self, claims):
        def claim(field):
            value = claims.get(self.claims_map.get(field) or "", "")
            if isinstance(value, dict):  # OIDC "address" is an object
                value = value.get("formatted", "")
            return str(value or "").strip()

        return Identity(
            provider=self.name,
            subject=str(claims["sub"]),
            full_name=claim("full_name"),
            id_number=claim("id_number"),
            date_of_birth=claim("date_of_birth"),
            phone=claim("phone"),
            email=claim("email"),
            address=claim("address"),
            claims=dict(claims),
        )
