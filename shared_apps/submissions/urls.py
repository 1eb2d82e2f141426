from django.urls import path

from . import views

urlpatterns = [
    path("nhap/", views.drafts, name="drafts"),
    path("nhap/<int:pk>/", views.draft_page, name="draft"),
    path("nhap/<int:pk>/tep/<int:position>/", views.draft_file, name="draft-file"),
    path("nhap/<int:pk>/xoa/", views.discard, name="discard"),
    path("<str:code>/", views.start, name="start"),
]

# Under /ho-so-cua-toi/: the citizen's own dossier in an agency.
dossier_urlpatterns = [
    path("<slug:agency>/<int:pk>/", views.dossier_page, name="detail"),
    path("<slug:agency>/<int:pk>/bo-sung/", views.supplement, name="supplement"),
    path("<slug:agency>/<int:pk>/giay-tiep-nhan.pdf", views.receipt, name="receipt"),
]
