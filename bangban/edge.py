"""Input refused at the edge, before any view or any query sees it.

**NUL characters.** PostgreSQL cannot store or even compare a text containing NUL (U+0000):
psycopg raises ``ValueError`` and the page answered 500. SQLite takes it and truncates it in
places. No citizen or staff member ever types one, so a request carrying one — in the path
(raw or ``%00``), the query string, a header, a form field or file name, or a JSON body
(``\\u0000`` inside a string) — is answered 400 with a Chinese page (JSON under ``/api/``)
before any view runs, whatever the database. A cookie carrying one is dropped instead (it
would reach the session table), so the visitor is not stuck with it.

**Ids in the path.** ``<int:pk>`` matches any run of digits; a number past 2⁶³−1 overflows
SQLite. Such a request is answered 404, as an id that does not exist is. (Ids in query
strings and forms are read with ``bangban.inputs``.)
"""

from __future__ import annotations

import json
from urllib.parse import unquote_to_bytes

from django.http import JsonResponse
from django.shortcuts import render

from bangban.inputs import MAX_ID

NUL = "\x00"
API_PREFIX = "/api/"
MESSAGE = "提交的内容含有无法识别的控制字符（NUL），请删除后重新填写或重新打开页面"
NOT_FOUND = "您要找的记录不存在，请核对编号"


def _has_nul(value) -> bool:
    """True when a JSON value (str, list, dict, number…) holds NUL in any string or key."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _json_has_nul(body: bytes) -> bool:
    if b"\x00" in body:
        return True
    if b"\\u0000" not in body.lower():  # the only way JSON spells NUL; cheap pre-check
        return False
    try:
        return _has_nul(json.loads(body))
    except ValueError:  # not JSON: the API answers that itself
        return False


def _form_has_nul(request) -> bool:
    for key, values in request.POST.lists():
        if NUL in key or any(NUL in v for v in values):
            return True
    for key, files in request.FILES.lists():
        if NUL in key or any(NUL in (f.name or "") for f in files):
            return True
    return False


def has_nul(request) -> bool:
    """Does this request carry a NUL anywhere a view or a query would read it?"""
    if NUL in request.path or NUL in request.path_info:
        return True
    # headers too: the login lockout stores the User-Agent of a failed login (cookies are
    # dropped instead, in EdgeMiddleware)
    if any(
        k.startswith("HTTP_") and k != "HTTP_COOKIE" and NUL in str(v)
        for k, v in request.META.items()
    ):
        return True
    if b"\x00" in unquote_to_bytes(request.META.get("QUERY_STRING", "")):
        return True
    if any(NUL in k or any(NUL in v for v in vs) for k, vs in request.GET.lists()):
        return True
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    content_type = request.content_type or ""
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return _form_has_nul(request)
    # the API reads any other body as JSON (django-ninja does not insist on the content type)
    if "json" in content_type or request.path.startswith(API_PREFIX):
        return _json_has_nul(request.body)
    return False


def refuse(request, status: int, message: str):
    if request.path.startswith(API_PREFIX):
        code = "invalid" if status == 400 else "not_found"
        return JsonResponse(
            {"code": code, "message": message},
            status=status,
            json_dumps_params={"ensure_ascii": False},
        )
    return render(
        request, "edge/refused.html", {"status": status, "message": message}, status=status
    )


class EdgeMiddleware:
    """Refuse NUL characters (400) and ids past the database's range (404); see the module."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name in [k for k, v in request.COOKIES.items() if NUL in k or NUL in v]:
            del request.COOKIES[name]
        if has_nul(request):
            return refuse(request, 400, MESSAGE)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        numbers = [*view_args, *view_kwargs.values()]
        if any(isinstance(n, int) and not isinstance(n, bool) and abs(n) > MAX_ID for n in numbers):
            return refuse(request, 404, NOT_FOUND)
        return None
