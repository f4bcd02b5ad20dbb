"""Small template helpers of the workbench: masked names and the time-left mark."""

from django import template
from django.urls import reverse

from bangban.clients.masking import mask_name
from bangban.clients.models import ClientKind

register = template.Library()


@register.filter
def masked(client) -> str:
    """A client's name as lists show it: a person's masked (张*, 王*明), an organisation's whole.

    The case page shows the name in full: the agent has to address the client.
    """
    if client is None:
        return ""
    if client.kind == ClientKind.ORGANISATION:
        return client.name
    return mask_name(client.name)


@register.inclusion_tag("workbench/_mark.html")
def mark(left, case=None):
    """The time left as a coloured mark with words (never the colour alone)."""
    return {"left": left, "case": case}


@register.inclusion_tag("workbench/_notices_link.html", takes_context=True)
def notices_link(context):
    """The link to the staff member's notices, with how many are unread (notifications)."""
    from ..elsewhere import unread_notices

    request = context["request"]
    url = reverse("notifications:index")
    staff = getattr(request, "staff", None)
    return {"url": url, "unread": unread_notices(staff) if url and staff else 0}
