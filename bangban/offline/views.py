"""The offline workbench's pages and endpoints, under the workbench's scope (/work/).

- ``/work/sw.js``: the service worker (a template, so it lists the static files it keeps
  by their real URLs), scope ``/work/``;
- ``/work/offline/manifest.webmanifest``: the web app manifest;
- ``/work/offline/``: the station's offline page (the app shell the worker keeps: no
  personal data is rendered into it, everything personal lives encrypted in the outbox);
- ``/work/offline/session/``: the outbox key and a CSRF token for the signed-in agent
  (never kept by the worker);
- ``/work/offline/catalogue.json``: the items offered at the agent's site with their
  material lists and the catalogue's version token (the worker keeps the last one);
- ``POST /work/offline/sync/``: a batch of outbox records (``sync.sync_batch``).
"""

from __future__ import annotations

import base64
import json
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils.crypto import salted_hmac
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from bangban.cases.access import actor_for_user
from bangban.catalogue.models import catalogue_version
from bangban.catalogue.selectors import item_with_guide, items_offered_at

from . import sync

MAX_BODY = 3 * 1024 * 1024  # one photo (2 MB) in base64, with its record
JSON_OPTIONS = {"ensure_ascii": False}


def _json(data, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, safe=False, json_dumps_params=JSON_OPTIONS)
    response["Cache-Control"] = "no-store"
    return response


def agent_required(json_answer: bool):
    """Signed-in, active agents only (the station's offline work); JSON endpoints answer 403
    in Chinese rather than redirecting, so the outbox can say what to do."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                if json_answer:
                    return _json({"message": "登录已过期，请重新登录后再同步"}, 403)
                return redirect_to_login(request.get_full_path())
            actor = actor_for_user(request.user)
            if actor is None or not sync.may_sync(actor.staff):
                if json_answer:
                    return _json({"message": "离线工作仅供在岗的帮办代办员使用"}, 403)
                raise PermissionDenied("离线工作仅供在岗的帮办代办员使用")
            request.actor = actor
            request.staff = actor.staff
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


@require_GET
def service_worker(request):
    response = render(request, "offline/sw.js", content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/work/"
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def manifest(request):
    data = {
        "name": "帮办代办工作台（村站离线版）",
        "short_name": "帮办工作台",
        "lang": "zh-CN",
        "start_url": "/work/offline/",
        "scope": "/work/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1d4f91",
        "icons": [],
    }
    response = JsonResponse(data, json_dumps_params=JSON_OPTIONS)
    response["Content-Type"] = "application/manifest+json"
    return response


@require_GET
@agent_required(json_answer=False)
def app(request):
    return render(request, "offline/app.html")


def outbox_key(user) -> str:
    """The agent's outbox key (AES-256), derived from the server's secret and the account:
    the same after every sign-in, so drafts left encrypted at a logout are read again after
    the next one, and never stored on the device beyond the signed-in tab."""
    digest = salted_hmac("bangban.offline.outbox-key", str(user.pk), algorithm="sha256").digest()
    return base64.b64encode(digest).decode()


@never_cache
@require_GET
@agent_required(json_answer=True)
def session(request):
    staff = request.staff
    return _json(
        {
            "staff": staff.pk,
            "name": staff.name,
            "site": staff.site.name,
            "key": outbox_key(request.user),
            "csrf": get_token(request),
        }
    )


@never_cache
@require_GET
@agent_required(json_answer=True)
def catalogue(request):
    """Items offered at the agent's site, each with its current guide's materials."""
    items = item_with_guide(items_offered_at(request.staff.site)).order_by("code")
    rows = []
    for item in items:
        version = item.current_version
        rows.append(
            {
                "code": item.code,
                "name": item.name,
                "keywords": item.keywords,
                "category": item.category.name if item.category else "",
                "department": item.department.name if item.department else "",
                "version": version.pk,
                "version_number": version.number,
                "promised_limit_days": version.promised_limit_days,
                "assist": version.offers_assist,
                "proxy": version.offers_proxy,
                "materials": [
                    {
                        "id": m.pk,
                        "name": m.name,
                        "required": m.required,
                        "accept_with_gaps": m.accept_with_gaps,
                        "copies": m.copies,
                        "obtain_from": m.obtain_from,
                    }
                    for m in version.materials.all()
                ],
            }
        )
    return _json({"version": catalogue_version() or "", "items": rows})


@require_POST
@agent_required(json_answer=True)
def sync_view(request):
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY:
        return _json({"message": "本次同步的数据过大，请分批同步"}, 413)
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return _json({"message": "同步数据格式不正确"}, 400)
    records = body.get("records") if isinstance(body, dict) else None
    try:
        answers = sync.sync_batch(request.staff, records)
    except sync.Refused as refusal:
        return _json({"message": refusal.message}, 400)
    return _json({"answers": [a.as_dict() for a in answers]})
