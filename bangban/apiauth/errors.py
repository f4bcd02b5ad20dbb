"""Every API error is JSON ``{"code": ..., "message": "中文说明"}`` with a fitting status.

400 invalid input (the fields named), 401 no or bad credentials, 403 not a staff account,
404 not found or not visible (never 403 for a case: that would confirm it exists), 409 the
case changed since it was read, 422 the state table or a guard refused the event.
"""

from __future__ import annotations

import logging

from django.http import Http404
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from bangban.cases.services import CaseConflict
from bangban.cases.transitions import BY_EVENT
from bangban.cases.workflow import TransitionRefused
from bangban.clients.services import ClientInvalid
from bangban.consultations.services import ConsultationInvalid

logger = logging.getLogger("bangban.api")


class ApiInvalid(Exception):
    """Input that passed the schema but names something that does not exist; 400 per field."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("；".join(errors.values()))
        self.errors = errors


class FieldError(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    code: str
    message: str
    errors: list[FieldError] | None = None


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    return dict.fromkeys(statuses, ErrorOut)


STATUS_CODES = {
    400: "invalid",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    409: "conflict",
    422: "refused",
    429: "throttled",
}
STATUS_MESSAGES = {
    400: "请求体不是有效的 JSON",
    401: "请先登录",
    403: "没有权限",
    404: "资源不存在",
    429: "请求过于频繁，请稍后再试",
}

# ConsultationInvalid codes that name a field of the request (the others refuse the action).
CONSULTATION_FIELDS = frozenset(
    {"client_name", "content", "channel", "contact", "answer", "department", "item"}
)

PYDANTIC_MESSAGES = {
    "missing": "必填",
    "int_parsing": "须为整数",
    "int_type": "须为整数",
    "int_from_float": "须为整数",
    "string_type": "须为文本",
    "bool_parsing": "须为 true 或 false",
    "bool_type": "须为 true 或 false",
    "list_type": "须为列表",
    "dict_type": "须为对象",
    "model_type": "须为对象",
    "model_attributes_type": "须为对象",
    "extra_forbidden": "不是可用的字段",
    "date_parsing": "须为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "须为日期（YYYY-MM-DD）",
    "json_invalid": "不是有效的 JSON",
}


def _field_message(error: dict) -> str:
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind == "literal_error" or kind == "enum":
        return f"取值无效，可选：{ctx.get('expected', '')}"
    if kind == "string_too_short":
        return "不能为空" if ctx.get("min_length") == 1 else f"至少 {ctx.get('min_length')} 个字符"
    if kind == "string_too_long":
        return f"不能超过 {ctx.get('max_length')} 个字符"
    if kind in {"greater_than_equal", "greater_than"}:
        return f"不能小于 {ctx.get('ge', ctx.get('gt'))}"
    if kind in {"less_than_equal", "less_than"}:
        return f"不能大于 {ctx.get('le', ctx.get('lt'))}"
    if kind == "value_error":
        return str(ctx.get("error", "")).removeprefix("Value error, ") or "格式有误"
    if kind == "union_tag_invalid":
        return f"“{ctx.get('tag', '')}”不是状态表中的操作，可用的操作见 allowed_events"
    if kind == "union_tag_not_found":
        return "必填"
    if error.get("msg") == "Cannot parse request body":
        return "请求体不是有效的 JSON"
    return PYDANTIC_MESSAGES.get(kind, "格式有误")


def _field_name(loc, kind: str = "") -> str:
    if kind.startswith("union_tag"):
        return "event"
    parts = [str(p) for p in loc[1:]]  # loc[0] is where: body, query, path
    if loc and loc[0] == "body" and len(parts) > 1:
        parts = parts[1:]  # the handler's parameter name says nothing to the caller
    if parts and parts[0] in BY_EVENT:
        parts = parts[1:]  # the event's own body (a tagged union): the tag is in ``event``
    name = ""
    for part in parts:
        name += f"[{part}]" if part.isdigit() else (f".{part}" if name else part)
    return name or "请求体"


def _json(api, request, status: int, code: str, message: str, errors=None):
    body = {"code": code, "message": message}
    if errors:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


def install_error_handlers(api) -> None:
    def invalid(request, exc: ValidationError):
        errors = [
            {
                "field": _field_name(e.get("loc", ()), e.get("type", "")),
                "message": _field_message(e),
            }
            for e in exc.errors
        ]
        message = "请求参数有误：" + "；".join(f"{e['field']}（{e['message']}）" for e in errors)
        return _json(api, request, 400, "invalid", message, errors)

    def fields_invalid(request, exc: ClientInvalid | ApiInvalid):
        errors = [{"field": f, "message": m} for f, m in exc.errors.items()]
        return _json(api, request, 400, "invalid", "；".join(exc.errors.values()), errors)

    def consultation_invalid(request, exc: ConsultationInvalid):
        if exc.code in CONSULTATION_FIELDS:  # a field's value; the rest are refusals
            errors = [{"field": exc.code, "message": exc.message}]
            return _json(api, request, 400, "invalid", exc.message, errors)
        return _json(api, request, 422, exc.code, exc.message)

    def not_found(request, exc: Http404):
        message = str(exc) if exc.args and str(exc) else STATUS_MESSAGES[404]
        return _json(api, request, 404, "not_found", message)

    def http_error(request, exc: HttpError):
        status = exc.status_code
        message = exc.message if exc.message and not exc.message.isascii() else None
        message = message or STATUS_MESSAGES.get(status, "请求无法处理")
        return _json(api, request, status, STATUS_CODES.get(status, "error"), message)

    def unauthorized(request, exc: AuthenticationError):
        message = exc.message if not exc.message.isascii() else STATUS_MESSAGES[401]
        return _json(api, request, 401, "unauthorized", message)

    def conflict(request, exc: CaseConflict):
        return _json(api, request, 409, "conflict", exc.message)

    def refused(request, exc: TransitionRefused):
        return _json(api, request, 422, exc.code, exc.message)

    def crashed(request, exc: Exception):
        logger.exception("API 请求出错：%s %s", request.method, request.path)
        return _json(api, request, 500, "server_error", "服务器内部错误，请稍后再试或联系管理员")

    api.add_exception_handler(ValidationError, invalid)
    api.add_exception_handler(ClientInvalid, fields_invalid)
    api.add_exception_handler(ApiInvalid, fields_invalid)
    api.add_exception_handler(ConsultationInvalid, consultation_invalid)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(AuthenticationError, unauthorized)
    api.add_exception_handler(CaseConflict, conflict)
    api.add_exception_handler(TransitionRefused, refused)
    api.add_exception_handler(Exception, crashed)
