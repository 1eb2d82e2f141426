from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import DomainError
from shared_apps.tracking.throttle import client_address

from .citizens import citizen_signup, profile_update, verification_confirm
from .contacts import contact_mask
from .forms import CodeForm, ProfileForm, SignupForm
from .identity import IdentityError, provider_get, providers_enabled
from .identity.linking import identity_login
from .models import OneTimeCode
from .otp import otp_get, otp_resend
from .selectors import membership_list_for_user

BACKEND = "shared_apps.accounts.backends.CachedModelBackend"
PENDING = "accounts:verifications"  # session: public ids of the verifications this browser waits for


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "providers": providers_enabled()}

    def get_success_url(self):
        url = self.get_redirect_url()
        if url:
            return url
        memberships = membership_list_for_user(user=self.request.user)
        if len(memberships) == 1:
            return f"/{memberships[0].agency.slug}/"
        return "/tai-khoan/"


class LogoutView(auth_views.LogoutView):
    pass


def _remember(request, row):
    pending = [p for p in request.session.get(PENDING, []) if p != str(row.public_id)]
    request.session[PENDING] = [*pending, str(row.public_id)][-4:]


def _pending_row(request):
    """The latest verification this browser waits for that still exists and is unused."""
    keep = []
    found = None
    for public_id in request.session.get(PENDING, []):
        row = otp_get(public_id=public_id)
        if row is not None and row.used_at is None:
            keep.append(public_id)
            found = row
    request.session[PENDING] = keep
    return found


def _safe_next(request, url):
    return url if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}) else ""


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return HttpResponseRedirect(reverse("accounts:profile"))
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            row = citizen_signup(
                full_name=d["full_name"],
                contact=d["contact"],
                password=d["password"],
                client_ip=client_address(request),
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            _remember(request, row)
            request.session["accounts:next"] = _safe_next(request, request.POST.get("next", ""))
            return HttpResponseRedirect(reverse("accounts:verify"))
    return render(request, "accounts/signup.html", {"form": form, "next": request.GET.get("next", "")})


@require_http_methods(["GET", "POST"])
def verify(request):
    row = _pending_row(request)
    if row is None:
        return render(request, "accounts/verify.html", {"row": None})
    form = CodeForm(request.POST if request.POST.get("action") != "resend" else None)
    if request.method == "POST" and request.POST.get("action") == "resend":
        try:
            otp_resend(public_id=row.public_id, client_ip=client_address(request))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã gửi mã mới."))
        return HttpResponseRedirect(reverse("accounts:verify"))
    if request.method == "POST" and form.is_valid():
        try:
            user = verification_confirm(
                public_id=row.public_id, code=form.cleaned_data["code"], acting_user=request.user
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            if row.purpose == OneTimeCode.Purpose.SIGNUP:  # the new account, whoever was logged in before
                login(request, user, backend=BACKEND)
                messages.success(
                    request,
                    _("Tài khoản đã được xác thực. Chào mừng %(name)s!") % {"name": user.display_name},
                )
            else:
                messages.success(request, _("Đã cập nhật thông tin liên lạc."))
            if _pending_row(request) is not None:
                return HttpResponseRedirect(reverse("accounts:verify"))
            return HttpResponseRedirect(
                request.session.pop("accounts:next", "") or reverse("accounts:profile")
            )
    kind = "phone" if row.channel == "sms" else "email"
    return render(
        request,
        "accounts/verify.html",
        {
            "row": row,
            "form": form,
            "sent_to": contact_mask(kind, row.recipient),
            "kind": kind,
        },
    )


@require_http_methods(["GET", "POST"])
def profile(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    user = request.user
    initial = {
        "full_name": user.full_name,
        "id_number": user.id_number,
        "address": user.address,
        "phone": user.phone,
        "email": user.email,
        "date_of_birth": user.date_of_birth.strftime("%d/%m/%Y") if user.date_of_birth else "",
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            issued = profile_update(
                user=user, acting_user=user, client_ip=client_address(request), **form.cleaned_data
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            for row in issued:
                _remember(request, row)
            if issued:
                messages.info(request, _("Hãy nhập mã xác thực vừa gửi để hoàn tất thay đổi."))
                return HttpResponseRedirect(reverse("accounts:verify"))
            messages.success(request, _("Đã lưu hồ sơ."))
            return HttpResponseRedirect(reverse("accounts:profile"))
    return render(
        request, "accounts/profile.html", {"form": form, "memberships": membership_list_for_user(user=user)}
    )


def identity_begin(request, name):
    provider = provider_get(name)
    if provider is None:
        raise Http404
    redirect_uri = request.build_absolute_uri(reverse("accounts:identity-callback", args=[name]))
    return HttpResponseRedirect(
        provider.begin(
            request, redirect_uri=redirect_uri, next_url=_safe_next(request, request.GET.get("next", ""))
        )
    )


def identity_callback(request, name):
    provider = provider_get(name)
    if provider is None:
        raise Http404
    redirect_uri = request.build_absolute_uri(reverse("accounts:identity-callback", args=[name]))
    try:
        identity, next_url = provider.complete(request, redirect_uri=redirect_uri)
        user = identity_login(identity=identity)
    except (IdentityError, DomainError) as exc:
        return render(
            request,
            "accounts/identity_error.html",
            {"message": getattr(exc, "message", str(exc)), "provider": provider},
            status=400,
        )
    login(request, user, backend=BACKEND)
    return HttpResponseRedirect(next_url or reverse("accounts:profile"))


class MembershipSerializer(serializers.Serializer):
    agency = serializers.CharField(source="agency.name")
    slug = serializers.CharField(source="agency.slug")
    roles = serializers.ListField(child=serializers.CharField())


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField()
    is_city_admin = serializers.BooleanField()
    memberships = MembershipSerializer(many=True)


class MeApi(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        return Response(
            MeSerializer(
                {
                    "username": user.username,
                    "full_name": user.display_name,
                    "is_city_admin": user.is_city_admin or user.is_superuser,
                    "memberships": membership_list_for_user(user=user),
                }
            ).data
        )
