"""The REST API (django-ninja): schema at /api/openapi.json, browsable at /api/docs.

Every router lives in this package (``cases``, ``clients``, ``consultations``, ``documents``,
``appointments``, ``evaluations``, ``catalogue``, ``directory``); errors are JSON with a code
and a Chinese message (``bangban.apiauth.errors``); every list pages by cursor
(``pagination``). Staff call it with their session or an API token
(``Authorization: Bearer <token>``, scoped read / write / partner and possibly tied to a
site, see ``bangban.apiauth``); the catalogue, the sites and the progress lookup are public.
"""

from ninja import NinjaAPI

from bangban.apiauth.errors import install_error_handlers

from .appointments import router as appointments_router
from .cases import progress_router
from .cases import router as cases_router
from .catalogue import router as catalogue_router
from .clients import router as clients_router
from .consultations import router as consultations_router
from .directory import router as directory_router
from .documents import router as documents_router
from .evaluations import complaints_router, evaluations_router

DESCRIPTION = """帮办代办服务平台的接口：事项目录、服务机构、咨询、服务对象、办件及其流转、材料、文书、
时间线、预约与上门服务、好差评与整改、投诉，以及公众进度查询。对接说明见《系统对接说明》（docs/integration.md）。

**认证**：请求头 `Authorization: Bearer <令牌>`。令牌由管理员在后台“接口令牌”中或用
`manage.py api_token_create` 创建，只显示一次；令牌以所属工作人员的身份和权限办理。
令牌有权限范围：只读（read，只能 GET）、读写（write，GET 和 POST）、合作系统（partner，
只能查询所属机构的办件、时间线、材料和文书）；令牌可限定服务机构，限定后只能看到该机构及其
下级机构的办件和服务对象。浏览器中已登录的工作人员也可直接调用（POST 须带 CSRF 令牌）。
事项目录、服务机构名录和进度查询无需令牌。

**分页**：列表接口用游标分页。`?limit=` 每页条数（1–100，默认 20）；响应中的 `next_cursor`
原样作为下一页的 `?cursor=` 传回，为 null 表示已是最后一页。游标不可自行拼写，无效的游标返回 400。

**错误**：一律返回 JSON `{"code": "…", "message": "中文说明"}`：400 参数有误（errors 列出字段）、
401 令牌无效、403 无权使用该接口（如只读令牌办理）、404 不存在或无权查看（不区分两者）、
409 办件已被他人更新、422 状态表或办理条件不允许（message 说明原因）。"""

api = NinjaAPI(
    title="帮办代办服务平台 API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
)
install_error_handlers(api)
api.add_router("/consultations", consultations_router)
api.add_router("/clients", clients_router)
api.add_router("/cases", cases_router)
api.add_router("/cases", documents_router)
api.add_router("/catalogue", catalogue_router)
api.add_router("/sites", directory_router)
api.add_router("/", appointments_router)
api.add_router("/", evaluations_router)
api.add_router("/complaints", complaints_router)
api.add_router("/partners", "bangban.api.partners.router")  # signed by partners (bangban.partners)
api.add_router("/", progress_router)
