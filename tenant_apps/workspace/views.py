from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.errors import DomainError
from shared_apps.accounts.middleware import membership_exempt

from .forms import NoticeForm
from .selectors import notice_list
from .services import NOTICE_ROLES, notice_create


def home(request):
    membership = request.membership
    can_post = membership.has_role(*NOTICE_ROLES)
    form = NoticeForm(request.POST or None) if can_post else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            notice_create(agency=request.agency, acting_user=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, _("Đã đăng thông báo."))
            return redirect("workspace:home")
    return render(
        request,
        "workspace/home.html",
        {
            "notices": notice_list(),
            "form": form,
            "can_post": can_post,
        },
    )


@membership_exempt
def ping(request):
    """A trivial workspace page (health check of the routing); names only the agency."""
    slug = request.agency.slug if request.agency is not None else "-"
    return HttpResponse(f"ok {slug}\n", content_type="text/plain; charset=utf-8")
