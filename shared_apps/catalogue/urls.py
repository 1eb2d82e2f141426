from django.urls import path, re_path

from . import views

app_name = "catalogue"
urlpatterns = [
    path("", views.procedure_list, name="list"),
    path("nhap/", views.catalogue_import_page, name="import"),
    re_path(r"^xuat\.(?P<fmt>xlsx|csv)$", views.catalogue_export, name="export"),
    path("<str:code>/", views.procedure_page, name="detail"),
]
