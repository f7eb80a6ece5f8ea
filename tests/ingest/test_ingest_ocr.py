"""Scans and screenshots read by OCR (RapidOCR, models shipped in its wheel): the 慈溪 plan
typeset onto A4 pages with Noto Sans CJK, saved as a scanner would (JPEG images in a PDF, no
text layer), and as a phone screenshot; then bad pictures and oversized scans refused.

OCR costs seconds per page on this machine (bench/ocr.py), so each picture is read once per
module and the tests look at the result from several sides.
"""

from __future__ import annotations

import io
import time
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image

from rulesengine.extract import extract_targets
from rulesengine.ingest import Document, IngestError, read_bytes
from rulesengine.ingest.limits import Limits, OcrProgress
from tests.ingest.gold import found_share, score_against_gold
from tests.ingest.render import page_lines, scan_pdf, screenshot, typeset

ROOT = Path(__file__).resolve().parents[2]
CIXI_TEXT = (ROOT / "examples" / "plans" / "cixi-2023-jingxin-gongzuo-silu.txt").read_text(encoding="utf-8")
FIRST_PARAGRAPH_END = CIXI_TEXT.index("重点工作安排:") + len("重点工作安排:")
SCREENSHOT_TEXT = CIXI_TEXT[:FIRST_PARAGRAPH_END]
"""The header and the first paragraph: eight of the gold targets, two screenshot slices."""


@pytest.fixture(scope="module")
def scanned_cixi() -> tuple[Document, list[OcrProgress], float]:
    """The whole plan as a five-page scan, read once: the document, its progress, seconds."""
    seen: list[OcrProgress] = []
    started = time.perf_counter()
    document = read_bytes(scan_pdf(typeset(CIXI_TEXT)), "cixi-scan.pdf", progress=seen.append)
    return document, seen, time.perf_counter() - started


@pytest.fixture(scope="module")
def screenshot_png() -> bytes:
    buffer = io.BytesIO()
    screenshot(SCREENSHOT_TEXT).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def screenshot_document(screenshot_png: bytes) -> Document:
    return read_bytes(screenshot_png, "长截图.png")


def _targets(text: str) -> list[tuple[str, float, str]]:
    return sorted((t.indicator, t.value, t.kind.value) for t in extract_targets(text, "2023"))


# -- a scanned PDF ------------------------------------------------------------------------------


def test_the_ocrd_cixi_scan_finds_at_least_95_percent_of_its_gold_targets(
    scanned_cixi: tuple[Document, list[OcrProgress], float],
) -> None:
    document, _, _ = scanned_cixi
    assert document.format == "pdf"
    result = score_against_gold(document.text, CIXI_TEXT)
    missed = [(m.indicator, m.quote) for m in result.missed]
    assert found_share(result) >= 0.95, missed
    assert result.precision >= 0.95, [(s.indicator, s.quote) for s in result.spurious]


def test_the_scan_reports_progress_page_by_page(
    scanned_cixi: tuple[Document, list[OcrProgress], float],
) -> None:
    _, seen, seconds = scanned_cixi
    assert [(p.file, p.page, p.pages) for p in seen] == [("cixi-scan.pdf", n, 5) for n in range(1, 6)]
    times = [p.seconds for p in seen]
    assert times == sorted(times) and 0 < times[-1] <= seconds


def test_the_scan_says_its_text_was_ocrd(scanned_cixi: tuple[Document, list[OcrProgress], float]) -> None:
    document, _, _ = scanned_cixi
    [summary] = [w for w in document.warnings if w.code == "ocr_text"]
    assert summary.message_zh.startswith("此文本由文字识别(OCR)从 5 页图像中读出")
    assert not any(w.code == "pages_without_text" for w in document.warnings)


def test_a_quote_in_the_scan_maps_back_to_the_page_and_place_it_was_printed(
    scanned_cixi: tuple[Document, list[OcrProgress], float],
) -> None:
    document, _, _ = scanned_cixi
    quote = "淘汰落后产能企业50家以上"
    printed = [
        (n, ch) for n, lines in enumerate(page_lines(CIXI_TEXT), start=1) for _, t in lines for ch in t
    ]
    printed_on = printed["".join(ch for _, ch in printed).index(quote)][0]
    start = document.text.index(quote)
    boxes = document.locate(start, start + len(quote))
    assert boxes and {b.page for b in boxes} == {printed_on}
    for box in boxes:
        assert box.unit == "pt" and box.confidence is not None and box.confidence > 0.8
        # inside the 120 px (57.6 pt) margins of an A4 page of 595 x 842 pt
        assert 50 < box.x0 < box.x1 < 545 and 50 < box.y0 < box.y1 < 792


def test_spans_ocr_was_unsure_of_are_flagged_and_mark_the_targets_quoted_from_them(
    scanned_cixi: tuple[Document, list[OcrProgress], float],
) -> None:
    document, _, _ = scanned_cixi
    flagged = [w for w in document.warnings if w.code == "ocr_low_confidence"]
    assert flagged, "a scan at 150 dpi has a few characters OCR is unsure of"
    for warning in flagged:
        assert warning.start is not None and warning.end is not None
        assert document.text[warning.start : warning.end] in warning.message_zh
        [box, *_] = document.locate(warning.start, warning.end)
        assert box.confidence is not None and box.confidence < 1.0
    for target in extract_targets(document.text, "2023"):
        overlaps = any(
            w.start is not None
            and w.end is not None
            and w.start < target.span.end
            and target.span.start < w.end
            for w in flagged
        )
        assert document.needs_double_check(target.span.start, target.span.end) == overlaps


# -- a screenshot --------------------------------------------------------------------------------


def test_a_long_screenshot_yields_the_same_targets_as_its_plain_text(screenshot_document: Document) -> None:
    assert screenshot_document.format == "image"
    expected = _targets(SCREENSHOT_TEXT)
    assert len(expected) == 8
    assert _targets(screenshot_document.text) == expected


def test_a_long_screenshot_is_read_in_slices_without_losing_the_line_at_a_cut(
    screenshot_png: bytes, screenshot_document: Document
) -> None:
    height = Image.open(io.BytesIO(screenshot_png)).height
    assert height > 1.4 * 1080  # slices are at most 1.4 times as tall as wide
    assert "".join(screenshot_document.text.split()).endswith(
        "规上企业亩均增加值增长5.5%以上。重点工作安排："
    )
    ys = [b.y0 for b in screenshot_document.boxes]
    assert max(ys) > 1.4 * 1080 and {b.page for b in screenshot_document.boxes} == {1}


def test_a_jpeg_photo_of_a_paragraph_is_read_too() -> None:
    sentence = "新增国家级、省级绿色工厂3家,淘汰落后产能企业50家以上。"
    [page] = typeset(sentence, size=(1240, 220), margin=60)
    buffer = io.BytesIO()
    page.convert("RGB").save(buffer, "JPEG", quality=85)
    document = read_bytes(buffer.getvalue(), "photo.jpg")
    assert document.format == "image"
    assert _targets(document.text) == _targets(sentence)


# -- refused -------------------------------------------------------------------------------------


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def test_a_truncated_png_is_refused_as_damaged_naming_the_file(screenshot_png: bytes) -> None:
    with pytest.raises(IngestError) as caught:
        read_bytes(screenshot_png[: len(screenshot_png) // 2], "cut.png")
    assert caught.value.code == "unreadable"
    assert str(caught.value).startswith("cut.png: 无法读取图片")


def test_a_pdf_named_png_and_a_png_named_pdf_are_format_mismatches(screenshot_png: bytes) -> None:
    with pytest.raises(IngestError) as as_png:
        read_bytes(scan_pdf([Image.new("L", (100, 100), 255)]), "scan.png")
    assert as_png.value.code == "format_mismatch" and "PDF" in as_png.value.message_zh
    with pytest.raises(IngestError) as as_pdf:
        read_bytes(screenshot_png, "scan.pdf")
    assert as_pdf.value.code == "format_mismatch" and "PNG 图片" in as_pdf.value.message_zh


def test_a_500_page_scan_is_refused_before_any_page_is_read() -> None:
    pdf = pdfium.PdfDocument.new()
    grey = pdfium.PdfBitmap.from_pil(Image.new("RGB", (60, 80), (200, 200, 200)))
    for _ in range(500):
        page = pdf.new_page(595, 842)
        image = pdfium.PdfImage.new(pdf)
        image.set_bitmap(grey)
        image.set_matrix(pdfium.PdfMatrix().scale(595, 842))
        page.insert_obj(image)
        page.gen_content()
        page.close()
    buffer = io.BytesIO()
    pdf.save(buffer)
    seen: list[OcrProgress] = []
    started = time.perf_counter()
    with pytest.raises(IngestError) as caught:
        read_bytes(buffer.getvalue(), "archive.pdf", progress=seen.append)
    assert time.perf_counter() - started < 15 and seen == []
    error = caught.value
    assert error.code == "too_large"
    assert str(error).startswith("archive.pdf: 扫描件共 500 页,超过文字识别(OCR)上限 30 页")


def test_ocr_stops_at_the_time_limit_and_says_how_far_it_got() -> None:
    pages = typeset("规上工业增加值增长6%。\n制造业投资增长10%。", size=(1240, 160), margin=40, px=30)
    assert len(pages) == 2
    seen: list[OcrProgress] = []
    with pytest.raises(IngestError) as caught:
        read_bytes(scan_pdf(pages), "slow.pdf", limits=Limits(max_ocr_seconds=0.0), progress=seen.append)
    assert caught.value.code == "too_large"
    assert "已识别 1/2 页" in caught.value.message_zh and [p.page for p in seen] == [1]


def test_an_image_over_the_pixel_limit_is_refused_from_its_header() -> None:
    with pytest.raises(IngestError) as caught:
        read_bytes(_png(Image.new("L", (2000, 1000), 255)), "huge.png", limits=Limits(max_pixels=1_000_000))
    assert caught.value.code == "too_large"
    assert "2000×1000 像素" in caught.value.message_zh and "1,000,000" in caught.value.message_en


def test_a_blank_picture_is_refused_as_holding_no_text() -> None:
    with pytest.raises(IngestError) as caught:
        read_bytes(_png(Image.new("RGB", (800, 600), "white")), "blank.png")
    assert caught.value.code == "no_text_layer"
    assert str(caught.value).startswith("blank.png: 图片里没有识别出文字")
