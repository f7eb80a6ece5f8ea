"""Bad documents made in memory, shared by the ingestion tests and the hardening tests.

Built with the same libraries the readers use (pypdfium2), so a test feeds the reader what a
real scanner or a careless export produces, not a hand-written byte string.
"""

from __future__ import annotations

import io

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw

__all__ = ["blank_pdf", "scanned_pdf"]


def _saved(pdf: pdfium.PdfDocument) -> bytes:
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


def scanned_pdf() -> bytes:
    """A one-page PDF holding only a grey image: what a scanned plan without OCR looks like."""
    pdf = pdfium.PdfDocument.new()
    page = pdf.new_page(595, 842)
    image = pdfium.PdfImage.new(pdf)
    bitmap = pdfium.PdfBitmap.new_native(200, 100, pdfium_raw.FPDFBitmap_BGR)
    bitmap.fill_rect((40, 40, 40, 255), 0, 0, 200, 100)
    image.set_bitmap(bitmap)
    image.set_matrix(pdfium.PdfMatrix().scale(400, 200).translate(100, 500))
    page.insert_obj(image)
    page.gen_content()
    return _saved(pdf)


def blank_pdf() -> bytes:
    """A PDF whose single page is empty."""
    pdf = pdfium.PdfDocument.new()
    pdf.new_page(595, 842)
    return _saved(pdf)
