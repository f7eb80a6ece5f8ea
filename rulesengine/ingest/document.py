"""What ingestion hands on: the plan's text plus where it came from and what looked odd.

``text`` is the string every later character span (targets, warnings, furniture) points into,
so it is kept as close to the original as the format allows: a .txt file's decoded text is
returned unchanged, not even newlines are touched. Other formats have no "original" text, so
theirs is the extracted text, built once and then frozen like the rest of the domain model.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from rulesengine.model import PlanWarning

__all__ = ["Document", "Format"]

Format = Literal["txt", "docx", "pdf", "html"]


class Document(BaseModel):
    """A decoded document; frozen so spans computed on ``text`` stay valid."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str = Field(min_length=1)
    source_name: str
    encoding: str | None = None
    format: Format
    warnings: tuple[PlanWarning, ...] = ()
