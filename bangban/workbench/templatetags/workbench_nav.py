"""The workbench's navigation: the areas of the signed-in staff member (``navigation.areas``)."""

from django import template

from ..navigation import areas

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_areas(context) -> frozenset[str]:
    request = context["request"]
    return areas(getattr(request, "staff", None), getattr(request, "user", None))
