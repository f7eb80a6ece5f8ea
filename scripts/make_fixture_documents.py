"""Generate the small binary fixtures that tests/ingest reads (run by hand, output committed).

The tests do not need this script or its tools: the generated files are committed under
tests/fixtures/documents/. Rerun it only to change a fixture:

    apt-get install fonts-noto-cjk        # the CJK font embedded (as a subset) in the PDF
    .venv/bin/pip install fpdf2           # writes PDFs with a real text layer
    .venv/bin/python scripts/make_fixture_documents.py

text-layer-zh.pdf: one A5 page with a short heading, a long Chinese sentence from the 慈溪
corpus document laid out as fixed-width lines so that every line break falls between two CJK
characters (what PDF extraction does to flowing text), and a short closing paragraph. The
ingest tests check that the sentence reads back whole and the heading stays on its own line.

encrypted.pdf: a one-line PDF that needs the user password "secret" to open (RC4, which fpdf2
writes without extra packages); the tests check it is refused as ``encrypted``.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from fpdf import FPDF

# fpdf2 notes that its A5 size changed in 2.8.5; the fixtures do not depend on exact size.
warnings.filterwarnings("ignore", message="Dimensions for page format")

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "fixtures" / "documents"
FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SC_INDEX_IN_TTC = 2  # Noto Sans CJK collection order: JP, KR, SC, TC, HK

HEADING = "一、总体目标"
SENTENCE = (
    "坚定不移推动制造业高质量发展,推动县域经济向都市经济跃升,"
    "打好稳增扩投增效、平台产业提质、全域产业治理、数字经济发展、企业梯队培育等组合拳。"
)
CLOSING = "二、重点工作"
LINE_CHARS = 16


def wrapped(text: str, width: int) -> list[str]:
    """Fixed-width lines, each break moved left until it falls between two CJK ideographs."""
    lines: list[str] = []
    rest = text
    while len(rest) > width:
        cut = width
        while not (_cjk(rest[cut - 1]) and _cjk(rest[cut])):
            cut -= 1
        lines.append(rest[:cut])
        rest = rest[cut:]
    lines.append(rest)
    return lines


def _cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def text_layer_pdf(path: Path) -> None:
    pdf = FPDF(format="A5")
    pdf.set_creator("planalign scripts/make_fixture_documents.py")
    pdf.add_font("NotoSansSC", fname=str(FONT), collection_font_number=SC_INDEX_IN_TTC)
    pdf.set_font("NotoSansSC", size=12)
    pdf.add_page()
    line_height = 8
    for line in [HEADING, *wrapped(SENTENCE, LINE_CHARS), CLOSING]:
        pdf.cell(text=line, new_x="LMARGIN", new_y="NEXT", h=line_height)
    pdf.output(str(path))


def encrypted_pdf(path: Path) -> None:
    pdf = FPDF(format="A5")
    pdf.set_creator("planalign scripts/make_fixture_documents.py")
    pdf.set_encryption(owner_password="owner", user_password="secret")
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="This plan is password-protected.")
    pdf.output(str(path))


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, make in (("text-layer-zh.pdf", text_layer_pdf), ("encrypted.pdf", encrypted_pdf)):
        target = OUT / name
        make(target)
        print(f"wrote {target.relative_to(ROOT)} ({target.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
