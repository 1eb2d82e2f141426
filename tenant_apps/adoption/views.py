from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.errors import DomainError
from shared_apps.accounts.models import Role

from .forms import AdoptionForm
from .models import ProcedureAdoption
from .selectors import adoption_effective_time_limit, adoption_list, adoption_version_in_force
from .services import adoption_update


def adoption_index(request):
    items = []
    for adoption in adoption_list():
        version = adoption_version_in_force(adoption=adoption)
        if version is None:
            continue
        limit, unit = adoption_effective_time_limit(adoption=adoption, version=version)
        items.append({"adoption": adoption, "version": version, "limit": limit})
    return render(
        request,
        "adoption/index.html",
        {"items": items, "can_edit": request.membership.has_role(Role.AGENCY_ADMIN)},
    )


def adoption_edit(request, code):
    adoption = (
        ProcedureAdoption.objects.select_related("procedure", "procedure__sector")
        .filter(procedure__national_code=code)
        .first()
    )
    if adoption is None:
        raise Http404
    version = adoption_version_in_force(adoption=adoption)
    initial = {
        "time_limit_override": adoption.time_limit_override,
        "online_intake_open": adoption.online_intake_open,
        "pin_current": bool(adoption.pinned_version_id),
    }
    form = AdoptionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            adoption_update(
                agency=request.agency,
                adoption=adoption,
                acting_user=request.user,
                time_limit_override=""
                if data["time_limit_override"] is None
                else data["time_limit_override"],
                online_intake_open=data["online_intake_open"],
                pin_current=data["pin_current"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Đã lưu thiết lập thủ tục."))
            return redirect("adoption:index")
    return render(request, "adoption/edit.html", {"adoption": adoption, "version": version, "form": form})
