"""PDFs: the text layer with wrapped Chinese lines joined, and scans refused with a reason."""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from rulesengine.ingest import IngestError, read_bytes, read_document
from rulesengine.ingest.pdf import join_wrapped_lines

SENTENCE = (
    "坚定不移推动制造业高质量发展,推动县域经济向都市经济跃升,"
    "打好稳增扩投增效、平台产业提质、全域产业治理、数字经济发展、企业梯队培育等组合拳。"
)


def test_a_text_layer_pdf_reads_back_its_chinese_sentence_without_mid_phrase_breaks(
    fixtures_dir: Path,
) -> None:
    document = read_document(fixtures_dir / "text-layer-zh.pdf")
    assert document.format == "pdf"
    assert SENTENCE in document.text.split("\n")


def test_headings_around_a_joined_sentence_keep_their_own_lines(fixtures_dir: Path) -> None:
    document = read_document(fixtures_dir / "text-layer-zh.pdf")
    assert document.text.split("\n") == ["一、总体目标", SENTENCE, "二、重点工作"]


def test_a_blank_page_pdf_is_refused_as_having_no_text_layer(blank_pdf: bytes) -> None:
    with pytest.raises(IngestError) as caught:
        read_bytes(blank_pdf, "scan.pdf")
    error = caught.value
    assert error.code == "no_text_layer"
    assert str(error).startswith("scan.pdf: 扫描件没有文字层")
    assert "no text layer" in error.message_en


def test_an_image_only_pdf_like_a_scan_is_refused_as_having_no_text_layer(
    image_only_pdf: bytes,
) -> None:
    with pytest.raises(IngestError) as caught:
        read_bytes(image_only_pdf, "scanned-plan.pdf")
    assert caught.value.code == "no_text_layer"
    assert "scanned-plan.pdf" in str(caught.value)


def test_a_pdf_with_some_scanned_pages_warns_which_pages_were_not_read(fixtures_dir: Path) -> None:
    pdf = pdfium.PdfDocument((fixtures_dir / "text-layer-zh.pdf").read_bytes())
    pdf.new_page(420, 595)  # a second page without text
    buffer = io.BytesIO()
    pdf.save(buffer)
    pdf.close()
    document = read_bytes(buffer.getvalue(), "partly-scanned.pdf")
    assert SENTENCE in document.text
    [warning] = [w for w in document.warnings if w.code == "pages_without_text"]
    assert "第 2 页" in warning.message_zh and "pages 2" in warning.message_en


def test_a_password_protected_pdf_is_refused_as_encrypted(fixtures_dir: Path) -> None:
    with pytest.raises(IngestError) as caught:
        read_document(fixtures_dir / "encrypted.pdf")
    assert caught.value.code == "encrypted"
    assert "encrypted.pdf" in str(caught.value)


def test_a_corrupt_pdf_is_reported_as_unreadable() -> None:
    with pytest.raises(IngestError) as caught:
        read_bytes(b"%PDF-1.7\n%garbage that is no PDF at all\n", "broken.pdf")
    assert caught.value.code == "unreadable"
    assert "broken.pdf" in str(caught.value)


def test_a_break_between_latin_or_digits_and_chinese_in_a_full_line_is_joined() -> None:
    text = "推进千兆光网建设,累计建成5G\n基站20万个,千兆宽带用户达到\n1000万户。"
    assert join_wrapped_lines(text) == "推进千兆光网建设,累计建成5G基站20万个,千兆宽带用户达到1000万户。"


def test_a_line_ending_a_sentence_is_not_joined_to_the_next() -> None:
    text = "规上工业增加值增长6%。\n制造业投资增长10%以上。"
    assert join_wrapped_lines(text) == text


def test_a_short_line_such_as_a_heading_is_not_joined_to_the_body() -> None:
    text = (
        "一、总体要求\n"
        "全面贯彻党的二十大精神,落实中央经济工作会议要求,以更大力度\n"
        "实施数字经济创新提质一号发展工程。"
    )
    assert join_wrapped_lines(text).split("\n") == [
        "一、总体要求",
        "全面贯彻党的二十大精神,落实中央经济工作会议要求,以更大力度实施数字经济创新提质一号发展工程。",
    ]


def test_a_full_line_followed_by_a_numbered_item_is_not_joined() -> None:
    text = "加快推进高新区、滨海区标准厂房项目落地,着力破解重大项目缺乏\n(二)致力增量提质"
    assert join_wrapped_lines(text) == text


def test_english_lines_keep_their_breaks_so_words_are_not_glued() -> None:
    text = "The plan raises industrial value added by\nsix percent this year."
    assert join_wrapped_lines(text) == text
