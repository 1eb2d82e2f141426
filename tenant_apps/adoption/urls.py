from django.urls import path

from . import views

app_name = "adoption"
urlpatterns = [
    path("", views.adoption_index, name="index"),
    path("<str:code>/", views.adoption_edit, name="edit"),
]
