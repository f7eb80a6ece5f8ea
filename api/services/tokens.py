"""Token management: create (the plaintext is returned once), list, revoke."""

from __future__ import annotations

from sqlmodel import Session, col, select

from api.auth import Principal, Role, issue_token
from api.db import ApiToken, utcnow
from api.errors import conflict, not_found
from api.schemas import Page, TokenCreated, TokenPublic
from api.services.common import count_and_page, record

__all__ = ["create_token", "list_tokens", "revoke_token"]


def create_token(session: Session, principal: Principal, name: str, role: Role) -> TokenCreated:
    row, plaintext = issue_token(session, name=name, role=role, created_by=principal.name)
    record(session, principal, "token_created", "token", row.id, comment=f"{name} ({role})")
    session.commit()
    return TokenCreated(**TokenPublic.model_validate(row).model_dump(), token=plaintext)


def list_tokens(session: Session, *, limit: int, offset: int) -> Page[TokenPublic]:
    rows, total = count_and_page(
        session, select(ApiToken), limit=limit, offset=offset, order_by=col(ApiToken.id)
    )
    return Page(items=[TokenPublic.model_validate(r) for r in rows], total=total, limit=limit, offset=offset)


def revoke_token(session: Session, principal: Principal, token_id: int) -> TokenPublic:
    row = session.get(ApiToken, token_id)
    if row is None:
        raise not_found("令牌", "token", token_id, field="token_id")
    if row.revoked_at is not None:
        raise conflict("already_revoked", f"令牌 {token_id} 已吊销", f"token {token_id} is already revoked")
    row.revoked_at = utcnow()
    session.add(row)
    record(session, principal, "token_revoked", "token", token_id, comment=row.name)
    session.commit()
    return TokenPublic.model_validate(row)
