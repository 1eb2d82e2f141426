from django.conf import settings
from django.utils import translation


class LanguageCookieMiddleware:
    """Vietnamese first: pages are in Vietnamese unless the visitor chose another language (the
    cookie set by the language switch). The browser's Accept-Language is deliberately not used."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
        finally:
            # the response is rendered: the next work on this thread (another request, a test, a
            # task run eagerly) starts from the default language, not this visitor's
            translation.deactivate()
        response.headers.setdefault("Content-Language", language)
        return response


class RejectNulCharactersMiddleware:
    """A NUL character can never be stored in PostgreSQL text: a request that carries one in its path,
    its query string or a page's posted form is refused up front with a clear 400, instead of failing
    deep in a query (API bodies are checked by the serializers, which refuse NUL themselves; pages
    read many fields straight from request.POST)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            "\x00" in request.path
            or "%00" in request.META.get("QUERY_STRING", "")
            or any("\x00" in v for values in request.GET.lists() for v in values[1])
            or (
                request.method == "POST"
                and "/api/" not in request.path
                and any("\x00" in k or "\x00" in v for k, values in request.POST.lists() for v in values)
            )
        ):
            from django.http import HttpResponseBadRequest, JsonResponse
            from django.utils.translation import gettext as _

            message = _("Yêu cầu chứa ký tự không hợp lệ (NUL).")
            if "/api/" in request.path:
                return JsonResponse(
                    {"detail": message, "code": "invalid_character"},
                    status=400,
                    json_dumps_params={"ensure_ascii": False},
                )
            return HttpResponseBadRequest(message)
        return self.get_response(request)


class ApiJsonErrorsMiddleware:
    """Under /api/ (the city API and every agency's) an error is always answered in JSON: whatever
    produced an HTML or empty error — Django's debug 404 page for a path no route matches (a
    non-integer id), a plain Django view refusing a method, a 413 or 400 raised before any view — is
    replaced by ``{"detail": ..., "code": ...}`` with the same status and headers (Allow,
    Retry-After...). Answers that are JSON already (DRF, config.errors) pass through untouched."""

    CODES = {
        400: "bad_request",
        401: "not_authenticated",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        406: "not_acceptable",
        413: "request_too_large",
        415: "unsupported_media_type",
        429: "throttled",
        500: "server_error",
        503: "service_unavailable",
    }

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and "/api/" in request.path
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return self.as_json(response)
        return response

    def as_json(self, response):
        from http import HTTPStatus

        from django.http import JsonResponse
        from django.utils.translation import gettext as _

        details = {
            404: _("Không tìm thấy."),
            403: _("Bạn không có quyền thực hiện thao tác này."),
            405: _("Phương thức không được hỗ trợ."),
            500: _("Hệ thống đang gặp sự cố. Vui lòng thử lại sau ít phút."),
        }
        status = response.status_code
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = "Error"
        body = {"detail": details.get(status, phrase), "code": self.CODES.get(status, "error")}
        answer = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
        for name, value in response.items():
            if name.lower() not in ("content-type", "content-length"):
                answer[name] = value
        answer.cookies = response.cookies
        return answer
