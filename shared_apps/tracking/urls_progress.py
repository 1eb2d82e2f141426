"""/cong-khai/: public progress of dossier processing (included with the app namespace "progress")."""

from django.urls import path

from . import views_progress

urlpatterns = [
    path("", views_progress.progress_city_page, name="city"),
    path("<slug:slug>/", views_progress.progress_agency_page, name="agency"),
]
