"""The REST API (django-ninja): schema at /api/openapi.json, browsable at /api/docs.

Every router lives in this package (``cases``, ``clients``, ``consultations``); errors are JSON with a code and a Chinese message
(``bangban.apiauth.errors``). Staff call it with their session or an API token
(``Authorization: Bearer <token>``, see ``bangban.apiauth``); progress lookup is public.
"""

from ninja import NinjaAPI

from bangban.apiauth.errors import install_error_handlers

from .cases import progress_router
from .cases import router as cases_router
from .clients import router as clients_router
from .consultations import router as consultations_router

api = NinjaAPI(
    title="帮办代办服务平台 API",
    version="1",
    description="咨询、服务对象、办件及其流转、材料、时间线和进度查询。"
    "工作人员使用登录会话或接口令牌（请求头 Authorization: Bearer <令牌>）；"
    '出错时返回 JSON：{"code": "…", "message": "中文说明"}。',
    urls_namespace="api",
)
install_error_handlers(api)
api.add_router("/consultations", consultations_router)
api.add_router("/clients", clients_router)
api.add_router("/cases", cases_router)
api.add_router("/", progress_router)
