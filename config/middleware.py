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
    """A NUL character can never be stored in PostgreSQL text: a request that carries one in its path
    or query string is refused up front with a clear 400, instead of failing deep in a query (request
    bodies are checked by the forms and serializers, which refuse NUL themselves)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            "\x00" in request.path
            or "%00" in request.META.get("QUERY_STRING", "")
            or any("\x00" in v for values in request.GET.lists() for v in values[1])
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
