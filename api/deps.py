"""Typed dependencies: the session, the caller, the role a route needs, paging.

Routes declare what they need with these ``Annotated`` aliases (``SessionDep``,
``ReviewerDep`` …) and never read headers, the app state or the engine themselves.

A dependency that does no I/O (reading the app's state, a role check, paging) is ``async``:
FastAPI runs a plain ``def`` one on a worker thread, and each such hop — a queue, a wake-up of
the event loop through its self-pipe, GIL hand-overs — costs far more CPU than the attribute
read it carries. What touches the database (the session, the caller's token) stays on a thread.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Annotated

import anyio
from fastapi import Depends, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.auth import ROLE_ZH, Principal, Role, authenticate
from api.engine import Checker
from api.errors import Problem
from api.schemas import MAX_DB_INT
from api.settings import Settings
from rulesengine.rulebook import Rulebook

__all__ = [
    "AdminDep",
    "CheckLimiterDep",
    "CheckerDep",
    "PageParams",
    "PrincipalDep",
    "ReviewerDep",
    "RowId",
    "RulebookDep",
    "SessionDep",
    "SettingsDep",
    "SubmitterDep",
]


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def get_session(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Session]:
    """One session per request. Services commit once at the end of a write; anything raised
    before that rolls the whole request back, so a failed request leaves nothing behind."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
        except BaseException:
            session.rollback()
            raise


async def get_checker(request: Request) -> Checker:
    checker: Checker = request.app.state.checker
    return checker


async def get_rulebook(request: Request) -> Rulebook:
    """The rule pack the app loaded at start (``Settings.rule_pack``)."""
    rulebook: Rulebook = request.app.state.rulebook
    return rulebook


async def get_check_limiter(request: Request) -> anyio.CapacityLimiter:
    limiter: anyio.CapacityLimiter = request.app.state.check_limiter
    return limiter


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
CheckerDep = Annotated[Checker, Depends(get_checker)]
CheckLimiterDep = Annotated[anyio.CapacityLimiter, Depends(get_check_limiter)]
RulebookDep = Annotated[Rulebook, Depends(get_rulebook)]

_bearer = HTTPBearer(
    auto_error=False,
    description="`Authorization: Bearer pa_…` — create one with `planalign token create`",
)


def _unauthorized(message_zh: str, message_en: str) -> Problem:
    return Problem(
        401,
        "unauthorized",
        message_zh,
        message_en,
        field="Authorization",
        headers={"WWW-Authenticate": 'Bearer realm="planalign"'},
    )


def get_principal(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise _unauthorized(
            "需要令牌:请在请求头加上 Authorization: Bearer <令牌>",
            "a token is required: send Authorization: Bearer <token>",
        )
    principal = authenticate(session, credentials.credentials)
    if principal is None:
        raise _unauthorized("令牌无效或已吊销", "the token is unknown or revoked")
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require(role: Role) -> Callable[[Principal], Principal]:
    """A dependency that lets through callers whose role ranks at least ``role``."""

    def check(principal: PrincipalDep) -> Principal:
        if not principal.role.allows(role):
            raise Problem(
                403,
                "forbidden",
                f"权限不足:此操作需要{ROLE_ZH[role]}({role})角色,当前令牌是"
                f"{ROLE_ZH[principal.role]}({principal.role})",
                f"forbidden: this needs the {role} role; your token is {principal.role}",
                field="Authorization",
                required_role=role.value,
                your_role=principal.role.value,
            )
        return principal

    return check


def _requiring(role: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """``require(role)`` as a dependency that runs on the event loop (it does no I/O)."""
    allowed = require(role)

    async def check(principal: PrincipalDep) -> Principal:
        return allowed(principal)

    return check


SubmitterDep = Annotated[Principal, Depends(_requiring(Role.submitter))]
ReviewerDep = Annotated[Principal, Depends(_requiring(Role.reviewer))]
AdminDep = Annotated[Principal, Depends(_requiring(Role.admin))]


@dataclass(frozen=True)
class PageParams:
    """``limit``/``offset`` query parameters, bounded so a client cannot ask for everything."""

    limit: int = 50
    offset: int = 0


async def _page(
    limit: Annotated[int, Query(ge=1, le=500, description="items per page")] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_DB_INT, description="items to skip")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


PageDep = Annotated[PageParams, Depends(_page)]

RowId = Annotated[int, Path(ge=1, le=MAX_DB_INT, description="a stored row's id")]
"""A numeric id in a path, bounded like the database column (see ``MAX_DB_INT``)."""
