"""The `planalign` command as a user runs it: real corpus files in, Chinese out, honest exit codes."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from typer.testing import CliRunner

from planalign.cli import app
from rulesengine.rulebook import load_rulebook

ROOT = Path(__file__).resolve().parents[2]
PLANS = ROOT / "examples" / "plans"
CIXI = str(PLANS / "cixi-2023-jingxin-gongzuo-silu.txt")
ZJ = str(PLANS / "zhejiang-2023-jingxin-gongzuo-yaodian.txt")
runner = CliRunner()


def test_extract_prints_a_table_with_the_quotes_and_a_spam_warning() -> None:
    result = runner.invoke(app, ["extract", CIXI])
    assert result.exit_code == 0, result.output
    assert "制造业投资增长" in result.output and "力争38%" in result.output
    assert "大发体育" in result.output


def test_extract_as_json_carries_spans_that_point_into_the_text() -> None:
    result = runner.invoke(app, ["extract", CIXI, "--format", "json"])
    doc = json.loads(result.stdout)
    text = Path(CIXI).read_text(encoding="utf-8")
    assert doc["region"] == "慈溪市" and len(doc["targets"]) >= 24
    assert all(text[t["span"]["start"] : t["span"]["end"]] == t["quote"] for t in doc["targets"])


def test_check_reports_the_weaker_manufacturing_investment_with_both_quotes() -> None:
    result = runner.invoke(app, ["check", CIXI, "--against", ZJ, "--format", "json"])
    assert result.exit_code in (0, 1)
    findings = json.loads(result.stdout)["findings"]
    weaker = [f for f in findings if f["rule_id"] == "weaker_than_parent"]
    assert [f["indicator"] for f in weaker] == ["manufacturing_investment_growth"]
    quotes = {x["quote"] for x in weaker[0]["facts"]}
    assert {"制造业投资增长12%", "制造业投资增长10%"} <= quotes
    has_error = any(f["severity"] == "error" for f in findings)
    assert result.exit_code == (1 if has_error else 0)


def test_check_as_markdown_groups_findings_by_category_with_coverage() -> None:
    result = runner.invoke(app, ["check", CIXI, "--against", ZJ, "--format", "markdown"])
    assert result.stdout.startswith("# 对标检查报告:慈溪市 2023")
    assert "## 偏弱" in result.stdout and "「制造业投资增长12%」" in result.stdout
    assert "## 指标覆盖" in result.stdout and "| 制造业投资增长 | 10%" in result.stdout


def test_check_as_csv_and_excel_hold_the_same_findings(tmp_path: Path) -> None:
    import csv
    import io

    from openpyxl import load_workbook

    as_json = json.loads(runner.invoke(app, ["check", CIXI, "--against", ZJ, "-f", "json"]).stdout)
    messages = [f["message"] for f in as_json["findings"]]
    as_csv = runner.invoke(app, ["check", CIXI, "--against", ZJ, "-f", "csv"]).stdout
    rows = list(csv.reader(io.StringIO(as_csv.removeprefix("\ufeff"))))
    assert rows[0][:3] == ["问题编号", "严重性", "类别"]
    assert [r[5] for r in rows[1:]] == messages
    book = tmp_path / "check.xlsx"
    written = runner.invoke(app, ["check", CIXI, "--against", ZJ, "-f", "xlsx", "-o", str(book)])
    assert written.exit_code in (0, 1) and book.is_file()
    sheet = load_workbook(book)["问题清单"]
    assert [row[5] for row in sheet.iter_rows(min_row=2, values_only=True)] == messages


def test_an_excel_or_word_report_needs_an_output_file() -> None:
    for fmt in ("xlsx", "docx"):
        result = runner.invoke(app, ["check", CIXI, "--against", ZJ, "-f", fmt])
        assert result.exit_code == 2 and "--output" in result.output


def test_check_as_a_word_document(tmp_path: Path) -> None:
    from docx import Document

    out = tmp_path / "对标.docx"
    result = runner.invoke(app, ["check", CIXI, "--against", ZJ, "-f", "docx", "-o", str(out)])
    assert result.exit_code in (0, 1), result.output
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "慈溪市 2023" in text and "对标分析报告" in text and "三、问题清单" in text


def test_batch_prints_where_the_summary_is_and_exits_with_the_batch_status(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["batch", str(tmp_path / "missing"), "--against", ZJ])
    assert missing.exit_code == 2 and "not a folder" in missing.output
    folder = tmp_path / "plans"
    folder.mkdir()
    for path in PLANS.glob("cixi-2023-jingxin-gongzuo-silu.*"):
        (folder / path.name).write_bytes(path.read_bytes())
    out = tmp_path / "out"
    done = runner.invoke(app, ["batch", str(folder), "--against", ZJ, "-o", str(out), "--workers", "0"])
    assert done.exit_code in (0, 1), done.output
    assert "已检查 1/1" in done.output and (out / "summary.xlsx").is_file()


def test_batch_writes_the_cross_county_findings_into_its_summary(tmp_path: Path) -> None:
    folder = tmp_path / "plans"
    synth = runner.invoke(app, ["synth", str(folder), "--counties", "8"])
    assert synth.exit_code == 0, synth.output
    for path in folder.glob("*.gold.yaml"):
        path.unlink()
    for path in PLANS.glob("cixi-2023-jingxin-gongzuo-silu.*"):
        (folder / path.name).write_bytes(path.read_bytes())
    out = tmp_path / "out"
    done = runner.invoke(app, ["batch", str(folder), "--against", ZJ, "-o", str(out), "--workers", "0"])
    assert done.exit_code in (0, 1), done.output
    said = re.search(r"跨县发现 (\d+) 条", done.output)
    assert said is not None, done.output
    count = int(said.group(1))
    summary = (out / "summary.md").read_text(encoding="utf-8")
    section = summary.split("## 跨县发现", 1)[1]
    assert f"跨县发现 {count} 条" in section and count > 0
    rows = list(csv.reader(io.StringIO((out / "findings.csv").read_text(encoding="utf-8-sig"))))
    whole = [r for r in rows if r[0] == "（全批）"]
    assert len(whole) == count
    assert {r[6] for r in whole} <= {
        "decomposition_shortfall",
        "decomposition_unassigned",
        "cascade_amplified",
        "peer_outlier",
    }
    for row in whole:
        assert row[8].split("，")[0] in section  # each finding is a row of the section too


def test_a_missing_file_is_one_bilingual_line_and_exit_2() -> None:
    result = runner.invoke(app, ["check", "/nonexistent/plan.txt", "--against", ZJ])
    assert result.exit_code == 2
    assert "文件不存在" in result.output and "no such file" in result.output
    assert "Traceback" not in result.output


def test_an_unknown_region_flag_names_the_field(tmp_path: Path) -> None:
    doc = tmp_path / "plan.txt"
    doc.write_text("规上工业增加值增长6%。", encoding="utf-8")
    result = runner.invoke(app, ["extract", str(doc), "--region", "不存在县", "--period", "2023"])
    assert result.exit_code == 2 and "region" in result.output


def test_eval_extraction_prints_scores_per_file_and_overall() -> None:
    result = runner.invoke(app, ["eval", "extraction", str(ROOT / "tests" / "gold"), str(PLANS)])
    assert result.exit_code == 0, result.output
    assert "cixi-2023" in result.output and "合计 overall" in result.output


def test_eval_extraction_without_arguments_puts_seed_tuned_and_untuned_side_by_side() -> None:
    result = runner.invoke(app, ["eval", "extraction"], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if "·" in line]
    assert [row.split("│")[1].strip().split("·")[0] for row in rows] == ["seed", "tuned", "untuned"]


def test_eval_extraction_scores_a_real_corpus_folder_file_by_file() -> None:
    real = ROOT / "tests" / "real"
    result = runner.invoke(
        app, ["eval", "extraction", str(real / "gold"), str(real / "texts")], env={"COLUMNS": "160"}
    )
    assert result.exit_code == 0, result.output
    assert "24_anhui_gzbg_2025_yaodian" in result.output and "合计 overall" in result.output


def test_a_parent_given_twice_or_the_plan_as_its_own_parent_is_one_clear_error() -> None:
    county = str(PLANS / "cixi-2023-jingxin-gongzuo-silu.txt")
    parent = str(PLANS / "zhejiang-2023-jingxin-gongzuo-yaodian.txt")
    twice = runner.invoke(app, ["check", county, "--against", parent, "--against", parent])
    itself = runner.invoke(app, ["check", county, "--against", county])
    said_twice, said_itself = (" ".join(r.output.split()) for r in (twice, itself))
    assert twice.exit_code == 2 and "given twice" in said_twice and "Traceback" not in said_twice
    assert itself.exit_code == 2 and "its own parent" in said_itself and "Traceback" not in said_itself


def test_rules_list_shows_every_rule_of_the_pack() -> None:
    result = runner.invoke(app, ["rules", "list"])
    assert result.exit_code == 0
    book = load_rulebook()
    assert f"({len(book.rules)} 条)" in result.output
    for rule in book.rules:
        assert rule.id[:12] in result.output


def test_check_shows_the_plans_scope_and_a_user_can_override_it() -> None:
    shown = runner.invoke(app, ["check", CIXI, "--against", ZJ])
    assert "被检查规划:综合性规划（据标题《市经信局2023年工作思路》推断）" in shown.output
    topical = runner.invoke(
        app, ["check", CIXI, "--against", ZJ, "--kind", "topical", "--scope", "投资", "-f", "json"]
    )
    scope = json.loads(topical.stdout)["scope"]
    assert (scope["kind"], scope["topics"], scope["source"]) == ("topical", ["investment"], "metadata")
    gaps = [f for f in json.loads(topical.stdout)["findings"] if f["category"] == "gap"]
    assert {f["indicator"] for f in gaps} == {"tech_renovation_investment_growth"}  # only inside 投资


def test_an_unknown_scope_domain_is_one_bilingual_line_and_exit_2() -> None:
    result = runner.invoke(app, ["check", CIXI, "--against", ZJ, "--kind", "topical", "--scope", "乱码"])
    assert result.exit_code == 2
    one_line = result.output.replace("\n", "")
    assert "未知领域 乱码" in one_line and "unknown domain 乱码" in one_line


def test_rules_list_gives_each_rule_the_severities_its_findings_carry() -> None:
    """A rule whose cases set their own severity lists each, so the list and the findings agree."""
    from planalign.cli import _severities
    from rulesengine.labels import SEVERITY_ZH

    book = load_rulebook()
    for rule in book.rules:
        listed = _severities(rule)
        for case in rule.cases:
            assert SEVERITY_ZH[case.severity.value] in listed, (rule.id, listed)
        if {c.severity for c in rule.cases} == {rule.severity}:
            assert listed == SEVERITY_ZH[rule.severity.value]
    mixed = next(r for r in book.rules if r.id == "headline_gap")
    assert "警告" in _severities(mixed) and "提示" in _severities(mixed)
    # inconsistent_values: listed as its findings show it (a warning on the real pack)
    result = runner.invoke(app, ["check", CIXI, "--against", ZJ, "-f", "json"])
    shown = {f["rule_id"]: f["severity"] for f in json.loads(result.output)["findings"]}
    for rule_id, severity in shown.items():
        assert SEVERITY_ZH[severity] in _severities(next(r for r in book.rules if r.id == rule_id))
