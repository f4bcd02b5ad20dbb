"""The remote-help panel of a case or consultation page: its sessions, in one query."""

from django import template

from bangban.remote.models import HelpSession

register = template.Library()


@register.simple_tag
def remote_panel(case=None, consultation=None):
    sessions = HelpSession.objects.select_related("request", "expert").order_by("-started_at")
    if case is not None:
        return list(sessions.filter(case=case)[:20])
    if consultation is not None:
        return list(sessions.filter(consultation=consultation)[:20])
    return []
