from django import template

register = template.Library()


@register.filter
def attr_value(obj, name):
    """{{ figures|attr_value:"settled_late" }}: a figure by its column name."""
    return getattr(obj, name, "")
