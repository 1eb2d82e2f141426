"""A thin WSGI path for the city-wide look-up API (GET /api/v1/lookup/<code>/).

The QR code on every receipt and the citizens' apps hit this URL more than any other; through the
full stack (every middleware, URL resolution, DRF) a look-up costs several times its SQL. The
dispatcher below answers the anonymous JSON look-up itself and hands everything else to Django:

- the same answer: `api.lookup_answer` (same throttle, same selector, same hiding of personal data)
  rendered by DRF's JSONRenderer with the headers DRF adds (Allow, Vary: Accept);
- the same response headers: the request goes through Django's WSGI handler (request_started /
  request_finished signals, so database connections are checked and recycled as usual, 4xx/5xx
  logging, exception → 500 page) and through the middleware of settings.MIDDLEWARE that can touch
  such a request (all but those in SKIPPED_MIDDLEWARE: security headers and HTTPS redirect, CSP,
  host validation and Content-Length, language, X-Frame-Options...), in their configured order;
- anything else goes the normal way: another method or URL, a session cookie (the owner is logged
  in), an Accept header or ?format= that may pick DRF's browsable API, a host that is an agency's
  own domain (AgencyPathMiddleware routes it to that agency), or settings.LOOKUP_FAST_PATH = False.

Headers learned once, body every time: the middleware chain is the only author of the response
headers, but running it (request object, signals, ~10 middleware, response object) cost as much CPU
as the look-up itself. So the first answer for each combination of what those middleware read — the
host, the scheme (and X-Forwarded-Proto), Accept-Language, the language cookie — and each status
goes through the chain, and its headers (all but Content-Length) and active language are kept; the
next look-ups with the same combination and status are answered directly: same `lookup_answer`, same
renderer, the learned headers, a fresh Content-Length. Requests with any other cookie, an exception
(re-answered through the chain, which renders and logs the 500), or more than MEMO_SIZE combinations
go through the chain. After each answer the database connections are aged or closed as Django's
`request_finished` does (`close_old_connections`; sending the signal itself cost ~10 % of a look-up).

tests/tracking/test_fastpath.py asks both paths the same questions and compares the answers.
"""

from __future__ import annotations

import logging
import re
import threading
from http import HTTPStatus

from django.conf import settings
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, connection
from django.http import HttpResponse, QueryDict
from django.utils import translation
from django.utils.module_loading import import_string
from rest_framework.renderers import JSONRenderer

from tenants.directory import directory

from .api import lookup_answer

PATH_RE = re.compile(r"/api/v1/lookup/([0-9A-Za-z.\-]{1,40})/")
JSON_ACCEPTS = frozenset({"", "*/*", "application/json"})
# The middleware of settings.MIDDLEWARE left out of the fast path: they only act on static files,
# agency paths (the dispatcher sends those to the full stack), sessions (no session cookie here),
# CSRF (a GET of a csrf-exempt API view), logins, flash messages or memberships, none of which this
# request has. Every other one (security headers, HTTPS redirect, CSP, host validation,
# Content-Length, language, X-Frame-Options, and any added later) runs, in the configured order.
SKIPPED_MIDDLEWARE = frozenset(
    {
        "whitenoise.middleware.WhiteNoiseMiddleware",
        "tenants.middleware.AgencyPathMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "shared_apps.accounts.middleware.AgencyMembershipMiddleware",
    }
)
ALLOW = "GET, HEAD, OPTIONS"  # what DRF's APIView says for LookupApi
ANSWER_KEY = "egov.lookup_answer"  # environ key: an answer already computed, for the chain to wrap
MEMO_SIZE = 512  # request combinations whose headers are kept (Accept-Language values are few)
LEARNED_HEADER_SKIP = frozenset({"content-length"})

logger = logging.getLogger(__name__)


def _host(environ):
    """The host name AgencyPathMiddleware looks up (request.get_host() without its validation)."""
    if settings.USE_X_FORWARDED_HOST and "HTTP_X_FORWARDED_HOST" in environ:
        host = environ["HTTP_X_FORWARDED_HOST"]
    else:
        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
    return host.split(":")[0]


def wants_fast_path(environ):
    """Whether this request is an anonymous JSON look-up the fast path answers exactly like the full
    stack would."""
    if environ.get("REQUEST_METHOD") != "GET" or not PATH_RE.fullmatch(environ.get("PATH_INFO", "")):
        return False
    if not settings.LOOKUP_FAST_PATH:
        return False
    if settings.SESSION_COOKIE_NAME + "=" in environ.get("HTTP_COOKIE", ""):
        return False
    if environ.get("HTTP_ACCEPT", "").strip() not in JSON_ACCEPTS or "format=" in environ.get(
        "QUERY_STRING", ""
    ):
        return False
    return not (settings.ALLOWED_HOSTS and directory.by_domain(_host(environ)) is not None)


class FastLookupHandler(WSGIHandler):
    """Django's WSGI handler with a short middleware chain ending in the look-up itself."""

    def load_middleware(self, is_async=False):
        self._view_middleware, self._template_response_middleware, self._exception_middleware = [], [], []
        handler = convert_exception_to_response(self.answer)
        for path in reversed(settings.MIDDLEWARE):
            if path not in SKIPPED_MIDDLEWARE:
                handler = convert_exception_to_response(import_string(path)(handler))
        self._middleware_chain = handler

    @staticmethod
    def answer(request):
        request.agency, request.agency_prefix = None, ""  # what AgencyPathMiddleware sets at the city address
        if connection.schema_name != settings.PUBLIC_SCHEMA_NAME:
            connection.set_schema_to_public()
        known = request.META.get(ANSWER_KEY)
        if known is not None:
            status, payload = known
        else:
            code = PATH_RE.fullmatch(request.path_info).group(1)
            status, payload = lookup_answer(request=request, code=code, proof=request.GET.get("proof", ""))
        response = HttpResponse(render(payload), status=status, content_type="application/json")
        response.headers["Vary"] = "Accept"
        response.headers["Allow"] = ALLOW
        return response


def render(payload) -> bytes:
    return JSONRenderer().render(payload)


def memo_key(environ):
    """What the middleware of the chain read from a fast-path request (see the module docstring), or
    None when the request carries a cookie other than the language cookie."""
    cookie = environ.get("HTTP_COOKIE", "")
    language = ""
    if cookie:
        name = settings.LANGUAGE_COOKIE_NAME + "="
        parts = [p.strip() for p in cookie.split(";") if p.strip()]
        if len(parts) != 1 or not parts[0].startswith(name):
            return None
        language = parts[0][len(name) :]
    return (
        environ.get("HTTP_HOST", ""),
        environ.get("SERVER_NAME", ""),
        environ.get("SERVER_PORT", ""),
        environ.get("wsgi.url_scheme", ""),
        environ.get("HTTP_X_FORWARDED_PROTO", ""),
        environ.get("HTTP_X_FORWARDED_HOST", ""),
        environ.get("HTTP_ACCEPT_LANGUAGE", ""),
        language,
    )


class LookupFastPath:
    """WSGI application: the look-up fast path in front of Django's full stack (config/wsgi.py)."""

    def __init__(self, application):
        self.application = application
        self.fast = FastLookupHandler()
        self.languages = {}  # memo key -> language the chain activated
        self.headers = {}  # (memo key, status) -> [(name, value)] without Content-Length
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        if not wants_fast_path(environ):
            return self.application(environ, start_response)
        key = memo_key(environ)
        language = self.languages.get(key) if key is not None else None
        if language is None:
            return self._through_chain(environ, start_response, key)
        try:
            with translation.override(language):
                code = PATH_RE.fullmatch(environ["PATH_INFO"]).group(1)
                proof = QueryDict(environ.get("QUERY_STRING", "")).get("proof", "")
                status, payload = lookup_answer(request=environ, code=code, proof=proof)
                headers = self.headers.get((key, status))
                if headers is None:  # a status not seen yet for this combination: the chain wraps it
                    return self._through_chain(
                        {**environ, ANSWER_KEY: (status, payload)}, start_response, key
                    )
                body = render(payload)
        except Exception:  # noqa: BLE001 — the chain answers again: it renders and logs the error
            logger.warning("look-up fast path failed; answered by the middleware chain", exc_info=True)
            return self._through_chain(environ, start_response, None)
        finally:
            # what Django's request_finished receivers do that matters here: age or drop the database
            # connection (not inside a test's transaction, like the test client's disconnected signal)
            if not connection.in_atomic_block:
                close_old_connections()
        start_response(
            f"{status} {HTTPStatus(status).phrase}", [*headers, ("Content-Length", str(len(body)))]
        )
        return [body]

    def _through_chain(self, environ, start_response, key):
        """Answer through the middleware chain; learn its headers and language for `key`."""
        if key is None or len(self.headers) >= MEMO_SIZE:
            return self.fast(environ, start_response)
        seen = {}

        def capture(status, headers, exc_info=None):
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, exc_info)

        result = self.fast(environ, capture)
        status = int(seen["status"].split()[0])
        headers = [(k, v) for k, v in seen["headers"] if k.lower() not in LEARNED_HEADER_SKIP]
        language = next((v for k, v in headers if k.lower() == "content-language"), None)
        if status in (200, 404, 429) and language:
            with self.lock:
                self.headers[(key, status)] = headers
                self.languages.setdefault(key, language)
        return result
