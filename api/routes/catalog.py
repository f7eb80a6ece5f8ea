"""The catalog as this service extracts with: suggestions from corrections, the overlay, its patch."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse

from api.deps import AdminDep, PrincipalDep, RowId, SessionDep
from api.errors import problem_responses
from api.schemas import CatalogOverlayPublic, SuggestionAccept, SuggestionDecline, SuggestionPublic
from api.services import catalog as service

router = APIRouter(prefix="/catalog", tags=["catalog"], responses=problem_responses(401))


@router.get("/suggestions", response_model=list[SuggestionPublic])
def list_suggestions(
    session: SessionDep,
    _: PrincipalDep,
    status: Annotated[Literal["open", "accepted", "declined"] | None, Query()] = None,
) -> list[SuggestionPublic]:
    """Wordings reviewers named an indicator for that the catalog did not know, most asked first."""
    return service.list_suggestions(session, status)


@router.post(
    "/suggestions/{suggestion_id}/accept",
    response_model=SuggestionPublic,
    responses=problem_responses(403, 404, 409, 422),
)
def accept_suggestion(
    session: SessionDep, principal: AdminDep, suggestion_id: RowId, body: SuggestionAccept
) -> SuggestionPublic:
    """Add the wording (or the new indicator) to the catalog overlay as its next version."""
    return service.accept_suggestion(session, principal, suggestion_id, body)


@router.post(
    "/suggestions/{suggestion_id}/decline",
    response_model=SuggestionPublic,
    responses=problem_responses(403, 404, 409, 422),
)
def decline_suggestion(
    session: SessionDep, principal: AdminDep, suggestion_id: RowId, body: SuggestionDecline
) -> SuggestionPublic:
    return service.decline_suggestion(session, principal, suggestion_id, body.comment)


@router.get("/overlay", response_model=CatalogOverlayPublic)
def get_overlay(session: SessionDep, _: PrincipalDep) -> CatalogOverlayPublic:
    """The accepted entries, each a version, and the catalog version checks record."""
    return service.overlay(session)


@router.get(
    "/overlay.yaml",
    response_class=PlainTextResponse,
    responses={200: {"content": {"application/yaml": {}}, "description": "the overlay as a YAML patch"}},
)
def overlay_patch(session: SessionDep, _: PrincipalDep) -> PlainTextResponse:
    """The overlay as a patch for rules/indicators.yaml."""
    return PlainTextResponse(
        service.overlay_patch(session),
        media_type="application/yaml; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="indicators-overlay.yaml"'},
    )
