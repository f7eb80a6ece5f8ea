"""Fixtures for the ingestion tests: the real corpus, fixture files and document builders.

The PDF builders live in tests/documents.py, shared with the hardening tests.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import docx
import pytest

from tests import documents

ROOT = Path(__file__).resolve().parents[2]
PLANS = ROOT / "examples" / "plans"
CORPUS = sorted(PLANS.glob("*.txt"))


@pytest.fixture(params=CORPUS, ids=lambda p: p.name)
def corpus_path(request: pytest.FixtureRequest) -> Path:
    """Each of the five real plan documents in turn."""
    path: Path = request.param
    return path


@pytest.fixture
def plans_dir() -> Path:
    assert len(CORPUS) == 5, "the seed corpus has five plan documents"
    return PLANS


@pytest.fixture
def fixtures_dir() -> Path:
    return ROOT / "tests" / "fixtures" / "documents"


@pytest.fixture
def cixi_path(plans_dir: Path) -> Path:
    return plans_dir / "cixi-2023-jingxin-gongzuo-silu.txt"


@pytest.fixture
def cixi_text(cixi_path: Path) -> str:
    return cixi_path.read_text(encoding="utf-8")


@pytest.fixture
def zhejiang_path(plans_dir: Path) -> Path:
    return plans_dir / "zhejiang-2023-jingxin-gongzuo-yaodian.txt"


@pytest.fixture
def zhejiang_text(zhejiang_path: Path) -> str:
    return zhejiang_path.read_text(encoding="utf-8")


@pytest.fixture
def corpus_line(plans_dir: Path) -> Callable[[str, str], str]:
    """``corpus_line(file name, fragment)``: the whole corpus line that holds the fragment."""

    def find(name: str, containing: str) -> str:
        for line in (plans_dir / name).read_text(encoding="utf-8").splitlines():
            if containing in line:
                return line
        raise AssertionError(f"{containing!r} is not in {name}")

    return find


DocxBuilder = Callable[[list[str], list[list[str]] | None, list[str]], bytes]


@pytest.fixture
def make_docx() -> DocxBuilder:
    """Build a .docx in memory: paragraphs, then an optional table, then more paragraphs."""

    def build(before: list[str], table: list[list[str]] | None, after: list[str]) -> bytes:
        document = docx.Document()
        for text in before:
            document.add_paragraph(text)
        if table:
            grid = document.add_table(rows=len(table), cols=len(table[0]))
            for r, row in enumerate(table):
                for c, value in enumerate(row):
                    grid.cell(r, c).text = value
        for text in after:
            document.add_paragraph(text)
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()

    return build


@pytest.fixture
def image_only_pdf() -> bytes:
    """A one-page PDF holding only a grey image: what a scanned plan looks like to a parser."""
    return documents.scanned_pdf()


@pytest.fixture
def blank_pdf() -> bytes:
    """A PDF whose single page is empty, made with pypdfium2's ``new_page``."""
    return documents.blank_pdf()
