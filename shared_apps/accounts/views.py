from django.contrib.auth import views as auth_views
from django.shortcuts import render
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .selectors import membership_list_for_user


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

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


def profile(request):
    from django.contrib.auth.views import redirect_to_login

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return render(request, "accounts/profile.html",
                  {"memberships": membership_list_for_user(user=request.user)})


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
        return Response(MeSerializer({
            "username": user.username, "full_name": user.display_name,
            "is_city_admin": user.is_city_admin or user.is_superuser,
            "memberships": membership_list_for_user(user=user),
        }).data)
