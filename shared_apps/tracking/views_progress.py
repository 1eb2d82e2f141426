"""Public progress pages (công khai tiến độ giải quyết hồ sơ): the city and one agency, by month.
Thin views over shared_apps.tracking.progress (read from the public index only)."""

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from .progress import Month, month_choices, progress_agency, progress_agency_find, progress_city


def _month_from(request):
    """The month of ?thang=mm/yyyy (default: the current month) and an error for a bad value."""
    text = request.GET.get("thang", "").strip()
    if not text:
        return Month.current(), ""
    month = Month.parse(text)
    if month is None:
        return Month.current(), _("Tháng “%(value)s” không hợp lệ; đang hiển thị tháng hiện tại.") % {
            "value": text[:20]
        }
    return month, ""


def _nav(month):
    current = Month.current()
    return {
        "month": month,
        "previous": month.previous,
        "next": month.next if month < current else None,
        "choices": month_choices(selected=month),
        "is_current": month == current,
    }


def progress_city_page(request):
    month, error = _month_from(request)
    report = progress_city(month=month, sort=request.GET.get("sap-xep", ""))
    return render(
        request, "tracking/progress_city.html", {"report": report, "nav": _nav(month), "error": error}
    )


def progress_agency_page(request, slug):
    subject = progress_agency_find(slug=slug)
    if subject is None:
        raise Http404(slug)
    month, error = _month_from(request)
    report = progress_agency(agency=subject, month=month)
    return render(
        request, "tracking/progress_agency.html", {"report": report, "nav": _nav(month), "error": error}
    )
