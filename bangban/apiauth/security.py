"""How the API knows who calls: an API token (systems) or the staff session (browser, htmx).

Both give ``request.auth`` an ``Actor`` for the staff member, which every handler passes to
the access functions and to ``case_transition``. A wrong or revoked token answers 401
"令牌无效" rather than falling back to the session, so a misconfigured system notices.
"""

from __future__ import annotations

from django.conf import settings
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from bangban.cases.access import Actor, actor_for_user

from .tokens import token_staff


class BearerToken(HttpBearer):
    def authenticate(self, request, token: str):
        staff = token_staff(token.strip())
        if staff is None:
            raise AuthenticationError(401, "令牌无效")
        return Actor.of_staff(staff)


class StaffSession(APIKeyCookie):
    """The Django login; unsafe methods must carry the CSRF token as any form post does."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request):
        if not request.user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, "CSRF 校验失败，请刷新页面后重试")
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key):
        if not request.user.is_authenticated:
            return None
        actor = actor_for_user(request.user)
        if actor is None:
            raise AuthorizationError(403, "当前账号不是在岗工作人员，不能使用本接口")
        return actor


STAFF_AUTH = [BearerToken(), StaffSession()]
