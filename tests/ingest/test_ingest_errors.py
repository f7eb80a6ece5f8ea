"""Errors read the same everywhere: file first, Chinese then English, never a traceback."""

from __future__ import annotations

import io
import pickle
from pathlib import Path

import docx
from hypothesis import given, settings
from hypothesis import strategies as st

from rulesengine.ingest import ERROR_CODES, Document, IngestError, read_bytes


def test_an_ingest_error_prints_as_file_then_chinese_then_english() -> None:
    error = IngestError("plan.txt", "empty", "文件是空的", "the file is empty")
    assert str(error) == "plan.txt: 文件是空的 / the file is empty"
    assert (error.file, error.code, error.message_zh, error.message_en) == (
        "plan.txt",
        "empty",
        "文件是空的",
        "the file is empty",
    )


def test_an_ingest_error_survives_pickling_for_worker_processes() -> None:
    error = IngestError("plan.pdf", "no_text_layer", "扫描件没有文字层", "no text layer")
    copy = pickle.loads(pickle.dumps(error))
    assert isinstance(copy, IngestError)
    assert str(copy) == str(error) and copy.code == "no_text_layer"


def test_the_documented_error_codes_are_the_ones_the_brief_names() -> None:
    for code in ("empty", "binary", "too_large", "zip_bomb", "unreadable", "no_text_layer"):
        assert code in ERROR_CODES


@settings(max_examples=150, deadline=None)
@given(
    data=st.binary(max_size=2048),
    suffix=st.sampled_from([".txt", ".docx", ".pdf", ".html", ".htm", ""]),
)
def test_arbitrary_bytes_give_a_document_or_an_ingest_error_never_a_traceback(
    data: bytes, suffix: str
) -> None:
    try:
        document = read_bytes(data, f"fuzz{suffix}")
    except IngestError as error:
        assert error.code in ERROR_CODES
        assert str(error).startswith(f"fuzz{suffix}: ")
    else:
        assert isinstance(document, Document) and document.text.strip()


@settings(max_examples=60, deadline=None)
@given(data=st.binary(min_size=22, max_size=4096))
def test_damaged_zips_named_docx_never_escape_as_library_exceptions(data: bytes) -> None:
    try:
        read_bytes(b"PK\x03\x04" + data, "fuzz.docx")
    except IngestError as error:
        assert error.code in ("unreadable", "zip_bomb", "empty", "format_mismatch")


def _sample_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("规上工业增加值增长6%、力争10%。")
    grid = document.add_table(rows=1, cols=2)
    grid.cell(0, 0).text, grid.cell(0, 1).text = "制造业投资增长", "10%"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


SAMPLE_DOCX = _sample_docx()
SAMPLE_PDF = (
    Path(__file__).resolve().parents[1] / "fixtures" / "documents" / "text-layer-zh.pdf"
).read_bytes()


def _mutate(data: bytes, edits: list[tuple[int, int]]) -> bytes:
    out = bytearray(data)
    for position, value in edits:
        out[position % len(out)] = value
    return bytes(out)


@settings(max_examples=80, deadline=None)
@given(edits=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=8))
def test_a_damaged_real_docx_reads_or_fails_as_an_ingest_error(edits: list[tuple[int, int]]) -> None:
    try:
        read_bytes(_mutate(SAMPLE_DOCX, edits), "damaged.docx")
    except IngestError as error:
        assert error.code in ERROR_CODES


@settings(max_examples=80, deadline=None)
@given(edits=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=8))
def test_a_damaged_real_pdf_reads_or_fails_as_an_ingest_error(edits: list[tuple[int, int]]) -> None:
    try:
        read_bytes(_mutate(SAMPLE_PDF, edits), "damaged.pdf")
    except IngestError as error:
        assert error.code in ERROR_CODES
