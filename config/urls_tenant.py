"""URLs of one agency's workspace; mounted under /<agency-slug>/ by tenants.middleware."""

from django.urls import include, path

from shared_apps.reports import urls_api as reports_api
from tenant_apps.adoption import api as adoption_api
from tenant_apps.dossiers import api as dossier_api
from tenant_apps.dossiers import api_history as history_api
from tenant_apps.dossiers.lifecycle import Action
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
    path("dossiers/", dossier_api.DossierListApi.as_view(), name="dossier-list"),
    path("dossiers/<int:pk>/", dossier_api.DossierDetailApi.as_view(), name="dossier-detail"),
    path(
        "dossiers/<int:pk>/components/<int:position>/file/",
        dossier_api.ComponentFileApi.as_view(),
        name="dossier-component-file",
    ),
    path("dossiers/<int:pk>/history/", history_api.DossierHistoryApi.as_view(), name="dossier-history"),
    path("history/verify/", history_api.AgencyHistoryVerifyApi.as_view(), name="history-verify"),
    *[
        path(
            f"dossiers/<int:pk>/{action.value.replace('_', '-')}/",
            dossier_api.action_view(action),
            name=f"dossier-{action.value}",
        )
        for action in Action
    ],
    path("reports/", include(reports_api.agency)),
]

urlpatterns = [
    path("", include((workspace, "workspace"))),
    path("thu-tuc/", include("tenant_apps.adoption.urls")),
    path("ho-so/", include("tenant_apps.dossiers.urls")),
    path("thong-ke/", include("shared_apps.reports.urls")),
    path("api/v1/", include((api_v1, "agency-api"))),
]

handler404 = "config.errors.not_found"
handler403 = "config.errors.forbidden"
handler500 = "config.errors.server_error"
