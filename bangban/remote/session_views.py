"""The live session's photos over HTTP (the realtime side; the session page itself,
``remote/session.html`` + ``remote/session.js``, is rendered by the workbench's
``views.session_live`` and the portal's ``remote-session`` view, and reads what it needs
through the ``session_page`` tag of ``templatetags/remote_live.py``).

- ``/remote/sessions/<id>/photos/`` (POST, a ``photo`` file): a photo of a material, stored
  through ``services.session_photo``; both pages are told through the session's socket
  (``live.session_event``).
- ``/remote/sessions/<id>/photos/<photo>/``: the photo, for the two parties and for whoever
  may read the record (``access.get_session_for``), decrypted (on disk it is encrypted,
  ``photos.py``).
"""

from __future__ import annotations

from django.http import Http404, JsonResponse
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_POST

from bangban.inputs import id_or_none

from . import access, live, photos, services
from .consumers import party_role
from .models import HelpSession, SessionPhoto
from .parties import party_for


def _party_session(request, session_id):
    """The session and who is asking, if they are one of its two parties; else 404."""
    party = party_for(request.user, request.session)
    pk = id_or_none(session_id)
    session = (
        HelpSession.objects.select_related("request", "request__site", "request__item", "expert")
        .filter(pk=pk)
        .first()
        if pk is not None and party is not None
        else None
    )
    if session is None or not services.may_join(party, session):
        raise Http404("远程帮办不存在")
    return party, session


def photo_url(photo: SessionPhoto) -> str:
    return reverse("remote_session:photo", args=[photo.session_id, photo.pk])


@require_POST
def session_photo_upload(request, session_id):
    party, session = _party_session(request, session_id)
    upload = request.FILES.get("photo")
    if upload is None:
        return JsonResponse({"error": "请选择一张照片或拍照"}, status=400)
    try:
        photo = services.session_photo(
            session, sender_actor=party, content=upload.read(), name=upload.name or "照片.jpg"
        )
    except services.RemoteRefused as refused:
        return JsonResponse({"error": refused.message}, status=400)
    notice = {
        "kind": "photo",
        "id": photo.pk,
        "url": photo_url(photo),
        "name": photo.name,
        "from": party_role(party, session),
        "sender": photo.sender_name,
    }
    live.session_event(session.pk, notice)
    return JsonResponse(notice, status=201)


@require_GET
def session_photo_file(request, session_id, photo_id):
    party = party_for(request.user, request.session)
    pk = id_or_none(session_id)
    session = HelpSession.objects.select_related("request").filter(pk=pk).first() if pk else None
    if session is None or party is None or not services.may_join(party, session):
        # not a party: whoever may read the record (404 otherwise)
        actor = party if getattr(party, "kind", None) else None
        session = access.get_session_for(actor, session_id)
    photo = session.photos.filter(pk=id_or_none(photo_id)).first()
    if photo is None:
        raise Http404("照片不存在")
    return photos.served(photo)  # decrypted here: the disk holds it encrypted


app_name = "remote_session"
urlpatterns = [
    path("<int:session_id>/photos/", session_photo_upload, name="photos"),
    path("<int:session_id>/photos/<int:photo_id>/", session_photo_file, name="photo"),
]
