from django.urls import path

from . import views

app_name = "desk"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("tiep-nhan/", views.intake, name="intake"),
    path("tiep-nhan-thay/", views.intake_on_behalf, name="intake-on-behalf"),
    path("so-theo-doi.xlsx", views.logbook, name="logbook"),
    path("<int:pk>/", views.dossier_page, name="dossier"),
    path("<int:pk>/in/<slug:form>.pdf", views.print_form, name="print"),
    path("<int:pk>/giay-to/<int:position>/", views.component_file, name="component-file"),
    path("<int:pk>/<slug:action>/", views.dossier_action, name="action"),
]
