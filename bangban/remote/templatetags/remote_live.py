"""What the live session page (remote/session.html) needs, from the session and the
request alone, so that every view that shows it (the workbench's and the portal's) shows
the same page: who is who, the chat so far, the photos, and the data session.js reads
(the socket's address, where photos go, the STUN/TURN servers of ``BANGBAN_ICE_SERVERS``)."""

from django import template
from django.conf import settings
from django.urls import reverse

from bangban.remote.consumers import party_name, party_role
from bangban.remote.models import Outcome
from bangban.remote.parties import party_for
from bangban.remote.session_views import photo_url

register = template.Library()

LATEST = 200  # messages shown when the page is opened again mid-session


@register.simple_tag(takes_context=True)
def session_page(context, session):
    request = context["request"]
    party = party_for(request.user, request.session)
    role = party_role(party, session) if party is not None else "asker"
    me = party_name(party) if party is not None else ""
    other = session.expert.name if role == "asker" else session.request.asker_name
    messages = list(session.messages.order_by("-at", "-id")[:LATEST])[::-1]
    return {
        "role": role,
        "me": me,
        "other": other,
        "messages": [(m, m.sender_name == me) for m in messages],
        "photos": [(p, photo_url(p)) for p in session.photos.order_by("at", "id")],
        "outcomes": Outcome.choices,
        "data": {
            "socket": f"/ws/remote/sessions/{session.pk}/",
            "photos": reverse("remote_session:photos", args=[session.pk]),
            "iceServers": settings.REMOTE_ICE_SERVERS,
            "role": role,
            "me": me,
            "other": other,
            "ended": session.ended_at is not None,
        },
    }
