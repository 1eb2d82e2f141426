"""URLs of one agency's workspace; mounted under /<agency-slug>/ by tenants.middleware."""

from django.urls import include, path

from tenant_apps.adoption import api as adoption_api
from tenant_apps.workspace import api as workspace_api
from tenant_apps.workspace import views as workspace_views

workspace = [
    path("", workspace_views.home, name="home"),
    path("ping/", workspace_views.ping, name="ping"),
]
api_v1 = [
    path("workspace/", workspace_api.WorkspaceApi.as_view(), name="workspace"),
    path("notices/", workspace_api.NoticeListCreateApi.as_view(), name="notice-list"),
    path("procedures/", adoption_api.AdoptionListApi.as_view(), name="adoption-list"),
    path("procedures/<str:code>/", adoption_api.AdoptionDetailApi.as_view(), name="adoption-detail"),
]

urlpatterns = [
    path("", include((workspace, "workspace"))),
    path("thu-tuc/", include("tenant_apps.adoption.urls")),
    path("api/v1/", include((api_v1, "agency-api"))),
]
