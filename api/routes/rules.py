"""Rules: list the installed rule pack; validate an uploaded rule file without installing it."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/rules", tags=["rules"])
