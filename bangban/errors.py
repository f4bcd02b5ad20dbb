"""The error pages (400, 403, 404, 500), in Chinese and in the site's style.

Django's handlers would render the same templates; these add two things: a refusal's own
message is shown when it is written for people (Chinese: ``Http404("办件不存在")``,
``PermissionDenied("仅限在岗工作人员")``), never Django's English internals, and under
``/api/`` the answer is JSON in the API's shape (``{"code", "message"}``), as
``edge.refuse`` answers. 400 and 500 are rendered without the request: no context
processor runs, so the page needs no database (a 500 may be the database failing) and
nothing of a request that may be malformed.
"""

from __future__ import annotations

import re

from django.http import HttpResponse, JsonResponse
from django.template import loader

from .edge import API_PREFIX

CHINESE = re.compile(r"[\u3400-\u9fff]")

DEFAULTS = {
    400: "提交的请求无法处理，请返回上一页重新填写或重新打开页面",
    403: "您没有权限打开这个页面。如需使用，请联系系统管理员",
    404: "您要找的页面或记录不存在，请核对网址或编号",
    500: "系统出现故障，请稍后再试；问题持续时请联系系统管理员",
}
CODES = {400: "invalid", 403: "forbidden", 404: "not_found", 500: "server_error"}


def message_of(exception, status: int) -> str:
    """The refusal's own words when they are written for people (Chinese), else the default."""
    args = getattr(exception, "args", None) or ()
    text = str(args[0]) if args else ""
    return text if CHINESE.search(text) else DEFAULTS[status]


def _api(request, status: int, message: str) -> JsonResponse | None:
    path = getattr(request, "path", "") or ""
    if not path.startswith(API_PREFIX):
        return None
    return JsonResponse(
        {"code": CODES[status], "message": message},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def _page(request, status: int, message: str, *, with_request: bool) -> HttpResponse:
    template = loader.get_template(f"{status}.html")
    context = {"status": status, "message": message}
    body = template.render(context, request if with_request else None)
    return HttpResponse(body, status=status)


def bad_request(request, exception=None):
    message = DEFAULTS[400]  # a 400's exception is Django's (SuspiciousOperation…): not shown
    return _api(request, 400, message) or _page(request, 400, message, with_request=False)


def permission_denied(request, exception=None):
    message = message_of(exception, 403)
    return _api(request, 403, message) or _page(request, 403, message, with_request=True)


def page_not_found(request, exception=None):
    message = message_of(exception, 404)
    return _api(request, 404, message) or _page(request, 404, message, with_request=True)


def server_error(request):
    message = DEFAULTS[500]
    return _api(request, 500, message) or _page(request, 500, message, with_request=False)
