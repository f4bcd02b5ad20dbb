"""Chinese everywhere (issue 14, item 9): the error pages and the admin's third-party labels."""

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import connection
from django.http import Http404
from django.test import Client, RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import path

from bangban import errors
from bangban.urls import urlpatterns as site_urls

pytestmark = pytest.mark.django_db
ENGLISH = ("Not Found", "Server Error", "Bad Request", "Forbidden", "was not found")


def _raise(exception):
    def view(request):
        raise exception

    return view


urlpatterns = [
    path("boom/400/", _raise(SuspiciousOperation("bad host header"))),
    path("boom/403/", _raise(PermissionDenied("仅限在岗工作人员"))),
    path("boom/403en/", _raise(PermissionDenied("You do not have permission"))),
    path("boom/404/", _raise(Http404("办件不存在"))),
    path("boom/500/", _raise(RuntimeError("database is down"))),
    path("api/boom/", _raise(Http404("办件不存在"))),
    *site_urls,
]
handler400 = "bangban.errors.bad_request"
handler403 = "bangban.errors.permission_denied"
handler404 = "bangban.errors.page_not_found"
handler500 = "bangban.errors.server_error"


@pytest.fixture
def site():
    with override_settings(ROOT_URLCONF=__name__, DEBUG=False):
        yield Client(raise_request_exception=False)


@pytest.mark.parametrize(
    ("url", "status", "words"),
    [
        ("/boom/400/", 400, "无法处理的请求"),
        ("/boom/403/", 403, "仅限在岗工作人员"),  # the refusal's own Chinese words
        ("/boom/403en/", 403, "您没有权限打开这个页面"),  # Django's English is never shown
        ("/boom/404/", 404, "办件不存在"),
        ("/no/such/page/", 404, "页面不存在"),
        ("/boom/500/", 500, "系统暂时出现故障"),
    ],
)
def test_seam_error_pages_in_chinese(site, url, status, words):
    response = site.get(url)
    text = response.content.decode()
    assert response.status_code == status
    assert words in text and 'lang="zh-CN"' in text and "帮办代办服务平台" in text
    assert not any(english in text for english in ENGLISH)
    assert "You do not have permission" not in text


def test_the_500_page_needs_no_database():
    request = RequestFactory().get("/anything/")
    with CaptureQueriesContext(connection) as queries:
        response = errors.server_error(request)
    assert response.status_code == 500 and "系统暂时出现故障" in response.content.decode()
    assert len(queries) == 0


def test_api_errors_stay_json(site):
    response = site.get("/api/boom/")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "办件不存在"}


def test_the_bundled_handlers_are_the_site_handlers():
    from bangban import urls

    assert urls.handler404 == handler404 and urls.handler500 == handler500
    assert urls.handler400 == handler400 and urls.handler403 == handler403


def test_a_stale_form_says_so_in_chinese():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


def test_seam_admin_in_chinese(client):
    user = get_user_model().objects.create_superuser("root", password="pw")
    client.force_login(user)
    index = client.get("/admin/").content.decode()
    assert "登录安全" in index and "登录失败记录" in index and "登录日志" in index
    assert not re.search(
        r"\bAxes\b|Access attempts|Access logs|Access failures|Model name|Add link", index
    )
    from axes.models import AccessAttempt

    AccessAttempt.objects.create(
        username="agent_a",
        ip_address="10.0.0.8",
        user_agent="Mozilla",
        http_accept="text/html",
        path_info="/accounts/login/",
        get_data="",
        post_data="",
        failures_since_start=2,
    )
    changelist = client.get("/admin/axes/accessattempt/").content.decode()
    assert "锁定状态" in changelist and "尝试时间" in changelist
    assert not re.search(r">\s*(Status|Attempt time|IP address|Username)\s*<", changelist)


def test_the_compiled_translations_match_their_source():
    """The committed .mo says what the .po says (recompile with msgfmt after editing)."""
    folder = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES"
    source = (folder / "django.po").read_text(encoding="utf-8")
    pairs = dict(re.findall(r'^msgid "(.+)"\nmsgstr "(.*)"$', source, flags=re.M))
    with open(folder / "django.mo", "rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    assert pairs and {k: catalogue.gettext(k) for k in pairs} == pairs
