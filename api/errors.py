"""Every error the service returns, in one shape: RFC 9457 problem details, in two languages.

Services raise ``Problem`` (or let a library error through); the handlers registered by
``install_error_handlers`` are the only place where an exception becomes a response. Each body
carries ``type``, ``title``, ``status``, ``detail``, ``instance``, the ``field`` at fault (or
null), ``code`` for programs and ``message_zh``/``message_en`` for people, so a client never
parses prose and an analyst reads Chinese.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from pathlib import PurePath
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from rulesengine.ingest import IngestError
from rulesengine.regions import RegionError
from rulesengine.rulebook import RulebookError

__all__ = [
    "PROBLEM_JSON",
    "Problem",
    "ProblemBody",
    "conflict",
    "install_error_handlers",
    "not_found",
    "problem_responses",
]

PROBLEM_JSON = "application/problem+json"
_TYPE_PREFIX = "urn:planalign:problem:"

log = logging.getLogger("planalign.api")


class ProblemBody(BaseModel):
    """The JSON body of every error response (documented in OpenAPI)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(examples=["urn:planalign:problem:not_found"])
    title: str = Field(examples=["Not Found"])
    status: int = Field(examples=[404])
    detail: str = Field(examples=["没有找到规划 cixi-2023 / plan cixi-2023 not found"])
    instance: str | None = Field(default=None, examples=["/plans/cixi-2023"])
    code: str = Field(examples=["not_found"])
    field: str | None = Field(default=None, examples=["plan_id"])
    message_zh: str
    message_en: str


class Problem(Exception):
    """An error meant for the client; ``extra`` members are added to the body as they are."""

    def __init__(
        self,
        status: int,
        code: str,
        message_zh: str,
        message_en: str,
        *,
        field: str | None = None,
        headers: Mapping[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(f"{status} {code}: {message_en}")
        self.status = status
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en
        self.field = field
        self.headers = dict(headers or {})
        self.extra = extra

    def body(self, instance: str | None = None) -> dict[str, Any]:
        return {
            "type": _TYPE_PREFIX + self.code,
            "title": HTTPStatus(self.status).phrase,
            "status": self.status,
            "detail": f"{self.message_zh} / {self.message_en}",
            "instance": instance,
            "code": self.code,
            "field": self.field,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
            **self.extra,
        }


def not_found(kind_zh: str, kind_en: str, ident: object, *, field: str | None = None) -> Problem:
    return Problem(
        404,
        "not_found",
        f"没有找到{kind_zh} {ident}",
        f"{kind_en} {ident} not found",
        field=field,
    )


def conflict(code: str, message_zh: str, message_en: str, **kwargs: Any) -> Problem:
    return Problem(409, code, message_zh, message_en, **kwargs)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries saying these statuses answer with a problem body."""
    return {
        s: {
            "model": ProblemBody,
            "content": {PROBLEM_JSON: {}},
            "description": HTTPStatus(s).phrase,
        }
        for s in statuses
    }


def _respond(request: Request, problem: Problem) -> JSONResponse:
    return JSONResponse(
        problem.body(request.url.path),
        status_code=problem.status,
        media_type=PROBLEM_JSON,
        headers=problem.headers or None,
    )


# IngestError codes → HTTP status: size limits are 413, unreadable content 422, the rest 400.
_INGEST_STATUS = {
    "too_large": 413,
    "zip_bomb": 413,
    "empty": 422,
    "binary": 422,
    "unreadable": 422,
    "encrypted": 422,
    "no_text_layer": 422,
    "unsupported_format": 422,
    "format_mismatch": 422,
    "not_found": 400,
}


def from_ingest_error(exc: IngestError, *, field: str = "file") -> Problem:
    return Problem(
        _INGEST_STATUS.get(exc.code, 400),
        f"ingest_{exc.code}",
        f"{exc.file}:{exc.message_zh}",
        f"{exc.file}: {exc.message_en}",
        field=field,
        file=exc.file,
    )


def from_region_error(exc: RegionError, *, field: str = "region") -> Problem:
    candidates = [{"code": r.code, "name": r.name, "level": r.level} for r in exc.candidates]
    return Problem(
        422,
        f"{exc.kind}_region",
        exc.message_zh,
        exc.message_en,
        field=field,
        candidates=candidates,
    )


def _field_of(loc: Sequence[int | str]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "form", "cookie"}:
        parts = parts[1:]
    return ".".join(parts) or "body"


# Pydantic's error types in Chinese; ``{…}`` names come from the error's context.
_VALIDATION_ZH = {
    "missing": "缺少必填项",
    "extra_forbidden": "不允许的字段",
    "greater_than_equal": "应不小于 {ge}",
    "greater_than": "应大于 {gt}",
    "less_than_equal": "应不大于 {le}",
    "less_than": "应小于 {lt}",
    "string_too_short": "至少 {min_length} 个字符",
    "string_too_long": "至多 {max_length} 个字符",
    "string_pattern_mismatch": "格式不符(应匹配 {pattern})",
    "enum": "取值应为 {expected} 之一",
    "literal_error": "取值应为 {expected} 之一",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "string_type": "应为文字",
    "list_type": "应为列表",
    "json_invalid": "不是有效的 JSON",
    "model_attributes_type": "应为 JSON 对象",
    "dict_type": "应为 JSON 对象",
    "value_error": "取值无效",
}


def _zh(error: Mapping[str, Any]) -> str:
    template = _VALIDATION_ZH.get(str(error.get("type")), "取值无效")
    try:
        return template.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError):
        return template.split("{", 1)[0].rstrip("( ") or "取值无效"


def _validation_problem(exc: RequestValidationError) -> Problem:
    errors = [
        {
            "field": _field_of(e.get("loc", ())),
            "message_zh": _zh(e),
            "message_en": str(e.get("msg", "")),
            "type": e.get("type"),
        }
        for e in exc.errors()
    ]
    first = (
        errors[0] if errors else {"field": "body", "message_zh": "请求无效", "message_en": "invalid request"}
    )
    return Problem(
        422,
        "validation_error",
        f"请求内容无效:字段 {first['field']} {first['message_zh']}",
        f"invalid request: field {first['field']}: {first['message_en']}",
        field=str(first["field"]),
        errors=errors,
    )


_HTTP_ZH = {
    404: "没有这个地址",
    405: "此地址不支持该方法",
    401: "需要登录令牌",
    403: "权限不足",
}


def install_error_handlers(app: FastAPI) -> None:
    """Route every exception through ``Problem`` so the error shape is the same everywhere."""

    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Problem)
        return _respond(request, exc)

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return _respond(request, _validation_problem(exc))

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        zh = _HTTP_ZH.get(exc.status_code, HTTPStatus(exc.status_code).phrase)
        en = str(exc.detail) if exc.detail else HTTPStatus(exc.status_code).phrase
        problem = Problem(
            exc.status_code,
            HTTPStatus(exc.status_code).name.lower(),
            zh,
            en,
            headers=exc.headers,
        )
        return _respond(request, problem)

    async def on_ingest(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, IngestError)
        return _respond(request, from_ingest_error(exc))

    async def on_region(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RegionError)
        return _respond(request, from_region_error(exc))

    async def on_rulebook(request: Request, exc: Exception) -> JSONResponse:
        # The installed rule pack does not load: an operator's problem, not the client's.
        assert isinstance(exc, RulebookError)
        log.error("rule pack does not load: %s", exc)
        problem = Problem(
            500,
            "rule_pack_invalid",
            f"已安装的规则包无法加载:{exc.problem_zh}",
            f"the installed rule pack does not load: {exc.problem_en}",
            field=exc.field,
            file=PurePath(exc.file).name,
            rule_id=exc.rule_id,
        )
        return _respond(request, problem)

    async def on_integrity(request: Request, exc: Exception) -> JSONResponse:
        # Two requests created the same thing at once; the loser's transaction was rolled back.
        log.info("integrity error on %s: %s", request.url.path, exc)
        problem = conflict(
            "conflict",
            "与另一请求同时写入了同一条记录,本次未保存,请重试",
            "another request wrote the same record at the same time; nothing was saved, retry",
        )
        return _respond(request, problem)

    async def on_operational(request: Request, exc: Exception) -> JSONResponse:
        log.error("database error on %s: %s", request.url.path, exc)
        problem = Problem(
            503,
            "database_unavailable",
            "数据库暂时不可用,本次未保存,请稍后重试",
            "the database is unavailable; nothing was saved, retry later",
            headers={"Retry-After": "5"},
        )
        return _respond(request, problem)

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        problem = Problem(
            500,
            "internal_error",
            "服务器内部错误,本次请求未保存任何内容",
            f"internal error ({type(exc).__name__}); nothing from this request was saved",
        )
        return _respond(request, problem)

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(IngestError, on_ingest)
    app.add_exception_handler(RegionError, on_region)
    app.add_exception_handler(RulebookError, on_rulebook)
    app.add_exception_handler(IntegrityError, on_integrity)
    app.add_exception_handler(OperationalError, on_operational)
    app.add_exception_handler(Exception, on_unexpected)
