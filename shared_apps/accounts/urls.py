from django.urls import path

from . import views
from .identity import local

app_name = "accounts"
urlpatterns = [
    path("dang-nhap/", views.LoginView.as_view(), name="login"),
    path("dang-xuat/", views.LogoutView.as_view(), name="logout"),
    path("dang-ky/", views.signup, name="signup"),
    path("xac-thuc/", views.verify, name="verify"),
    path("dinh-danh/<slug:name>/", views.identity_begin, name="identity-begin"),
    path("dinh-danh/<slug:name>/callback/", views.identity_callback, name="identity-callback"),
    # the platform's own VNeID stand-in (404 unless enabled: development and tests)
    path("vneid-thu/.well-known/openid-configuration", local.discovery, name="local-vneid-discovery"),
    path("vneid-thu/authorize/", local.authorize, name="local-vneid-authorize"),
    path("vneid-thu/token/", local.token, name="local-vneid-token"),
    path("vneid-thu/userinfo/", local.userinfo, name="local-vneid-userinfo"),
    path("vneid-thu/jwks/", local.jwks, name="local-vneid-jwks"),
    path("", views.profile, name="profile"),
]
