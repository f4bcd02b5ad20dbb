"""Rendering of rates: a per-cent figure linked to the rows behind it, red when below target."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def pct(value):
    return "—" if value is None else f"{value:g}%"


@register.filter
def lookup(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.simple_tag
def rate_link(rate, target, base_url, query, extra=""):
    """``87.5%`` linking to all rows behind it, with (met / total) and the missed rows' link.

    Below target: red, with the words “未达标” (colour is never the only signal).
    Nothing to count: “—”, which is not a miss.
    """
    if rate is None or not rate.total:
        return mark_safe('<span class="muted" title="无可统计的数据">—</span>')
    q = "&".join(part for part in (query, extra) if part)
    missed = target is not None and rate.value < target
    marker = mark_safe(' <span class="miss">▼未达标</span>') if missed else ""
    missed_link = (
        format_html('，<a href="{}?{}&amp;part=missed">未达标 {}</a>', base_url, q, rate.missed)
        if rate.missed
        else ""
    )
    return format_html(
        '<a class="{}" href="{}?{}">{}</a>{}<br><span class="muted small">{}/{}{}</span>',
        "bad" if missed else "ok",
        base_url,
        q,
        f"{rate.value:g}%",
        marker,
        rate.met,
        rate.total,
        missed_link,
    )


@register.filter
def pct_of(rate):
    """A Rate as “87.5%” (or “—” when there is nothing to count)."""
    return "—" if rate is None or rate.value is None else f"{rate.value:g}%"
