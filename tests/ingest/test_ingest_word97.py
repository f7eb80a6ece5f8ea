"""Old binary Word files (.doc, WPS Office's .wps) read through catdoc, and bad ones refused.

The fixtures were made once with LibreOffice (scripts/make_word97_fixtures.py): the 慈溪 plan
as a Word 97 .doc, and a small .doc with Word fields and a table.
"""

from __future__ import annotations

import io
import os
import shutil
import stat
import struct
from collections.abc import Callable
from pathlib import Path

import olefile
import pytest

from rulesengine.ingest import IngestError, read_bytes, read_document
from rulesengine.ingest.limits import Limits
from tests.ingest.gold import found_share, score_against_gold


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


def _patched_fib(doc: bytes, offset: int, value: int) -> bytes:
    """The .doc with one 16-bit word of its FIB (the WordDocument stream's header) changed,
    as Word itself writes that word for an encrypted or a Word 6 file."""
    buffer = io.BytesIO(doc)
    with olefile.OleFileIO(buffer, write_mode=True) as ole:
        stream = bytearray(ole.openstream("WordDocument").read())
        struct.pack_into("<H", stream, offset, value)
        ole.write_stream("WordDocument", bytes(stream))
    return buffer.getvalue()


@pytest.fixture
def cixi_doc(fixtures_dir: Path) -> bytes:
    return (fixtures_dir / "cixi-2023.doc").read_bytes()


def test_the_cixi_plan_as_a_word_97_doc_reads_back_every_line_of_the_plain_text(
    fixtures_dir: Path, cixi_text: str
) -> None:
    document = read_document(fixtures_dir / "cixi-2023.doc")
    assert document.format == "doc" and document.encoding is None
    assert _lines(document.text) == _lines(cixi_text)


def test_the_cixi_doc_yields_every_gold_target_of_the_plain_text(cixi_doc: bytes, cixi_text: str) -> None:
    result = score_against_gold(read_bytes(cixi_doc, "cixi.doc").text, cixi_text)
    assert found_share(result) == 1.0, [(m.indicator, m.quote) for m in result.missed]
    assert result.precision == 1.0, [(s.indicator, s.quote) for s in result.spurious]


def test_a_wps_office_file_in_the_word_97_format_is_read_like_a_doc(cixi_doc: bytes, cixi_text: str) -> None:
    document = read_bytes(cixi_doc, "慈溪市经信局2023年工作思路.wps")
    assert document.format == "wps"
    assert _lines(document.text) == _lines(cixi_text)


def test_a_wps_or_doc_that_is_really_ooxml_goes_to_the_docx_reader(
    make_docx: Callable[..., bytes], corpus_line: Callable[[str, str], str]
) -> None:
    line = corpus_line("cixi-2023-jingxin-gongzuo-silu.txt", "规上工业增加值增长6%")
    for name in ("plan.wps", "plan.doc"):
        document = read_bytes(make_docx([line], None, []), name)
        assert document.format == "docx" and document.text == line


def test_a_doc_that_is_a_saved_web_page_goes_to_the_html_reader() -> None:
    page = "<html><body><p>规上工业增加值增长6%、力争10%。</p></body></html>".encode()
    document = read_bytes(page, "word-export.doc")
    assert document.format == "html"
    assert document.text.strip() == "规上工业增加值增长6%、力争10%。"


def test_table_rows_come_out_as_cell_lines_and_word_field_codes_are_dropped(fixtures_dir: Path) -> None:
    text = read_document(fixtures_dir / "fields-and-table.doc").text
    assert text.split("\n") == [
        "一、主要目标",
        "详见市经信局网站:http://www.cixi.gov.cn/",
        "目标见附表。",
        "指标 | 2023年目标 | 力争",
        "规上工业增加值增长 | 6% | 10%",
        "制造业投资增长 | 10% | 38%",
        "数字经济核心产业增加值占GDP比重达10%以上。",
        "第1页",  # the footer: catdoc prints it after the body
    ]
    assert "HYPERLINK" not in text and "_Toc" not in text


def test_a_truncated_doc_is_refused_as_damaged_naming_the_file(cixi_doc: bytes) -> None:
    with pytest.raises(IngestError) as caught:
        read_bytes(cixi_doc[: len(cixi_doc) // 2], "cut.doc")
    error = caught.value
    assert error.code == "unreadable"
    assert str(error).startswith("cut.doc: 无法读取 .doc:文件已损坏或不完整")
    assert "damaged or truncated" in error.message_en


@pytest.mark.parametrize(
    ("content", "found_zh"),
    [
        (
            (Path(__file__).parents[1] / "fixtures" / "documents" / "text-layer-zh.pdf").read_bytes(),
            "PDF 文件",
        ),
        ("规上工业增加值增长6%。".encode(), "纯文本"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "PNG 图片"),
    ],
    ids=["pdf", "text", "png"],
)
def test_other_content_under_a_doc_name_is_refused_as_a_format_mismatch(
    content: bytes, found_zh: str
) -> None:
    with pytest.raises(IngestError) as caught:
        read_bytes(content, "plan.doc")
    assert caught.value.code == "format_mismatch"
    assert caught.value.message_zh == f"扩展名是 .doc,但内容是{found_zh};请确认文件或改用正确的扩展名"


def test_an_rtf_under_a_doc_name_is_refused_with_advice_to_save_as_docx() -> None:
    with pytest.raises(IngestError) as caught:
        read_bytes(b"{\\rtf1\\ansi \\'b9\\'e6}", "plan.doc")
    assert caught.value.code == "unsupported_format"
    assert "RTF" in caught.value.message_zh and ".docx" in caught.value.message_en


def test_a_password_protected_doc_is_refused_as_encrypted(cixi_doc: bytes) -> None:
    with pytest.raises(IngestError) as caught:
        read_bytes(_patched_fib(cixi_doc, 0x0A, 0x0100), "secret.doc")
    assert caught.value.code == "encrypted"
    assert str(caught.value).startswith("secret.doc: .doc 文件有密码保护")


def test_a_word_6_file_is_refused_because_its_chinese_is_gbk_that_catdoc_cannot_decode(
    cixi_doc: bytes,
) -> None:
    with pytest.raises(IngestError) as caught:
        read_bytes(_patched_fib(cixi_doc, 0x02, 0x0065), "old.doc")  # nFib 101: Word 6.0
    assert caught.value.code == "unsupported_format"
    assert "Word 6.0/95" in caught.value.message_zh and ".docx" in caught.value.message_en


def test_without_catdoc_a_doc_is_refused_saying_what_to_install(
    cixi_doc: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH with no catdoc on it
    with pytest.raises(IngestError) as caught:
        read_bytes(cixi_doc, "plan.doc")
    assert caught.value.code == "unsupported_format"
    assert "apt-get install catdoc" in caught.value.message_zh


def test_a_reader_that_hangs_is_stopped_at_the_tool_time_limit(
    cixi_doc: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stand-in catdoc that never answers: the reader, not the tool, is under test here."""
    hung = tmp_path / "catdoc"
    hung.write_text("#!/bin/sh\nexec sleep 30\n")
    hung.chmod(hung.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    assert shutil.which("catdoc") == str(hung)
    with pytest.raises(IngestError) as caught:
        read_bytes(cixi_doc, "slow.doc", limits=Limits(tool_seconds=0.5))
    assert caught.value.code == "unreadable"
    assert str(caught.value).startswith("slow.doc: 读取 .doc 超时(0.5 秒)")
