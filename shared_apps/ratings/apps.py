from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "shared_apps.ratings"
    label = "ratings"
    verbose_name = "Đánh giá mức độ hài lòng"
