"""Plain-text plans: decoded without a character changed, in whatever Chinese encoding."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from rulesengine.ingest import MAX_BYTES, IngestError, read_bytes, read_document


def test_every_corpus_document_reads_back_identical_to_its_decoded_bytes(
    corpus_path: Path,
) -> None:
    document = read_document(corpus_path)
    assert document.text == corpus_path.read_bytes().decode("utf-8")
    assert document.format == "txt"
    assert document.encoding == "utf-8"
    assert document.source_name == corpus_path.name


def test_a_gbk_and_a_gb18030_copy_of_a_corpus_document_decode_to_the_same_text(
    tmp_path: Path, cixi_text: str
) -> None:
    original = cixi_text
    gbk = tmp_path / "cixi-gbk.txt"
    gb18030 = tmp_path / "cixi-gb18030.txt"
    gbk.write_bytes(original.encode("gbk"))
    gb18030.write_bytes(original.encode("gb18030"))
    from_gbk, from_gb18030 = read_document(gbk), read_document(gb18030)
    assert from_gbk.text == original
    assert from_gb18030.text == original
    assert from_gbk.encoding == from_gb18030.encoding == "gb18030"
    assert [w.code for w in from_gbk.warnings] == ["injected_term"]  # no encoding warnings


def test_a_gb18030_copy_keeps_characters_gbk_cannot_hold(tmp_path: Path, zhejiang_text: str) -> None:
    assert "\xa0" in zhejiang_text  # the page's no-break spaces: not in GBK, in GB18030
    copy = tmp_path / "zhejiang-gb18030.txt"
    copy.write_bytes(zhejiang_text.encode("gb18030"))
    assert read_document(copy).text == zhejiang_text


def test_a_short_gbk_string_of_eight_bytes_decodes_right_where_detectors_fail() -> None:
    data = "经济发展".encode("gbk")
    assert len(data) == 8
    document = read_bytes(data, "short.txt")
    assert document.text == "经济发展"
    assert document.encoding == "gb18030"


def test_characters_only_gb18030_has_survive_the_gbk_fallback() -> None:
    text = "全省新增国家级专精特新企业,含𠮷字(扩展B区)"
    assert read_bytes(text.encode("gb18030"), "ext.txt").text == text


def test_line_endings_and_whitespace_of_a_txt_file_are_kept_as_they_are() -> None:
    text = "  一、总体要求\r\n\t规上工业增加值增长6% ,\u3000力争10%。 \r\n\r\n"
    assert read_bytes(text.encode("utf-8"), "crlf.txt").text == text


def test_a_utf8_byte_order_mark_is_dropped_and_named_in_the_encoding() -> None:
    document = read_bytes("\ufeff规上工业".encode(), "bom.txt")
    assert document.text == "规上工业"
    assert document.encoding == "utf-8-sig"


def test_a_utf16_file_saved_by_windows_notepad_is_read() -> None:
    document = read_bytes("规上工业增加值增长6%".encode("utf-16"), "notepad.txt")
    assert document.text == "规上工业增加值增长6%"
    assert document.encoding == "utf-16"


def test_a_utf8_file_with_a_pasted_gbk_fragment_decodes_with_a_mixed_encoding_warning(
    cixi_text: str,
) -> None:
    original = cixi_text
    data = original.encode("utf-8") + "慈溪市".encode("gbk") + "工作思路".encode()
    document = read_bytes(data, "mixed.txt")
    assert document.text.startswith(original)
    assert document.text.endswith("工作思路")
    assert document.encoding == "utf-8"
    mixed = [w for w in document.warnings if w.code == "mixed_encoding"]
    assert len(mixed) == 1
    assert mixed[0].start is not None and mixed[0].end is not None
    assert document.text[mixed[0].start : mixed[0].end] == "\ufffd"
    assert mixed[0].start >= len(original)


def test_a_gbk_file_is_not_mistaken_for_a_mixed_utf8_file(cixi_text: str) -> None:
    text = cixi_text
    document = read_bytes(text.encode("gbk"), "gbk.txt")
    assert not any(w.code == "mixed_encoding" for w in document.warnings)


@pytest.mark.parametrize(
    "data",
    [b"", b"   \r\n\t\n", "\u3000\u3000\n".encode(), b"\xef\xbb\xbf"],
    ids=["zero-bytes", "ascii-whitespace", "ideographic-spaces", "bom-only"],
)
def test_an_empty_or_whitespace_only_file_is_refused_as_empty(data: bytes) -> None:
    with pytest.raises(IngestError) as caught:
        read_bytes(data, "blank.txt")
    assert caught.value.code == "empty"
    assert "blank.txt" in str(caught.value)


@pytest.mark.parametrize(
    "data",
    [
        "规上工业".encode() + b"\x00" + "增加值".encode(),
        bytes(range(1, 32)) * 20 + "经济".encode(),
        bytes([0x80, 0xFF, 0xFE, 0x81, 0xFF, 0xA0, 0x80, 0xFF] * 64),
    ],
    ids=["nul-byte", "control-chars", "undecodable"],
)
def test_binary_input_is_refused_as_binary_naming_the_file(data: bytes) -> None:
    with pytest.raises(IngestError) as caught:
        read_bytes(data, "renamed.txt")
    assert caught.value.code == "binary"
    assert str(caught.value).startswith("renamed.txt: ")


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "huge-plan.txt"
    big.write_bytes(b"a" * (MAX_BYTES + 1))
    with pytest.raises(IngestError) as caught:
        read_document(big)
    error = caught.value
    assert error.code == "too_large"
    assert "huge-plan.txt" in str(error)
    assert f"{MAX_BYTES + 1:,}" in error.message_zh and f"{MAX_BYTES:,}" in error.message_zh
    assert "5.0 MiB" in error.message_en


def test_the_size_limit_can_be_lowered_per_call() -> None:
    data = "规上工业增加值增长6%".encode()
    with pytest.raises(IngestError) as caught:
        read_bytes(data, "plan.txt", max_bytes=10)
    assert caught.value.code == "too_large"
    assert f"{len(data)} B" in caught.value.message_en
    assert read_bytes(data, "plan.txt", max_bytes=len(data)).text == "规上工业增加值增长6%"


def test_a_missing_file_is_reported_as_not_found(tmp_path: Path) -> None:
    with pytest.raises(IngestError) as caught:
        read_document(tmp_path / "nowhere.txt")
    assert caught.value.code == "not_found"
    assert "nowhere.txt" in str(caught.value)


def test_a_txt_file_holding_html_source_is_read_as_is_with_a_warning() -> None:
    markup = "<!DOCTYPE html><html><body><p>规上工业增加值增长6%</p></body></html>"
    document = read_bytes(markup.encode(), "saved-page.txt")
    assert document.text == markup
    assert [w.code for w in document.warnings] == ["looks_like_html"]


def test_a_document_is_frozen_so_spans_into_its_text_stay_valid() -> None:
    document = read_bytes("规上工业增加值增长6%".encode(), "plan.txt")
    with pytest.raises(ValidationError):
        document.text = "changed"


def test_a_picture_named_txt_is_refused_as_a_picture_with_the_wrong_extension() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00"
    with pytest.raises(IngestError) as caught:
        read_bytes(png, "renamed.txt")
    assert caught.value.code == "format_mismatch"
    assert str(caught.value).startswith("renamed.txt: 扩展名是 .txt,但内容是PNG 图片")
