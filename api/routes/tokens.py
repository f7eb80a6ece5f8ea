"""API tokens (admin only) and who-am-I."""

from __future__ import annotations

from fastapi import APIRouter, status

from api.deps import AdminDep, PageDep, PrincipalDep, RowId, SessionDep
from api.errors import problem_responses
from api.schemas import Me, Page, TokenCreate, TokenCreated, TokenPublic
from api.services import tokens as service

router = APIRouter(tags=["access"], responses=problem_responses(401, 403))


@router.get("/me", response_model=Me)
def me(principal: PrincipalDep) -> Me:
    return Me(token_id=principal.token_id, name=principal.name, role=principal.role)


@router.post(
    "/tokens",
    status_code=status.HTTP_201_CREATED,
    response_model=TokenCreated,
    responses=problem_responses(422),
)
def create_token(session: SessionDep, principal: AdminDep, body: TokenCreate) -> TokenCreated:
    """Create a token; the response is the only time its plaintext is shown."""
    return service.create_token(session, principal, body.name, body.role)


@router.get("/tokens", response_model=Page[TokenPublic])
def list_tokens(session: SessionDep, _: AdminDep, page: PageDep) -> Page[TokenPublic]:
    return service.list_tokens(session, limit=page.limit, offset=page.offset)


@router.delete("/tokens/{token_id}", response_model=TokenPublic, responses=problem_responses(404, 409))
def revoke_token(session: SessionDep, principal: AdminDep, token_id: RowId) -> TokenPublic:
    return service.revoke_token(session, principal, token_id)
