"""What ingestion hands on: the plan's text plus where it came from and what looked odd.

``text`` is the string every later character span (targets, warnings, furniture) points into,
so it is kept as close to the original as the format allows: a .txt file's decoded text is
returned unchanged, not even newlines are touched. Other formats have no "original" text, so
theirs is the extracted text, built once and then frozen like the rest of the domain model.

Text read off a page (OCR of a scan or screenshot, an OFD's positioned glyphs) also keeps
``boxes``: where on which page each stretch of text stood. A reviewer doubting a quote can then
be shown the place on the page it was read from, and text OCR was unsure of is flagged with
``ocr_low_confidence`` warnings whose spans ``needs_double_check`` tests a quote against.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from rulesengine.model import PlanWarning

__all__ = ["LOW_CONFIDENCE", "Document", "Format", "TextBox"]

Format = Literal["txt", "docx", "doc", "wps", "pdf", "ofd", "html", "image"]

LOW_CONFIDENCE = "ocr_low_confidence"
"""Warning code of a span OCR read with low confidence."""


class TextBox(BaseModel):
    """A stretch of ``Document.text`` and the rectangle on a page it was read from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    page: int = Field(ge=1)
    x0: float
    y0: float
    x1: float
    y1: float
    unit: Literal["px", "pt", "mm"]
    """``px`` for an image, ``pt`` for a PDF page (origin top left), ``mm`` for an OFD page."""
    confidence: float | None = None
    """OCR's mean confidence over the box's characters; None for text that was not OCR'd."""


class Document(BaseModel):
    """A decoded document; frozen so spans computed on ``text`` stay valid."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str = Field(min_length=1)
    source_name: str
    encoding: str | None = None
    format: Format
    warnings: tuple[PlanWarning, ...] = ()
    boxes: tuple[TextBox, ...] = ()

    def locate(self, start: int, end: int) -> tuple[TextBox, ...]:
        """The page boxes a span of ``text`` was read from (empty for formats without pages)."""
        return tuple(b for b in self.boxes if b.start < end and start < b.end)

    def needs_double_check(self, start: int, end: int) -> bool:
        """Whether a span overlaps text OCR was unsure of, so a reviewer should compare it
        with the page before trusting a target quoted from it."""
        return any(
            w.code == LOW_CONFIDENCE
            and w.start is not None
            and w.end is not None
            and w.start < end
            and start < w.end
            for w in self.warnings
        )
