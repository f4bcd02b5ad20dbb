"""The REST API (django-ninja): schema at /api/openapi.json, browsable at /api/docs.

Each area adds its router here; errors are JSON with a code and a Chinese message.
"""

from ninja import NinjaAPI

api = NinjaAPI(
    title="帮办代办服务平台 API",
    version="1",
    description="咨询、服务对象、办件及其流转、材料、时间线和进度查询",
    urls_namespace="api",
)
