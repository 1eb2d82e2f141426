from django.urls import path

from . import views

app_name = "ratings"
urlpatterns = [
    path("<str:code>/", views.rating_page, name="form"),
    path("<str:code>/cam-on/", views.thanks_page, name="thanks"),
]
