"""Online submission pages at the city address (thin: the services and selectors decide).

/nop-truc-tuyen/<code>/                 choose the receiving agency -> a new draft
/nop-truc-tuyen/nhap/                   my drafts
/nop-truc-tuyen/nhap/<id>/              the form: "Lưu nháp" / "Nộp hồ sơ"
/nop-truc-tuyen/nhap/<id>/tep/<pos>/    a draft's file, to its owner only
/ho-so-cua-toi/<agency>/<id>/           the citizen's dossier: state, receipt, supplement online
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.uploads import ACCEPT, ALLOWED_LABEL, EXTENSIONS, mb
from core.errors import DomainError
from tenants.directory import directory

from . import services
from .models import DraftStatus
from .selectors import (
    agencies_offering,
    citizen_dossier,
    draft_components,
    draft_get,
    drafts_of,
    in_schema,
    online_version,
    procedure_for_online,
)

APPLICANT_INPUTS = ("kind", "name", "id_number", "address", "phone", "email")


def _login(request):
    return redirect_to_login(request.get_full_path())


def dossier_url(agency_slug, pk):
    return reverse("citizen-dossier:detail", kwargs={"agency": agency_slug, "pk": pk})


def start(request, code):
    """Choose the receiving agency of a procedure offered online."""
    procedure = procedure_for_online(national_code=code)
    version = online_version(procedure=procedure) if procedure else None
    if version is None:
        raise Http404
    if not request.user.is_authenticated:
        return _login(request)
    offered = agencies_offering(procedure=procedure, version=version)
    error = None
    if request.method == "POST":
        agency = directory.by_slug(request.POST.get("co-quan", ""))
        try:
            draft = services.draft_create(procedure=procedure, agency=agency, acting_user=request.user)
        except DomainError as exc:
            error = exc.message
        else:
            return redirect("submissions:draft", pk=draft.pk)
    return render(
        request,
        "submissions/choose_agency.html",
        {
            "procedure": procedure,
            "version": version,
            "error": error,
            "competent": [o.agency for o in offered if o.competent],
            "cross": [o.agency for o in offered if not o.competent],
        },
        status=400 if error else 200,
    )


def drafts(request):
    if not request.user.is_authenticated:
        return _login(request)
    return render(request, "submissions/drafts.html", {"drafts": drafts_of(user=request.user)})


def draft_page(request, pk):
    if not request.user.is_authenticated:
        return _login(request)
    draft = draft_get(user=request.user, pk=pk)
    if draft is None:
        raise Http404
    if draft.status == DraftStatus.SUBMITTED:
        return redirect(dossier_url(draft.agency.slug, draft.dossier_id))
    errors, file_errors = [], {}
    if request.method == "POST":
        try:
            return _draft_post(request, draft, errors, file_errors)
        except DomainError as exc:
            if exc.code == "draft_submitted":
                draft.refresh_from_db()
                return redirect(dossier_url(draft.agency.slug, draft.dossier_id))
            errors.append(exc.message)
        draft.refresh_from_db()
    version, components = draft_components(draft=draft)
    for c in components:
        c.error = file_errors.get(c.position, "")
    return render(
        request,
        "submissions/form.html",
        {
            "draft": draft,
            "version": version,
            "components": components,
            "errors": errors,
            "a": draft.applicant,
            "allowed": ALLOWED_LABEL,
            "accept": ACCEPT,
            "max_mb": mb(settings.UPLOAD_MAX_BYTES),
            "total_mb": mb(settings.UPLOAD_MAX_DOSSIER_BYTES),
        },
        status=400 if errors or file_errors else 200,
    )


def _draft_post(request, draft, errors, file_errors):
    user = request.user
    # Fields the form did not send stay as they were.
    applicant = {
        k: request.POST[f"nguoi-nop-{k}"] for k in APPLICANT_INPUTS if f"nguoi-nop-{k}" in request.POST
    }
    draft = services.draft_update(
        draft=draft, acting_user=user, applicant=applicant, request_summary=request.POST.get("noi-dung")
    )
    remove = request.POST.get("xoa-tep")
    if remove and remove.isdigit():
        services.draft_detach(draft=draft, position=int(remove), acting_user=user)
        messages.success(request, _("Đã xóa tệp."))
        return redirect("submissions:draft", pk=draft.pk)
    for name, upload in request.FILES.items():
        if not name.startswith("tep-") or not name[4:].isdigit():
            continue
        try:
            services.draft_attach(draft=draft, position=int(name[4:]), upload=upload, acting_user=user)
        except DomainError as exc:
            file_errors[int(name[4:])] = exc.message
    if file_errors:
        raise DomainError(_("Một số tệp không được nhận; các thông tin khác đã được lưu."))
    if request.POST.get("hanh-dong") == "nop":
        draft, _created = services.draft_submit(draft=draft, acting_user=user)
        messages.success(request, _("Đã nộp hồ sơ. Cơ quan sẽ kiểm tra và tiếp nhận."))
        return redirect(dossier_url(draft.agency.slug, draft.dossier_id))
    messages.success(request, _("Đã lưu nháp."))
    return redirect("submissions:draft", pk=draft.pk)


def draft_file(request, pk, position):
    """A draft's file, only to the draft's owner (anyone else: 404)."""
    if not request.user.is_authenticated:
        return _login(request)
    draft = draft_get(user=request.user, pk=pk)
    row = draft.files.filter(position=position).first() if draft else None
    if row is None:
        raise Http404
    response = FileResponse(row.file.open("rb"), content_type=row.content_type)
    extension = EXTENSIONS.get(row.content_type, "")
    response["Content-Disposition"] = f'attachment; filename="nhap-{draft.pk}-{position}{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def discard(request, pk):
    if not request.user.is_authenticated:
        return _login(request)
    draft = draft_get(user=request.user, pk=pk)
    if draft is None:
        raise Http404
    try:
        services.draft_discard(draft=draft, acting_user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã xóa hồ sơ nháp."))
    return redirect("submissions:drafts")


# --- the citizen's dossier -----------------------------------------------------------------------


def _own_dossier(request, agency_slug, pk):
    agency = directory.by_slug(agency_slug)
    d = citizen_dossier(user=request.user, agency=agency, dossier_id=pk) if agency else None
    if d is None:
        raise Http404
    return agency, d


def dossier_page(request, agency, pk):
    if not request.user.is_authenticated:
        return _login(request)
    agency, d = _own_dossier(request, agency, pk)
    return render(
        request,
        "submissions/dossier.html",
        {"d": d, "allowed": ALLOWED_LABEL, "accept": ACCEPT, "max_mb": mb(settings.UPLOAD_MAX_BYTES)},
    )


@require_POST
def supplement(request, agency, pk):
    from tenant_apps.dossiers.models import Dossier
    from tenant_apps.dossiers.services import dossier_supplement_online

    if not request.user.is_authenticated:
        return _login(request)
    agency, d = _own_dossier(request, agency, pk)
    uploads = {
        int(name[4:]): f
        for name, f in request.FILES.items()
        if name.startswith("tep-") and name[4:].isdigit()
    }
    try:
        with in_schema(agency):
            dossier = Dossier.objects.get(pk=d.pk, owner_user_id=request.user.pk)
            dossier_supplement_online(
                agency=agency,
                dossier=dossier,
                uploads=uploads,
                note=request.POST.get("ghi-chu", ""),
                acting_user=request.user,
            )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã gửi bổ sung hồ sơ."))
    return redirect(dossier_url(agency.slug, d.pk))


def receipt(request, agency, pk):
    """Form 01 of the citizen's own accepted dossier."""
    from tenant_apps.dossiers.documents import FORMS
    from tenant_apps.dossiers.models import Dossier

    if not request.user.is_authenticated:
        return _login(request)
    agency, d = _own_dossier(request, agency, pk)
    if not d.has_receipt:
        raise Http404
    spec = FORMS["tiep-nhan"]
    with in_schema(agency):
        dossier = Dossier.objects.select_related("procedure", "procedure_version").get(pk=d.pk)
        body = spec.render(agency=agency, dossier=dossier)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{spec.filename(dossier)}"'
    response["Cache-Control"] = "private, no-store"
    return response
