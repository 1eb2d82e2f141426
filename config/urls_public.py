"""URLs of the city address itself (the public schema)."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from shared_apps.accounts import api as accounts_api
from shared_apps.accounts.views import MeApi
from shared_apps.calendar import api as calendar_api
from shared_apps.catalogue import api as catalogue_api
from shared_apps.ratings import api as ratings_api
from shared_apps.reports import urls_api as reports_api
from shared_apps.submissions import urls as submission_urls
from shared_apps.tracking import api as tracking_api
from shared_apps.tracking import views as tracking_views
from tenant_apps.dossiers.api_online import SubmissionApi
from tenants.api import AgencyListCreateApi, AgencyMergeApi
from tenants.views import healthz, portal_home

api_v1 = [
    path("agencies/", AgencyListCreateApi.as_view(), name="agency-list"),
    path("agencies/merge/", AgencyMergeApi.as_view(), name="agency-merge"),
    path("me/", MeApi.as_view(), name="me"),
    path("accounts/signup/", accounts_api.SignupApi.as_view(), name="accounts-signup"),
    path("accounts/verify/", accounts_api.VerifyApi.as_view(), name="accounts-verify"),
    path("accounts/resend/", accounts_api.ResendApi.as_view(), name="accounts-resend"),
    path("accounts/profile/", accounts_api.ProfileApi.as_view(), name="accounts-profile"),
    path("catalogue/procedures/", catalogue_api.ProcedureListApi.as_view(), name="procedure-list"),
    path(
        "catalogue/procedures/<str:code>/",
        catalogue_api.ProcedureDetailApi.as_view(),
        name="procedure-detail",
    ),
    path("catalogue/sectors/", catalogue_api.SectorListApi.as_view(), name="sector-list"),
    path("catalogue/import/", catalogue_api.CatalogueImportApi.as_view(), name="catalogue-import"),
    path("calendar/", calendar_api.CalendarApi.as_view(), name="calendar"),
    path("calendar/days/<str:day>/", calendar_api.CalendarDayApi.as_view(), name="calendar-day"),
    path("calendar/office-hours/", calendar_api.OfficeHoursApi.as_view(), name="calendar-office-hours"),
    path("calendar/deadline/", calendar_api.DeadlineApi.as_view(), name="calendar-deadline"),
    path("lookup/<str:code>/", tracking_api.LookupApi.as_view(), name="lookup"),
    path("submissions/", SubmissionApi.as_view(), name="submission"),
    path("my-dossiers/", tracking_api.MyDossiersApi.as_view(), name="my-dossiers"),
    path("ratings/", ratings_api.RatingCreateApi.as_view(), name="rating-create"),
    path("reports/", include(reports_api.city)),
]

urlpatterns = [
    path("", portal_home, name="portal-home"),
    path("healthz/", healthz, name="healthz"),
    path("tai-khoan/", include("shared_apps.accounts.urls")),
    path("thu-tuc/", include("shared_apps.catalogue.urls")),
    path("tra-cuu/", tracking_views.lookup_form, name="lookup-form"),
    path("ho-so-cua-toi/", tracking_views.my_dossiers_page, name="my-dossiers"),
    path("ho-so-cua-toi/", include((submission_urls.dossier_urlpatterns, "citizen-dossier"))),
    path("nop-truc-tuyen/", include((submission_urls.urlpatterns, "submissions"))),
    path("tra-cuu/<str:code>/", tracking_views.lookup_page, name="lookup"),
    path("cong-khai/", include(("shared_apps.tracking.urls_progress", "progress"))),
    path("danh-gia/", include(("shared_apps.ratings.urls", "ratings"))),
    path("thong-ke/", include("shared_apps.reports.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(urlconf="config.urls_openapi"), name="openapi-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="openapi-schema"), name="openapi-docs"),
]

handler404 = "config.errors.not_found"
handler403 = "config.errors.forbidden"
handler500 = "config.errors.server_error"
