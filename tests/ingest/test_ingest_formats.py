"""Choosing the reader: by extension, with the content's magic bytes as a cross-check."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from rulesengine.ingest import IngestError, read_bytes, read_document
from rulesengine.ingest.sniff import sniff

PLAN = "规上工业增加值增长6%、力争10%。".encode()


@pytest.mark.parametrize("name", ["plan.xlsx", "plan.exe", "plan.md", "plan.rtf", "plan.tif"])
def test_an_unknown_extension_is_refused_with_the_supported_formats_listed(name: str) -> None:
    with pytest.raises(IngestError) as caught:
        read_bytes(PLAN, name)
    error = caught.value
    assert error.code == "unsupported_format"
    assert name in str(error)
    for suffix in (".txt", ".docx", ".doc", ".wps", ".pdf", ".ofd", ".html", ".htm", ".png", ".jpg", ".jpeg"):
        assert suffix in error.message_zh and suffix in error.message_en


def test_a_txt_that_is_really_a_pdf_is_refused_as_a_format_mismatch(fixtures_dir: Path) -> None:
    data = (fixtures_dir / "text-layer-zh.pdf").read_bytes()
    with pytest.raises(IngestError) as caught:
        read_bytes(data, "plan.txt")
    assert caught.value.code == "format_mismatch"
    assert "PDF" in caught.value.message_zh and ".txt" in caught.value.message_en


def test_a_txt_that_is_really_a_docx_is_refused_as_a_format_mismatch(
    make_docx: Callable[..., bytes],
) -> None:
    with pytest.raises(IngestError) as caught:
        read_bytes(make_docx(["规上工业"], None, []), "plan.txt")
    assert caught.value.code == "format_mismatch"
    assert "Word" in caught.value.message_en


def test_a_docx_that_is_really_a_pdf_is_refused_as_a_format_mismatch(fixtures_dir: Path) -> None:
    data = (fixtures_dir / "text-layer-zh.pdf").read_bytes()
    with pytest.raises(IngestError) as caught:
        read_bytes(data, "plan.docx")
    assert caught.value.code == "format_mismatch"


def test_an_old_word_doc_renamed_to_docx_is_read_as_the_word_97_file_it_is(fixtures_dir: Path) -> None:
    document = read_bytes((fixtures_dir / "fields-and-table.doc").read_bytes(), "plan.docx")
    assert document.format == "doc"
    assert "规上工业增加值增长 | 6% | 10%" in document.text.split("\n")


def test_a_damaged_office_file_under_a_word_name_is_refused_as_unreadable_naming_it() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
    for name in ("plan.docx", "plan.doc", "plan.wps"):
        with pytest.raises(IngestError) as caught:
            read_bytes(ole, name)
        assert caught.value.code == "unreadable"
        assert str(caught.value).startswith(f"{name}: 无法读取")
        assert "damaged or truncated" in caught.value.message_en


def test_extensions_are_matched_without_regard_to_case(tmp_path: Path) -> None:
    path = tmp_path / "PLAN.TXT"
    path.write_bytes(PLAN)
    document = read_document(path)
    assert document.format == "txt"
    assert document.text == PLAN.decode()


def test_a_name_without_extension_is_read_by_sniffing_its_content(fixtures_dir: Path) -> None:
    assert read_bytes(PLAN, "upload").format == "txt"
    pdf = (fixtures_dir / "text-layer-zh.pdf").read_bytes()
    assert read_bytes(pdf, "upload").format == "pdf"
    assert read_bytes(b"<!doctype html><body><p>\xe8\xa7\x84</p>", "upload").format == "html"


def test_sniffing_tells_pdf_docx_zip_word_legacy_office_images_html_and_text_apart(
    fixtures_dir: Path,
    make_docx: Callable[..., bytes],
) -> None:
    assert sniff((fixtures_dir / "text-layer-zh.pdf").read_bytes()) == "pdf"
    assert sniff(make_docx(["a"], None, [])) == "docx"
    assert sniff(b"PK\x05\x06" + b"\x00" * 18) == "zip"
    assert sniff((fixtures_dir / "cixi-2023.doc").read_bytes()) == "word97"
    assert sniff(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") == "ole"
    assert sniff(b"\x89PNG\r\n\x1a\n" + b"\x00" * 8) == "png"
    assert sniff(b"\xff\xd8\xff\xe0" + b"\x00" * 8) == "jpeg"
    assert sniff(b"{\\rtf1\\ansi plan}") == "rtf"
    assert sniff(b"\xef\xbb\xbf  <!-- saved --> <html lang=zh>") == "html"
    assert sniff(PLAN) == "text"


def test_a_directory_is_not_taken_for_a_document(tmp_path: Path) -> None:
    folder = tmp_path / "plans.txt"
    folder.mkdir()
    with pytest.raises(IngestError) as caught:
        read_document(folder)
    assert caught.value.code == "not_found"
