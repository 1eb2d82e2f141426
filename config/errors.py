"""Error pages and answers. A failure on our side never shows a traceback: API clients get JSON
with a code they can act on, browsers a page. When the database went away under the request (a
dropped connection, a failover, a restart) the answer is 503 with Retry-After: the transaction was
rolled back, so the same request can simply be sent again (an online submission with the same
idempotency key)."""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


def not_found(request, exception=None):
    if wants_json(request):  # an API path that matched nothing (e.g. /dossiers/abc/) answers in JSON too
        return JsonResponse(
            {"detail": _("Không tìm thấy."), "code": "not_found"},
            status=404,
            json_dumps_params={"ensure_ascii": False},
        )
    return render(request, "404.html", status=404)


def forbidden(request, exception=None):
    if wants_json(request):
        return JsonResponse(
            {"detail": _("Bạn không có quyền thực hiện thao tác này."), "code": "forbidden"},
            status=403,
            json_dumps_params={"ensure_ascii": False},
        )
    return render(request, "403.html", status=403)


def wants_json(request):
    path = request.path_info or ""
    accept = request.headers.get("Accept", "")
    return "/api/" in path or ("application/json" in accept and "text/html" not in accept)


def _database_unavailable(exc):
    """The connection itself failed (dropped, terminated, refused, server shutting down) — not a
    statement the database refused. Only then is "send it again" the whole answer."""
    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    state = getattr(exc.__cause__, "sqlstate", None)  # psycopg's error under Django's
    return state is None or state.startswith(("08", "57P"))  # connection exception, admin shutdown


def server_error(request):
    """handler500. Django calls it while handling the exception, so sys.exc_info() is that exception.
    Renders without a request context: the context processors could need the database that just
    failed."""
    exc = sys.exc_info()[1]
    unavailable = _database_unavailable(exc)
    status = 503 if unavailable else 500
    if wants_json(request):
        if unavailable:
            body = {
                "detail": _(
                    "Hệ thống tạm thời không kết nối được cơ sở dữ liệu; yêu cầu chưa được ghi. "
                    "Vui lòng gửi lại sau ít giây."
                ),
                "code": "service_unavailable",
            }
        else:
            body = {
                "detail": _("Hệ thống đang gặp sự cố. Vui lòng thử lại sau ít phút."),
                "code": "server_error",
            }
        response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    else:
        try:
            content = loader.get_template("500.html").render()
        except Exception:  # the page itself must not fail
            log.exception("could not render 500.html")
            content = "<!doctype html><title>500</title><h1>Hệ thống đang gặp sự cố</h1>"
        response = HttpResponse(content, status=status)
    if unavailable:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
