"""Generate the binary Word (.doc) fixtures that tests/ingest reads (run by hand, output committed).

No Debian or PyPI package short of LibreOffice writes a real Word 97-2003 binary file (AbiWord's
"doc" export is RTF; python-docx, pandoc and catdoc write or read other things), so the
fixtures are made once with LibreOffice and committed; the tests need neither this script nor
LibreOffice. Rerun it only to change a fixture:

    apt-get install --no-install-recommends libreoffice-writer-nogui   # ~50 packages, not in system-deps
    .venv/bin/python scripts/make_word97_fixtures.py

cixi-2023.doc: the 慈溪 plan (examples/plans/cixi-2023-jingxin-gongzuo-silu.txt), every line a
paragraph, converted with ``soffice --headless --infilter="Text (encoded):UTF8" --convert-to
doc:"MS Word 97"``. The tests read it back and extract the plan's gold targets.

fields-and-table.doc: a .docx built with python-docx — a heading, a hyperlink and a
link inside the document as Word fields (``HYPERLINK "…"``, ``HYPERLINK \\l "_Toc…"``), an indicator table, a
closing paragraph and a footer with a PAGE field — converted the same way. The tests check that
table rows come out as `` | ``-separated lines and field codes are dropped.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from xml.sax.saxutils import quoteattr

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "fixtures" / "documents"
CIXI = ROOT / "examples" / "plans" / "cixi-2023-jingxin-gongzuo-silu.txt"

TABLE = [
    ["指标", "2023年目标", "力争"],
    ["规上工业增加值增长", "6%", "10%"],
    ["制造业投资增长", "10%", "38%"],
]


def _field(instruction: str, result: str) -> str:
    run = f"<w:r><w:t>{result}</w:t></w:r>"
    return f"<w:fldSimple {nsdecls('w')} w:instr={quoteattr(instruction)}>{run}</w:fldSimple>"


def fields_and_table_docx(path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("一、主要目标")
    link = document.add_paragraph("详见市经信局网站:")
    link._p.append(parse_xml(_field('HYPERLINK "http://www.cixi.gov.cn/"', "http://www.cixi.gov.cn/")))
    ref = document.add_paragraph("目标见")
    ref._p.append(parse_xml(_field('HYPERLINK \\l "_Toc12345"', "附表")))
    ref.add_run("。")
    grid = document.add_table(rows=len(TABLE), cols=len(TABLE[0]))
    for r, row in enumerate(TABLE):
        for c, value in enumerate(row):
            grid.cell(r, c).text = value
    document.add_paragraph("数字经济核心产业增加值占GDP比重达10%以上。")
    footer = document.sections[0].footer.paragraphs[0]
    footer.text = "第"
    footer._p.append(parse_xml(_field("PAGE", "1")))
    footer.add_run("页")
    document.save(str(path))


def to_doc(source: Path, target: Path, infilter: str | None = None) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        raise SystemExit("no soffice: apt-get install --no-install-recommends libreoffice-writer-nogui")
    with tempfile.TemporaryDirectory() as work:
        args = [soffice, "--headless", f"-env:UserInstallation=file://{work}/profile"]
        if infilter:
            args.append(f"--infilter={infilter}")
        args += ["--convert-to", "doc:MS Word 97", "--outdir", work, str(source)]
        subprocess.run(args, check=True, capture_output=True, timeout=120)
        shutil.copyfile(Path(work) / (source.stem + ".doc"), target)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        plan = Path(work) / "cixi-2023.txt"
        shutil.copyfile(CIXI, plan)
        to_doc(plan, OUT / "cixi-2023.doc", infilter="Text (encoded):UTF8")
        table = Path(work) / "fields-and-table.docx"
        fields_and_table_docx(table)
        to_doc(table, OUT / "fields-and-table.doc")
    for name in ("cixi-2023.doc", "fields-and-table.doc"):
        target = OUT / name
        print(f"wrote {target.relative_to(ROOT)} ({target.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
