from .models import Notice


def notice_list(*, limit=20):
    return list(Notice.objects.select_related("created_by").order_by("-created_at", "-id")[:limit])
