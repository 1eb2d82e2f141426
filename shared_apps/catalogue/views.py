from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from .forms import ImportForm, SearchForm
from .io import ImportFailed, catalogue_export_csv, catalogue_export_xlsx, catalogue_import
from .models import Level, OnlineMode, Sector
from .selectors import procedure_detail, procedure_search

PAGE_SIZE = 50


def procedure_list(request):
    form = SearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    results = procedure_search(
        query=filters.get("q", ""),
        sector=filters.get("sector") or None,
        level=filters.get("level") or None,
        online_mode=filters.get("online_mode") or None,
    )
    try:
        page = max(1, int(request.GET.get("trang", "1")))
    except ValueError:
        page = 1
    shown = results[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return render(
        request,
        "catalogue/list.html",
        {
            "form": form,
            "procedures": shown,
            "total": len(results),
            "page": page,
            "has_next": page * PAGE_SIZE < len(results),
            "sectors": Sector.objects.order_by("name"),
            "levels": Level.choices,
            "modes": [c for c in OnlineMode.choices if c[0]],
        },
    )


def procedure_page(request, code):
    procedure = procedure_detail(national_code=code)
    if procedure is None:
        raise Http404
    return render(request, "catalogue/detail.html", {"procedure": procedure, "version": procedure.current})


@login_required
def catalogue_import_page(request):
    user = request.user
    if not (user.is_superuser or user.is_city_admin):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    errors, report = None, None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = catalogue_import(
                data=upload.read(),
                filename=upload.name,
                acting_user=user,
                dry_run=form.cleaned_data["dry_run"],
            )
        except ImportFailed as exc:
            errors = exc.errors
        else:
            if not form.cleaned_data["dry_run"]:
                messages.success(
                    request,
                    f"Đã nhập: {len(report.created)} mới, {len(report.updated)} cập nhật, "
                    f"{len(report.unchanged)} không đổi.",
                )
                return redirect("catalogue:import")
    return render(request, "catalogue/import.html", {"form": form, "errors": errors, "report": report})


def catalogue_export(request, fmt):
    if fmt == "xlsx":
        response = HttpResponse(
            catalogue_export_xlsx(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(catalogue_export_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="danh-muc-thu-tuc.{fmt}"'
    return response
