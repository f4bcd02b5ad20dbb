"""Template helpers of the portal: accessible form widgets and plain-word dates."""

from django import template
from django.utils import timezone

register = template.Library()

WEEKDAYS = "一二三四五六日"


def described_by(bound) -> str:
    ids = []
    if bound.help_text:
        ids.append(f"{bound.html_name}-hint")
    if bound.errors:
        ids.append(f"{bound.html_name}-error")
    return " ".join(ids)


@register.simple_tag
def widget(bound):
    """The field's input tied to its hint and error for screen readers."""
    attrs = {}
    ids = described_by(bound)
    if ids:
        attrs["aria-describedby"] = ids
    if bound.errors:
        attrs["aria-invalid"] = "true"
    if bound.field.required:
        attrs["aria-required"] = "true"
    return bound.as_widget(attrs=attrs)


@register.filter
def describedby(bound) -> str:
    return described_by(bound)


@register.filter
def is_choice_list(bound) -> bool:
    """Radio buttons or check boxes: shown as a fieldset with a legend."""
    return getattr(bound.field.widget, "input_type", "") in {"radio", "checkbox"} and hasattr(
        bound.field, "choices"
    )


@register.filter
def day(value) -> str:
    """2026年3月5日（星期四）"""
    if value is None:
        return ""
    if hasattr(value, "hour"):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return f"{value.year}年{value.month}月{value.day}日（星期{WEEKDAYS[value.weekday()]}）"


@register.filter
def hhmm(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "tzinfo") and hasattr(value, "date") and timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{value.hour:02d}:{value.minute:02d}"
