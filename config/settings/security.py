"""Security headers for every response (all environments). Production adds HTTPS-only cookies,
HSTS and the SSL redirect (config/settings/production.py).

Content-Security-Policy: scripts only from our own origin — no inline scripts, no eval, nothing from
another host (htmx is served from our static files; the API docs use the split Swagger view whose
script is a separate URL and the self-hosted sidecar assets). Inline *styles* stay allowed: the
server-rendered SVG charts and a few templates use style attributes, which cannot run code."""

from csp.constants import NONE, SELF, UNSAFE_INLINE

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
