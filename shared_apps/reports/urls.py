"""Pages of the reports: included at /thong-ke/ (the city) and at /<slug>/thong-ke/ (an agency)."""

from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard_page, name="dashboard"),
    path("ho-so/", views.dossiers_page, name="dossiers"),
]
