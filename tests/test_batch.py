"""`planalign batch`: every plan of a folder checked, reports and a summary written, bad plans
reported without stopping the batch, workers replaced when one dies."""

from __future__ import annotations

import codecs
import csv
import io
import multiprocessing
import os
import shutil
import signal
import threading
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from rulesengine.batch import (
    BatchError,
    BatchResult,
    discover,
    run_batch,
)
from rulesengine.report.cells import md
from tools.synth import generate, write

ROOT = Path(__file__).resolve().parents[1]
PLANS = ROOT / "examples" / "plans"
PARENTS = [
    PLANS / "zhejiang-2023-jingxin-gongzuo-yaodian.txt",
    PLANS / "zhejiang-2021-2025-gongtong-fuyu-shishi-fangan.txt",
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six synthetic county plans, the real 慈溪 plan, and three files that cannot be read."""
    root = tmp_path_factory.mktemp("plans")
    write(generate(6, 11), root)
    for path in root.glob("*.gold.yaml"):
        path.unlink()  # a batch folder holds documents and metadata
    for name in ("cixi-2023-jingxin-gongzuo-silu.txt", "cixi-2023-jingxin-gongzuo-silu.meta.yaml"):
        shutil.copy(PLANS / name, root / name)
    (root / "no-metadata.txt").write_text("2023年规上工业增加值增长8%。", encoding="utf-8")
    (root / "bad-region.txt").write_text("2023年规上工业增加值增长8%。", encoding="utf-8")
    (root / "bad-region.meta.yaml").write_text("region: 不存在县\nperiod: 2023\n", encoding="utf-8")
    (root / "broken.docx").write_bytes(b"not a zip file at all")
    (root / "notes.md").write_text("not a plan", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def result(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> BatchResult:
    return run_batch(folder, PARENTS, tmp_path_factory.mktemp("out"), workers=0)


def test_discovery_takes_documents_by_name_and_skips_metadata_and_other_files(folder):
    names = [p.name for p in discover(folder)]
    assert names == sorted(names) and len(names) == 10
    assert "notes.md" not in names and not any(n.endswith(".yaml") for n in names)


def test_every_plan_is_an_outcome_in_file_order_and_bad_ones_say_why(result, folder):
    assert [o.file for o in result.outcomes] == [p.name for p in discover(folder)]
    status = {o.file: o.status for o in result.outcomes}
    assert status["no-metadata.txt"] == status["bad-region.txt"] == status["broken.docx"] == "unreadable"
    assert sum(s == "ok" for s in status.values()) == 7
    errors = {o.file: o.error for o in result.failed}
    assert "region" in errors["no-metadata.txt"] and "不存在县" in errors["bad-region.txt"]
    assert result.exit_code == 2  # something could not be checked


def test_each_checked_plan_has_a_markdown_report_with_its_findings(result):
    cixi = next(o for o in result.outcomes if o.file.startswith("cixi"))
    assert cixi.findings and cixi.targets > 20
    report = (result.out_dir / cixi.report).read_text(encoding="utf-8")
    assert report.startswith("# 对标检查报告:慈溪市 2023")
    assert "- 上级规划:浙江省 2023" in report and "## 指标覆盖" in report
    for finding in cixi.findings:
        assert finding.message in report
    assert "「" in report  # evidence is quoted
    reports = sorted(p.name for p in (result.out_dir / "reports").iterdir())
    assert reports == sorted(o.report.removeprefix("reports/") for o in result.outcomes if o.status == "ok")


def test_a_report_notes_parents_whose_period_does_not_cover_the_plan(result):
    def report(outcome_period: str) -> str:
        outcome = next(o for o in result.outcomes if o.status == "ok" and o.period == outcome_period)
        return (result.out_dir / outcome.report).read_text(encoding="utf-8")

    assert "注意:浙江省 2023 的行政区不在本规划之上,或规划期不覆盖 2024" in report("2024")
    assert "注意" not in report("2023")


def test_the_markdown_summary_counts_findings_by_severity_and_category(result):
    text = result.files["markdown"].read_text(encoding="utf-8")
    assert "已检查 7,未能检查 3" in text
    header = next(line for line in text.splitlines() if line.startswith("| 文件 | 规划编号"))
    for column in ("错误", "警告", "提示", "缺项", "偏弱", "冲突", "不可比", "已对齐"):
        assert f"| {column} |" in header
    cixi = next(o for o in result.outcomes if o.file.startswith("cixi"))
    row = next(line for line in text.splitlines() if line.startswith(f"| {cixi.file} "))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[6] == str(len(cixi.findings))
    assert int(cells[8]) == cixi.count(severity="warning")
    assert "## 未能检查的规划" in text and "broken.docx" in text


def test_the_workbook_has_the_summary_with_cjk_widths(result):
    book = load_workbook(result.files["excel"])
    assert book.sheetnames == ["汇总"]
    summary = book["汇总"]
    rows = list(summary.iter_rows(values_only=True))
    assert rows[0][:7] == ("文件", "规划编号", "行政区", "规划期", "状态", "目标数", "发现")
    assert len(rows) == 1 + len(result.outcomes)
    assert {r[4] for r in rows[1:]} == {"已检查", "无法读取"}
    region_width = summary.column_dimensions["C"].width
    longest = max(len(str(r[2] or "")) for r in rows)
    assert region_width >= 2 * longest  # CJK text takes two columns a character


def test_the_word_report_is_the_province_with_every_checked_plan_and_the_unreadable_ones(result):
    from docx import Document

    doc = Document(str(result.files["word"]))
    headings = [p.text for p in doc.paragraphs if p.style is not None and p.style.name.startswith("Heading")]
    assert any("各县对标情况" in h for h in headings) and any("未能检查的规划" in h for h in headings)
    cells = {c.text for t in doc.tables for r in t.rows for c in r.cells}
    checked = [o for o in result.outcomes if o.status == "ok"]
    assert checked and all(any(c.startswith(f"{o.region} {o.period}") for c in cells) for o in checked)
    assert any("broken.docx" in c for c in cells)
    assert result.province is not None and result.province.summary.checked == len(checked)


def test_every_finding_is_a_line_of_a_csv_that_excel_reads(result):
    raw = result.files["findings"].read_bytes()
    assert raw.startswith(codecs.BOM_UTF8)  # Excel takes UTF-8 only with the mark
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert lines[0] == ["文件", "规划编号", "行政区", "规划期", "严重性", "类别", "规则", "指标", "发现"]
    assert result.across is not None
    assert len(lines) == 1 + sum(len(o.findings) for o in result.outcomes) + len(result.across.findings)
    cixi = next(o for o in result.outcomes if o.file.startswith("cixi"))
    mine = [line for line in lines[1:] if line[0] == cixi.file]
    assert [line[8] for line in mine] == [f.message for f in cixi.findings]
    assert {line[4] for line in mine} <= {"错误", "警告", "提示"}


@pytest.mark.parametrize("lead", ["=", "+", "-", "@"])
def test_a_plan_file_named_like_a_formula_stays_text_in_every_format(tmp_path, lead):
    folder = tmp_path / "plans"
    folder.mkdir()
    name = f'{lead}HYPERLINK("http---x","y")[z](javascript:1)'
    shutil.copy(PLANS / "cixi-2023-jingxin-gongzuo-silu.txt", folder / f"{name}.txt")
    (folder / f"{name}.meta.yaml").write_text("id: formula\nregion: 慈溪市\nperiod: 2023\n", encoding="utf-8")
    done = run_batch(folder, PARENTS, tmp_path / "out", workers=0)
    cell = load_workbook(done.files["excel"])["汇总"]["A2"]
    assert (cell.data_type, cell.value) == ("s", f"{name}.txt")  # text, not a live formula
    lines = list(csv.reader(io.StringIO(done.files["findings"].read_text(encoding="utf-8-sig"))))
    assert lines[1][0] == f"'{name}.txt"
    summary = done.files["markdown"].read_text(encoding="utf-8")
    assert "[z](javascript:1)" not in summary and "\\[z\\](javascript:1)" in summary
    report = (done.out_dir / done.outcomes[0].report).read_text(encoding="utf-8")
    assert "[z](javascript:1)" not in report and name.split("[")[0] in report


def test_progress_is_reported_as_plans_finish(folder, tmp_path):
    seen: list[tuple[int, int]] = []
    run_batch(folder, PARENTS, tmp_path / "out", workers=0, progress=lambda n, total: seen.append((n, total)))
    total = len(discover(folder))
    assert seen[-1] == (total, total) and [n for n, _ in seen] == sorted(n for n, _ in seen)


def test_worker_processes_give_the_same_outcomes_as_one_process(folder, result, tmp_path):
    parallel = run_batch(folder, PARENTS, tmp_path, workers=2)
    assert parallel.outcomes == result.outcomes
    assert parallel.restarts == 0


def test_a_worker_that_dies_is_replaced_and_no_plan_is_lost(tmp_path):
    plans = tmp_path / "plans"
    write(generate(40, 5), plans)
    out = tmp_path / "out"
    found: list[BatchResult] = []
    # Only this batch's worker may be killed: earlier tests of the session can leave processes of
    # their own (an engine pool's) among this process's children.
    others = {p.pid for p in multiprocessing.active_children()}
    batch = threading.Thread(target=lambda: found.append(run_batch(plans, PARENTS, out, workers=1)))
    batch.start()
    killed = False
    deadline = time.monotonic() + 60
    while batch.is_alive() and not killed and time.monotonic() < deadline:
        reports = out / "reports"
        workers = [p for p in multiprocessing.active_children() if p.pid not in others]
        if workers and reports.is_dir() and any(reports.iterdir()):
            os.kill(workers[0].pid or 0, signal.SIGKILL)  # as a segfault in the C core would
            killed = True
        time.sleep(0.005)
    batch.join(120)
    assert killed and found
    assert [o.status for o in found[0].outcomes] == ["ok"] * 40
    assert found[0].restarts >= 1


def test_a_batch_that_cannot_start_says_why(tmp_path, folder):
    with pytest.raises(BatchError, match="not a folder"):
        run_batch(tmp_path / "missing", PARENTS, tmp_path / "out")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(BatchError, match="no plan documents"):
        run_batch(empty, PARENTS, tmp_path / "out")
    with pytest.raises(BatchError, match="parent plan cannot be read"):
        run_batch(folder, [folder / "broken.docx"], tmp_path / "out")


def test_a_batch_may_waive_the_region_check_and_each_report_says_so(tmp_path):
    folder = tmp_path / "plans"
    folder.mkdir()
    text = "2024年,全县规上工业增加值增长9%,制造业投资增长15%。"
    (folder / "ruyang.txt").write_text(text, encoding="utf-8")
    (folder / "ruyang.meta.yaml").write_text("id: ruyang\nregion: 汝阳县\nperiod: 2024\n", encoding="utf-8")
    refused = run_batch(folder, PARENTS, tmp_path / "refused", workers=0)
    assert [o.status for o in refused.outcomes] == ["check_failed"]  # 汝阳 (河南) is not under 浙江
    waived = run_batch(folder, PARENTS, tmp_path / "waived", workers=0, allow=("region", "period"))
    assert [o.status for o in waived.outcomes] == ["ok"] and waived.outcomes[0].findings
    report = (waived.out_dir / waived.outcomes[0].report).read_text(encoding="utf-8")
    assert "已豁免的上级校验:period、region" in report
    with pytest.raises(BatchError, match="unknown override"):
        run_batch(folder, PARENTS, tmp_path / "x", workers=0, allow=("everything",))


def test_the_batch_as_a_whole_is_checked_across_its_plans_and_parents(result):
    """The cross-county findings (rulesengine.across) of the parents and every checked plan: a
    section of the summary and rows of findings.csv whose file column names the whole batch."""
    across = result.across
    assert across is not None and result.across_error == ""
    checked = {o.plan_id for o in result.outcomes if o.status == "ok"}
    assert set(across.plan_ids) == checked | {p.id for p in result.parents}
    assert across.findings and across.shares
    text = result.files["markdown"].read_text(encoding="utf-8")
    section = text.split("## 跨县发现", 1)[1]
    assert f"跨县发现 {len(across.findings)} 条" in section
    for finding in across.findings:
        assert md(finding.rule_id) in section and finding.facts[0].quote
    lines = list(csv.reader(io.StringIO(result.files["findings"].read_text(encoding="utf-8-sig"))))
    whole = [line for line in lines[1:] if line[0] == "（全批）"]
    assert [line[8] for line in whole] == [f.message for f in across.findings]
    assert {line[2] for line in whole} <= {"浙江省"} | {o.region for o in result.outcomes}
