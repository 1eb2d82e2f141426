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

tests/tracking/test_fastpath.py asks both paths the same questions and compares the answers.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.http import HttpResponse
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
SKIPPED_MIDDLEWARE = frozenset({
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tenants.middleware.AgencyPathMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "shared_apps.accounts.middleware.AgencyMembershipMiddleware",
})
ALLOW = "GET, HEAD, OPTIONS"  # what DRF's APIView says for LookupApi


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
    if not getattr(settings, "LOOKUP_FAST_PATH", True):
        return False
    if settings.SESSION_COOKIE_NAME + "=" in environ.get("HTTP_COOKIE", ""):
        return False
    if environ.get("HTTP_ACCEPT", "").strip() not in JSON_ACCEPTS or "format=" in environ.get("QUERY_STRING", ""):
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
        code = PATH_RE.fullmatch(request.path_info).group(1)
        status, payload = lookup_answer(request=request, code=code, proof=request.GET.get("proof", ""))
        response = HttpResponse(JSONRenderer().render(payload), status=status, content_type="application/json")
        response.headers["Vary"] = "Accept"
        response.headers["Allow"] = ALLOW
        return response


class LookupFastPath:
    """WSGI application: the look-up fast path in front of Django's full stack (config/wsgi.py)."""

    def __init__(self, application):
        self.application = application
        self.fast = FastLookupHandler()

    def __call__(self, environ, start_response):
        if wants_fast_path(environ):
            return self.fast(environ, start_response)
        return self.application(environ, start_response)

