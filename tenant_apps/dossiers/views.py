"""Desk pages: the queue, counter intake, the dossier page with its actions, printing. Thin: the
action forms are validated by the same serializers as the API and call the same services."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from shared_apps.accounts.models import Membership, Role
from tenant_apps.adoption.selectors import adoption_list, adoption_version_in_force

from . import services
from .api import ACTIONS, _adapt
from .lifecycle import STATE_LABELS, TRANSITIONS, Action, State, allowed_actions
from .models import Dossier
from .selectors import (
    control_slip,
    dossier_ensure_not_moved,
    dossier_get,
    dossier_queue,
    dossier_transfer_out,
    handover_targets,
)


def _members(agency, role):
    return [
        m.user
        for m in Membership.objects.filter(agency_id=agency.pk, is_active=True, roles__contains=[role])
        .select_related("user")
        .order_by("user__full_name")
    ]


def queue(request):
    p = request.GET
    mine = p.get("cua-toi", "1" if not p else "") == "1"
    query = p.get("q", "").strip()[:100]
    # dossiers moved to another agency are no work here; a search by code still finds them (marked)
    qs = dossier_queue(
        user=request.user if mine else None,
        state=p.get("trang-thai") or None,
        procedure=p.get("thu-tuc") or None,
        due_soon=p.get("sap-den-han") == "1",
        overdue=p.get("qua-han") == "1",
        query=query,
        agency=request.agency,
        include_moved=bool(query),
    )
    page = Paginator(qs, 25).get_page(p.get("trang"))
    return render(
        request,
        "desk/queue.html",
        {
            "page": page,
            "mine": mine,
            "states": [(s.value, STATE_LABELS[s]) for s in State],
            "procedures": [a.procedure for a in adoption_list()],
            "now": timezone.now(),
            "filters": p,
        },
    )


def intake(request):
    adoptions = adoption_list()
    # the checklist request (htmx) sends the select itself: ?procedure=…; a link sends ?thu-tuc=…
    chosen = request.GET.get("thu-tuc") or request.GET.get("procedure") or request.POST.get("procedure")
    version = None
    if chosen:
        adoption = next((a for a in adoptions if a.procedure.national_code == chosen), None)
        version = adoption_version_in_force(adoption=adoption) if adoption else None
    if request.method == "POST" and version is not None:
        return _intake_post(request, version)
    template = "desk/_checklist.html" if request.headers.get("HX-Request") else "desk/intake.html"
    return render(
        request,
        template,
        {"adoptions": adoptions, "version": version, "chosen": chosen, "values": request.POST or {}},
    )


def _intake_post(request, version):
    post = request.POST
    applicant = {
        k: post.get(f"applicant_{k}", "") for k in ("kind", "name", "id_number", "address", "phone", "email")
    }
    components = {
        c.position: {
            "provided": f"provided_{c.position}" in post,
            "digitised": f"digitised_{c.position}" in post,
            "reused": f"reused_{c.position}" in post,
        }
        for c in version.components.all()
    }
    outcome = post.get("outcome", "receive")
    common = dict(
        agency=request.agency,
        procedure=version.procedure,
        applicant=applicant,
        channel=post.get("channel", "in_person"),
        components=components,
        acting_user=request.user,
        request_summary=post.get("request_summary", ""),
        sets=post.get("sets") or 1,
    )
    try:
        if outcome == "receive":
            dossier = services.dossier_receive(**common)
            messages.success(request, _("Đã tiếp nhận hồ sơ %(code)s.") % {"code": dossier.code})
        else:
            dossier = services.dossier_register_incomplete(
                **common,
                outcome=outcome,
                refuse_reason=post.get("refuse_reason", ""),
                reasons={c.position: post.get(f"reason_{c.position}", "") for c in version.components.all()},
            )
    except DomainError as exc:
        return render(
            request,
            "desk/intake.html",
            {
                "adoptions": adoption_list(),
                "version": version,
                "chosen": version.procedure.national_code,
                "values": post,
                "error": exc.message,
            },
            status=400,
        )
    return redirect("desk:dossier", pk=dossier.pk)


def dossier_page(request, pk):
    dossier = dossier_get(pk=pk)
    if dossier is None:
        raise Http404
    from .documents import forms_available

    roles = request.membership.roles
    # moved to another agency, or this agency was merged: the page is read-only, no action offered
    moved = dossier_transfer_out(agency=request.agency, dossier=dossier)
    writable = moved is None and not getattr(request, "agency_read_only", False)
    hop_targets = handover_targets(agency=request.agency, dossier=dossier) if writable else []
    actions = (
        [
            (a, TRANSITIONS[a].label)
            for a in allowed_actions(state=dossier.state, roles=roles)
            if (a != Action.HAND_OVER or hop_targets) and (a != Action.HAND_BACK or dossier.is_hop)
        ]
        if writable
        else []
    )
    return render(
        request,
        "desk/dossier.html",
        {
            "d": dossier,
            "moved": moved,
            "writable": writable,
            "events": dossier.events.select_related("actor").all(),
            "slip": control_slip(dossier=dossier, agency=request.agency),
            "hop_targets": hop_targets,
            "actions": actions,
            "specialists": _members(request.agency, Role.SPECIALIST),
            "leaders": _members(request.agency, Role.LEADER),
            "now": timezone.now(),
            "forms": [(spec.slug, spec.title) for spec in forms_available(dossier)],
            "default_new_due": timezone.localtime(timezone.now() + timedelta(days=3)),
        },
    )


def dossier_action(request, pk, action):
    try:
        action = Action(action.replace("-", "_"))
    except ValueError:
        raise Http404 from None
    dossier = Dossier.objects.filter(pk=pk).first()
    if dossier is None or request.method != "POST":
        raise Http404
    try:
        dossier_ensure_not_moved(agency=request.agency, dossier=dossier)
        # the role first, as in the API: the form may name a colleague
        services.dossier_action_authorize(agency=request.agency, action=action, acting_user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("desk:dossier", pk=pk)
    serializer_class, service = ACTIONS[action]
    data = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
    if action == Action.REQUEST_INTAKE_SUPPLEMENT:
        data = {
            "items": [
                {"name": line.split(":", 1)[0], "reason": line.split(":", 1)[-1] if ":" in line else ""}
                for line in request.POST.get("items", "").splitlines()
                if line.strip()
            ]
        }
    if action == Action.APOLOGIZE and data.get("new_due_at"):
        try:
            local = datetime.strptime(data["new_due_at"], "%Y-%m-%dT%H:%M")
            data["new_due_at"] = timezone.make_aware(local).isoformat()
        except ValueError:
            pass
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        messages.error(
            request, "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in serializer.errors.items())
        )
        return redirect("desk:dossier", pk=pk)
    try:
        service(
            agency=request.agency,
            dossier=dossier,
            acting_user=request.user,
            **_adapt(action, serializer.validated_data),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã thực hiện: %(a)s.") % {"a": TRANSITIONS[action].label})
    return redirect("desk:dossier", pk=pk)


def print_form(request, pk, form):
    from .documents import FORMS, form_available

    dossier = dossier_get(pk=pk)
    if dossier is None or form not in FORMS or not form_available(form, dossier):
        raise Http404
    spec = FORMS[form]
    response = HttpResponse(
        spec.render(agency=request.agency, dossier=dossier), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="{spec.filename(dossier)}"'
    return response


def logbook(request):
    from .documents import logbook_xlsx

    today = timezone.localdate()
    try:
        date_from, date_to = logbook_period(
            request.GET.get("tu"), request.GET.get("den"), default_from=today.replace(day=1), default_to=today
        )
    except DomainError as exc:
        return render(request, "desk/bad_request.html", {"error": exc.message}, status=400)
    response = HttpResponse(
        logbook_xlsx(agency=request.agency, date_from=date_from, date_to=date_to),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="so-theo-doi-{date_from:%Y%m%d}-{date_to:%Y%m%d}.xlsx"'
    )
    return response


LOGBOOK_YEARS = (2000, 2100)


def logbook_period(raw_from, raw_to, *, default_from, default_to):
    """The logbook's period from `tu`/`den` (dd/mm/yyyy; blank: the defaults), or a DomainError that
    says what is wrong: a date that is not one, a year outside LOGBOOK_YEARS, or an end before the
    start."""

    def parse(value, default, label):
        if not (value or "").strip():
            return default
        try:
            day = datetime.strptime(value.strip(), "%d/%m/%Y").date()
        except ValueError:
            raise DomainError(
                _("%(f)s không phải một ngày theo dạng dd/mm/yyyy.") % {"f": label}, field="date"
            ) from None
        if not LOGBOOK_YEARS[0] <= day.year <= LOGBOOK_YEARS[1]:
            raise DomainError(
                _("%(f)s phải trong khoảng năm %(a)s–%(b)s.")
                % {"f": label, "a": LOGBOOK_YEARS[0], "b": LOGBOOK_YEARS[1]},
                field="date",
            )
        return day

    date_from = parse(raw_from, default_from, _("Từ ngày"))
    date_to = parse(raw_to, default_to, _("Đến ngày"))
    if date_to < date_from:
        raise DomainError(_("Đến ngày phải sau hoặc cùng ngày với Từ ngày."), field="date")
    return date_from, date_to


def component_file(request, pk, position):
    """A component's scan, only to members of the agency (the middleware checked that)."""
    from django.http import FileResponse

    dossier = Dossier.objects.filter(pk=pk).first()
    component = dossier.components.filter(position=position).first() if dossier else None
    if component is None or not component.file:
        raise Http404
    response = FileResponse(
        component.file.open("rb"), content_type=component.file_type or "application/octet-stream"
    )
    response["Content-Disposition"] = (
        f'inline; filename="{dossier.reference}-{position}{component.file.name[-4:]}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def intake_on_behalf(request):
    """Receipt on another agency's behalf (phi địa giới): choose the deciding agency and the
    procedure, check the components against the catalogue, receive; the receipt prints here."""
    from shared_apps.catalogue.models import Procedure
    from shared_apps.catalogue.selectors import procedure_current_version

    from .selectors import deciding_agencies

    source = request.POST if request.method == "POST" else request.GET
    agencies = deciding_agencies(agency=request.agency)
    chosen_agency = next((a for a in agencies if a.slug == source.get("co-quan")), None)
    code = (source.get("thu-tuc") or "").strip()
    procedure = Procedure.objects.filter(national_code=code).first() if code else None
    version = procedure_current_version(procedure=procedure) if procedure else None
    context = {
        "agencies": agencies,
        "chosen_agency": chosen_agency,
        "code": code,
        "version": version,
        "values": request.POST or {},
    }
    if request.method == "POST" and chosen_agency is not None and version is not None:
        post = request.POST
        applicant = {
            k: post.get(f"applicant_{k}", "")
            for k in ("kind", "name", "id_number", "address", "phone", "email")
        }
        components = {
            c.position: {
                "provided": f"provided_{c.position}" in post,
                "digitised": f"digitised_{c.position}" in post,
                "reused": f"reused_{c.position}" in post,
            }
            for c in version.components.all()
        }
        try:
            dossier = services.dossier_receive_on_behalf(
                agency=request.agency,
                deciding_agency=chosen_agency,
                procedure=code,
                applicant=applicant,
                channel=post.get("channel", "in_person"),
                components=components,
                acting_user=request.user,
                request_summary=post.get("request_summary", ""),
                sets=post.get("sets") or 1,
            )
        except DomainError as exc:
            return render(
                request, "desk/intake_on_behalf.html", {**context, "error": exc.message}, status=400
            )
        messages.success(
            request,
            _("Đã tiếp nhận hồ sơ %(code)s thay %(agency)s.")
            % {"code": dossier.code, "agency": chosen_agency.name},
        )
        return redirect("desk:dossier", pk=dossier.pk)
    if code and procedure is None:
        context["error"] = _("Không có thủ tục này trong danh mục.")
    return render(request, "desk/intake_on_behalf.html", context)
