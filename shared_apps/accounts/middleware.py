"""Entering an agency's workspace needs a membership of that agency: checked once here for every page
and API call (services that change data check again)."""

from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .selectors import membership_get


def membership_exempt(view_func):
    """Mark a workspace view that anyone may open (health checks, public agency info)."""
    view_func.membership_exempt = True
    return view_func


class AgencyMembershipMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        agency = getattr(request, "agency", None)
        if agency is None or getattr(view_func, "membership_exempt", False):
            return None
        is_api = request.path_info.startswith(f"{request.agency_prefix}api/")
        user = request.user
        if not user.is_authenticated:
            if is_api:
                return JsonResponse(
                    {"detail": _("Bạn cần đăng nhập."), "code": "not_authenticated"},
                    status=401,
                    json_dumps_params={"ensure_ascii": False},
                )
            return redirect_to_login(request.get_full_path())
        request.membership = membership_get(user=user, agency=agency)
        user._memberships = {agency.pk: request.membership}  # services check again without a query
        if request.membership is None:
            if is_api:
                return JsonResponse(
                    {"detail": _("Bạn không phải thành viên của cơ quan này."), "code": "not_a_member"},
                    status=403,
                    json_dumps_params={"ensure_ascii": False},
                )
            return render(request, "403.html", {"reason": "not_a_member"}, status=403)
        return None
