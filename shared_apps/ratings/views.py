"""The rating page at the city address: /danh-gia/<code>/ (also what the QR link opens, with
?kenh=qr), then a thank-you page."""

from django.conf import settings
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from core.errors import DomainError
from shared_apps.tracking.throttle import throttle_exceeded

from .models import Channel
from .selectors import has_rating, rating_entry
from .services import (
    RETURNED,
    AlreadyRated,
    NotYetReturned,
    already_rated_error,
    not_returned_error,
    rating_submit,
)


def rate_limit():
    return settings.RATING_RATE_PER_MINUTE


def _channel(request):
    source = request.POST if request.method == "POST" else request.GET
    return Channel.QR if source.get("kenh") == Channel.QR else Channel.WEB


@require_http_methods(["GET", "HEAD", "POST"])
def rating_page(request, code):
    if throttle_exceeded(scope="rating", request=request, limit=rate_limit()):
        return render(
            request,
            "ratings/form.html",
            {"error": _("Bạn thử quá nhiều lần; vui lòng thử lại sau một phút."), "code": code},
            status=429,
        )
    entry = rating_entry(code=code)
    if entry is None:
        return render(
            request,
            "ratings/form.html",
            {
                "error": _("Không tìm thấy hồ sơ có mã “%(code)s”. Hãy kiểm tra lại mã trên giấy hẹn.")
                % {"code": code},
                "code": code,
            },
            status=404,
        )
    user = request.user
    context = {
        "entry": entry,
        "code": entry.code,
        "channel": _channel(request),
        "open": True,
        "values": {},
        "needs_proof": not (user.is_authenticated and entry.owner_user_id == user.pk),
    }
    refusal = None
    if entry.national_status != RETURNED:
        refusal = not_returned_error()
    elif has_rating(entry):
        refusal = already_rated_error()
    elif request.method == "POST":
        try:
            rating_submit(
                code=entry.code,
                value=request.POST.get("value", ""),
                comment=request.POST.get("comment", ""),
                proof=request.POST.get("xac-minh", ""),
                acting_user=user,
                channel=context["channel"],
            )
        except DomainError as exc:
            refusal = exc
            context["values"] = {
                "value": request.POST.get("value", ""),
                "comment": request.POST.get("comment", ""),
            }
        else:
            return redirect("ratings:thanks", code=entry.code)
    if refusal is None:
        return render(request, "ratings/form.html", context)
    context["error"] = refusal.message
    context["open"] = not isinstance(refusal, NotYetReturned | AlreadyRated)
    # A page read (GET) of a closed dossier is no error; a refused submission answers with its status.
    status = refusal.status if request.method == "POST" else 200
    return render(request, "ratings/form.html", context, status=status)


@require_safe
def thanks_page(request, code):
    return render(request, "ratings/thanks.html", {"code": code})
