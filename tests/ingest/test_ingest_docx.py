"""Word documents: paragraphs and tables in order, and zip bombs refused before unpacking."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import docx
import pytest

from rulesengine.ingest import IngestError, read_bytes
from rulesengine.ingest.docx import MAX_UNCOMPRESSED_BYTES, check_zip_members

CIXI = "cixi-2023-jingxin-gongzuo-silu.txt"


def test_a_docx_reads_back_its_paragraphs_and_table_rows_in_document_order(
    make_docx: Callable[..., bytes], corpus_line: Callable[[str, str], str]
) -> None:
    paragraph = corpus_line(CIXI, "规上工业增加值增长6%")
    closing = corpus_line(CIXI, "(二)致力增量提质")
    table = [["指标", "2023年目标", "力争"], ["规上工业增加值增长", "6%", "10%"]]
    document = read_bytes(make_docx([paragraph], table, [closing]), "cixi.docx")
    assert document.format == "docx"
    assert document.encoding is None
    assert document.text.split("\n") == [
        paragraph,
        "指标 | 2023年目标 | 力争",
        "规上工业增加值增长 | 6% | 10%",
        closing,
    ]


def test_merged_table_cells_give_their_text_once_and_rows_stay_aligned() -> None:
    document = docx.Document()
    grid = document.add_table(rows=3, cols=3)
    grid.cell(0, 0).merge(grid.cell(0, 2)).text = "2023年主要目标"
    grid.cell(1, 0).merge(grid.cell(2, 0)).text = "工业"
    grid.cell(1, 1).text, grid.cell(1, 2).text = "规上工业增加值增长", "6%"
    grid.cell(2, 1).text, grid.cell(2, 2).text = "制造业投资增长", "10%"
    buffer = io.BytesIO()
    document.save(buffer)
    text = read_bytes(buffer.getvalue(), "merged.docx").text
    assert text.split("\n") == [
        "2023年主要目标",
        "工业 | 规上工业增加值增长 | 6%",
        " | 制造业投资增长 | 10%",
    ]


def test_a_cell_with_several_paragraphs_stays_on_its_row_line() -> None:
    document = docx.Document()
    grid = document.add_table(rows=1, cols=2)
    grid.cell(0, 0).text = "数字经济核心产业"
    grid.cell(0, 1).add_paragraph("增长10%")
    buffer = io.BytesIO()
    document.save(buffer)
    assert read_bytes(buffer.getvalue(), "cell.docx").text == "数字经济核心产业 | 增长10%"


def test_a_docx_with_an_injected_term_gets_the_warning_too(
    make_docx: Callable[..., bytes], corpus_line: Callable[[str, str], str]
) -> None:
    paragraph = corpus_line(CIXI, "大发体育")
    document = read_bytes(make_docx([paragraph], None, []), "cixi.docx")
    [warning] = document.warnings
    assert warning.code == "injected_term"
    assert warning.start is not None and warning.end is not None
    assert document.text[warning.start : warning.end] == "大发体育"


def _zip_bomb() -> bytes:
    """A real .docx plus a 20 MiB member of zeros that deflates to about 20 KB."""
    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("规上工业增加值增长6%")
    document.save(buffer)
    with (
        zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as zf,
        zf.open("word/media/padding.bin", "w") as member,
    ):
        for _ in range(20):
            member.write(b"\x00" * (1024 * 1024))
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_before_python_docx_unpacks_it() -> None:
    bomb = _zip_bomb()
    assert len(bomb) < 200_000
    with pytest.raises(IngestError) as caught:
        read_bytes(bomb, "bomb.docx")
    error = caught.value
    assert error.code == "zip_bomb"
    assert "bomb.docx" in str(error)
    assert "word/media/padding.bin" in error.message_en


def test_a_zip_declaring_more_than_the_total_limit_is_a_bomb_even_at_modest_ratios() -> None:
    members = [(f"word/media/image{i}.png", 50 * 1024 * 1024, 40 * 1024 * 1024) for i in range(5)]
    assert sum(size for _, size, _ in members) > MAX_UNCOMPRESSED_BYTES
    with pytest.raises(IngestError) as caught:
        check_zip_members(members, "many-images.docx")
    assert caught.value.code == "zip_bomb"


def test_an_ordinary_docx_passes_the_zip_bomb_check(make_docx: Callable[..., bytes]) -> None:
    with zipfile.ZipFile(io.BytesIO(make_docx(["规上工业"], None, []))) as zf:
        members = [(i.filename, i.file_size, i.compress_size) for i in zf.infolist()]
    check_zip_members(members, "ok.docx")  # raises on failure


@pytest.mark.parametrize(
    "data",
    [b"PK\x03\x04 this is not really a zip", b"just some text, not a zip"],
    ids=["broken-zip", "text"],
)
def test_a_corrupt_docx_is_reported_as_unreadable(data: bytes) -> None:
    with pytest.raises(IngestError) as caught:
        read_bytes(data, "broken.docx")
    assert caught.value.code == "unreadable"
    assert "broken.docx" in str(caught.value)


def test_a_truncated_docx_is_reported_as_unreadable(make_docx: Callable[..., bytes]) -> None:
    data = make_docx(["规上工业增加值增长6%"] * 50, None, [])
    with pytest.raises(IngestError) as caught:
        read_bytes(data[: len(data) // 2], "truncated.docx")
    assert caught.value.code == "unreadable"


def test_a_zip_without_a_word_body_is_not_taken_for_a_docx() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(IngestError) as caught:
        read_bytes(buffer.getvalue(), "plan.docx")
    assert caught.value.code == "format_mismatch"


def test_a_docx_without_any_text_is_refused_as_empty(make_docx: Callable[..., bytes]) -> None:
    with pytest.raises(IngestError) as caught:
        read_bytes(make_docx(["", "  "], None, []), "blank.docx")
    assert caught.value.code == "empty"
