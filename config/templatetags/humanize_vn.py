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
