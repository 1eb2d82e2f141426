from django import template

register = template.Library()


@register.filter
def vnd(amount):
    """1500000 -> '1.500.000 đồng'; 0 -> 'Miễn phí'."""
    if amount in (None, ""):
        return ""
    amount = int(amount)
    if amount == 0:
        return "Miễn phí"
    return f"{amount:,}".replace(",", ".") + " đồng"


@register.filter
def get_item(mapping, key):
    """{{ request.GET|get_item:'trang-thai' }} — for keys that are not identifiers."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


TIMELINESS = {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}


@register.filter
def timeliness_vi(value):
    return TIMELINESS.get(value, "")


@register.filter
def time_limit(limit, unit):
    """{{ version.time_limit|time_limit:version.time_unit }} -> "3 ngày làm việc" / "1 working day"."""
    from shared_apps.catalogue.text import time_limit_text

    return time_limit_text(limit, unit)
