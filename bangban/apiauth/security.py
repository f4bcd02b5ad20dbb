"""How the API knows who calls: an API token (systems) or the staff session (browser, htmx).

Both give ``request.auth`` an ``Actor`` for the staff member, which every handler passes to
the access functions and to ``case_transition``. A token's scope (read / write / partner)
is enforced here; its site travels on the actor (``only_site``) to the access functions. A wrong or revoked token answers 401
"令牌无效" rather than falling back to the session, so a misconfigured system notices.
"""

from __future__ import annotations

from django.conf import settings
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from bangban.cases.access import Actor, actor_for_user

from .models import Scope
from .tokens import token_for

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# What a partner system (a department's 审批系统, the provincial platform) may call with a
# partner token: reading the cases of its site, their timeline, materials and documents.
# Named by the operations' URL names (their handlers' names; tested to exist). The catalogue,
# the sites and the public progress lookup need no token at all.
PARTNER_OPERATIONS = frozenset(
    {
        "case_list",
        "case_detail",
        "case_timeline",
        "case_materials",
        "case_documents",
        "case_document_status",
        "case_document_file",
    }
)
READ_ONLY = "只读令牌只能查询（GET），不能办理或修改；需要办理的，请向管理员申请读写令牌"
PARTNER_ONLY = (
    "合作系统令牌只能查询所属机构的办件、时间线、材料和文书（GET），"
    "不能使用本接口；详见《系统对接说明》第 1 节"
)


def scope_refusal(scope: str, method: str, operation: str | None) -> str | None:
    """Why a token of ``scope`` may not make this call (None: it may)."""
    if scope == Scope.WRITE:
        return None
    if scope == Scope.READ:
        return None if method in SAFE_METHODS else READ_ONLY
    if method in SAFE_METHODS and operation in PARTNER_OPERATIONS:
        return None
    return PARTNER_ONLY


class BearerToken(HttpBearer):
    """A token's staff member is the actor, tied to the token's site if it has one
    (``Actor.only_site``: the access functions apply it); its scope is checked here, once,
    for every operation that takes a token."""

    def authenticate(self, request, token: str):
        found = token_for(token.strip())
        if found is None:
            raise AuthenticationError(401, "令牌无效")
        match = getattr(request, "resolver_match", None)
        refusal = scope_refusal(found.scope, request.method, match.url_name if match else None)
        if refusal:
            raise HttpError(403, refusal)
        return Actor("staff", staff=found.staff, only_site=found.site)


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
