"""The `planalign` command: extract, check, evaluate, rules — and the service's commands.

A face over the library: it reads files and flags, calls rulesengine, prints in Chinese, and
turns library errors into one-line messages and exit status 2 (never a traceback).
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
import yaml
from rich.console import Console
from rich.table import Table

from api.commands import register as register_service_commands
from rulesengine.catalog import default_catalog
from rulesengine.check import CheckError, CheckResult, PlanFacts, check_plan
from rulesengine.datafile import DataFileError
from rulesengine.engine import EngineError
from rulesengine.evaluation import FileScore, load_gold, score, score_corpus
from rulesengine.extract import extract_targets
from rulesengine.ingest import IngestError
from rulesengine.model import FindingFact, Plan, Target
from rulesengine.plans import PlanError, load_plan, meta_path
from rulesengine.rulebook import load_rulebook
from rulesengine.spec_runner import run_feature

app = typer.Typer(help="规划对标检查 planalign:把县级规划与上级规划逐项对标。", no_args_is_help=True)
eval_app = typer.Typer(help="评估 / evaluate", no_args_is_help=True)
app.add_typer(eval_app, name="eval")
console = Console()
err_console = Console(stderr=True)


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    yaml = "yaml"


_COMPARATOR_ZH = {"gte": "≥", "approx": "≈", "lte": "≤", "eq": "="}
_KIND_ZH = {"baseline": "基准", "stretch": "力争"}


def fail(message: str) -> NoReturn:
    err_console.print(f"[red]错误 / error:[/red] {message}")
    raise typer.Exit(2)


def _load(
    path: Path,
    region: str | None,
    period: str | None,
    kind: str | None = None,
    scope: list[str] | None = None,
) -> Any:
    try:
        return load_plan(path, region=region, period=period, kind=kind, scope=scope)
    except (IngestError, PlanError) as exc:
        fail(str(exc))


def _value_text(t: Target) -> str:
    v = f"{t.value:g}" + (f"–{t.value_max:g}" if t.value_max is not None else "")
    return f"{v}{t.unit}"


def _indicator_name(indicator: str) -> str:
    ind = default_catalog().get(indicator)
    return ind.name if ind else indicator.removeprefix("other:") + "(目录外)"


@app.command()
def extract(
    file: Annotated[Path, typer.Argument(help="规划文件 .txt/.docx/.pdf/.html")],
    region: Annotated[str | None, typer.Option(help="行政区,如 慈溪市 / 330282")] = None,
    period: Annotated[str | None, typer.Option(help="规划期,如 2023 或 2021-2025")] = None,
    format: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
) -> None:
    """抽取规划目标 / extract a plan's targets, each with its quote."""
    plan = _load(file, region, period)
    targets = extract_targets(plan.text, plan.period)
    if format is not OutputFormat.table:
        rows = [t.model_dump(mode="json") for t in targets]
        doc = {"plan": plan.id, "region": plan.region.name, "period": str(plan.period), "targets": rows}
        if format is OutputFormat.json:
            sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
        else:
            sys.stdout.write(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))
        return
    for w in plan.warnings:
        err_console.print(f"[yellow]警告:[/yellow] {w.message_zh}")
    table = Table(title=f"{plan.region.name} {plan.period} 规划目标({len(targets)} 项)")
    for col in ("指标", "目标值", "比较", "类型", "原文"):
        table.add_column(col, overflow="fold")
    for t in targets:
        table.add_row(
            _indicator_name(t.indicator),
            _value_text(t) + (f"({t.period})" if t.period != plan.period else ""),
            _COMPARATOR_ZH[t.comparator.value],
            _KIND_ZH[t.kind.value] + ("·累计" if t.basis.value == "cumulative" else ""),
            t.quote,
        )
    console.print(table)


def _gold_pairs(gold_dir: Path, corpus_dir: Path) -> list[tuple[Path, Path]]:
    """Pairs each gold file with the corpus document whose metadata id is the gold's plan."""
    by_id: dict[str, Path] = {}
    for meta in corpus_dir.glob("*.meta.yaml"):
        data = yaml.safe_load(meta.read_text(encoding="utf-8")) or {}
        doc = next(
            (p for p in corpus_dir.glob(meta.name.removesuffix(".meta.yaml") + ".*") if p != meta), None
        )
        if doc is not None and "id" in data:
            by_id[str(data["id"])] = doc
    pairs = []
    for gold in sorted(gold_dir.glob("*.yaml")):
        plan_id = str((yaml.safe_load(gold.read_text(encoding="utf-8")) or {}).get("plan", ""))
        if plan_id not in by_id:
            fail(f"{gold}: 找不到 plan={plan_id} 的原文 / no document with id {plan_id} in {corpus_dir}")
        pairs.append((gold, by_id[plan_id]))
    return pairs


@eval_app.command("extraction")
def eval_extraction(
    gold_dir: Annotated[
        Path | None,
        typer.Argument(help="金标准目录;省略则评估种子、调优与未调优三组 / omit for all three sets"),
    ] = None,
    corpus_dir: Annotated[
        Path | None, typer.Argument(help="原文目录 examples/plans 或 tests/real/texts")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="列出漏抽与误抽")] = False,
) -> None:
    """按金标准评估抽取 / score extraction against gold labels.

    Without arguments: the seed corpus, the tuned real corpus and the untuned real corpus side by
    side (the untuned split is never studied while phrasing rules change: its figures are the
    honest ones). With a gold folder and its texts: one row per file.
    """
    if gold_dir is None:
        sets = [(name, g, t) for name, g, t in _EVAL_SETS if g.is_dir()]
        if not sets:
            fail("找不到评估语料(需源码目录)/ no evaluation corpus here: pass GOLD_DIR CORPUS_DIR")
        table = _score_table(
            "抽取评估:种子 seed / 真实调优 tuned / 真实未调优 untuned(tP/tR: targets precision/recall)",
            "语料 set",
            totals_only=True,
        )
        for name, g, t in sets:
            results = _score_files(g, t)
            total = FileScore(f"{name}·{len(results)}")
            for r in results:
                total += r
            table.add_row(*_score_row(total)[:-1])
            if verbose:
                _print_misses(results)
        console.print(table)
        return
    if corpus_dir is None:
        fail("请同时给出原文目录 / give the corpus folder too")
    results = _score_files(gold_dir, corpus_dir)
    table = _score_table("抽取评估 extraction scores", "文件")
    total = FileScore("合计 overall")
    for r in results:
        total += r
        table.add_row(*_score_row(r))
    table.add_row(*_score_row(total))
    if verbose:
        _print_misses(results)
    console.print(table)


_SOURCE = Path(__file__).resolve().parents[1]  # a checkout (editable install); installed, the sets are absent
_EVAL_SETS = (
    ("seed", _SOURCE / "tests" / "gold", _SOURCE / "examples" / "plans"),
    ("tuned", _SOURCE / "tests" / "real" / "gold", _SOURCE / "tests" / "real" / "texts"),
    (
        "untuned",
        _SOURCE / "tests" / "real" / "untuned" / "gold",
        _SOURCE / "tests" / "real" / "untuned" / "texts",
    ),
)


def _score_files(gold_dir: Path, corpus_dir: Path) -> list[FileScore]:
    """Seed documents pair with gold by their .meta.yaml id; real excerpts by file name."""
    if any(corpus_dir.glob("*.meta.yaml")):
        results = []
        for gold_path, doc_path in _gold_pairs(gold_dir, corpus_dir):
            plan = _load(doc_path, None, None)
            gold = load_gold(gold_path, plan.text)
            results.append(score(gold_path.stem, extract_targets(plan.text, plan.period), gold))
        return results
    try:
        return score_corpus(gold_dir, corpus_dir)
    except (FileNotFoundError, ValueError, IngestError) as exc:
        fail(str(exc))


def _score_table(title: str, first: str, totals_only: bool = False) -> Table:
    table = Table(title=title)
    table.add_column(first, no_wrap=True)
    for col in ("P", "R", "F1", "other R", "tP", "tR", *(() if totals_only else ("命中/预测/金标",))):
        table.add_column(col, no_wrap=True)
    return table


def _print_misses(results: list[FileScore]) -> None:
    for result in results:
        for m in result.missed:
            err_console.print(f"  漏抽 {result.name}: {m.indicator} {m.value:g} {m.kind} 「{m.quote}」")
        for p in result.spurious:
            err_console.print(f"  误抽 {result.name}: {p.indicator} {p.value:g} {p.kind.value} 「{p.quote}」")


def _score_row(s: FileScore) -> tuple[str, ...]:
    return (
        s.name,
        f"{s.precision:.3f}",
        f"{s.recall:.3f}",
        f"{s.f1:.3f}",
        f"{s.other_recall:.3f}",
        f"{s.targets_precision:.3f}",
        f"{s.targets_recall:.3f}",
        f"{s.catalog_tp}/{s.catalog_pred}/{s.catalog_gold}",
    )


class CheckFormat(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"


_SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
_CATEGORY_ZH = {
    "gap": "缺项",
    "weaker": "偏弱",
    "conflict": "冲突",
    "mismatch": "不可比",
    "aligned": "已对齐",
}


def _fact_line(f: FindingFact) -> str:
    value = f"{f.value:g}{f.unit}" if f.value is not None else ""
    where = f"[{f.start}-{f.end}]" if f.start is not None else ""
    return f"{f.region} {f.period} {value}「{f.quote}」{where}".strip()


def _markdown(result: CheckResult, county: Plan, parents: list[Plan]) -> str:
    lines = [
        f"# 对标检查:{county.region.name} {county.period}",
        "",
        f"- 上级规划:{'、'.join(f'{p.region.name} {p.period}({p.id})' for p in parents)}",
        f"- 规则包版本 {result.rule_pack_version} · 指标目录版本 {result.catalog_version}",
        *([f"- 被检查规划:{result.scope.describe()}"] if result.scope else []),
        *([f"- 已豁免的上级校验:{'、'.join(result.overrides)}"] if result.overrides else []),
        "",
    ]
    for sev in ("error", "warning", "info"):
        group = [f for f in result.findings if f.severity.value == sev]
        if not group:
            continue
        lines += [f"## {_SEVERITY_ZH[sev]}({len(group)})", ""]
        for f in group:
            lines.append(
                f"- **{_CATEGORY_ZH[f.category.value]}** {f.message} `{f.rule_id} v{f.rule_version}`"
            )
            lines += [f"  - {_fact_line(x)}" for x in f.facts]
        lines.append("")
    return "\n".join(lines)


@app.command()
def check(
    county_file: Annotated[Path, typer.Argument(help="县级规划文件")],
    against: Annotated[list[Path], typer.Option("--against", "-a", help="上级规划文件(可多次)")],
    region: Annotated[str | None, typer.Option(help="县级规划的行政区(默认取 .meta.yaml)")] = None,
    period: Annotated[str | None, typer.Option(help="县级规划的规划期(默认取 .meta.yaml)")] = None,
    format: Annotated[CheckFormat, typer.Option("--format", "-f")] = CheckFormat.table,
    kind: Annotated[
        str | None,
        typer.Option(help="县级规划的类型 comprehensive(综合性)/topical(专项),默认据标题推断"),
    ] = None,
    scope: Annotated[
        list[str] | None,
        typer.Option(help="专项规划的领域(rules/scopes.yaml 的 id 或名称,如 投资),可多次"),
    ] = None,
    allow: Annotated[
        list[str] | None,
        typer.Option(
            "--allow",
            help="有意豁免的上级校验(region 行政区不在其上 / period 规划期不覆盖),记入检查结果",
        ),
    ] = None,
) -> None:
    """对标检查 / check a county plan against its parent plans. Exit 1 if an error is found."""
    county = _load(county_file, region, period, kind, scope)
    parents = [_load(p, None, None) for p in against]
    try:
        result = check_plan(
            PlanFacts.from_plan(county), [PlanFacts.from_plan(p) for p in parents], allow=allow or ()
        )
    except (DataFileError, EngineError, CheckError) as exc:
        fail(str(exc))
    if format is CheckFormat.json:
        sys.stdout.write(result.model_dump_json(indent=2) + "\n")
    elif format is CheckFormat.markdown:
        sys.stdout.write(_markdown(result, county, parents) + "\n")
    else:
        _print_findings(result, county, parents)
    if any(f.severity.value == "error" for f in result.findings):
        raise typer.Exit(1)


def _print_findings(result: CheckResult, county: Plan, parents: list[Plan]) -> None:
    for w in county.warnings:
        err_console.print(f"[yellow]警告:[/yellow] {w.message_zh}")
    counts = {s: sum(f.severity.value == s for f in result.findings) for s in ("error", "warning", "info")}
    console.print(
        f"[bold]{county.region.name} {county.period}[/bold] 对标 "
        + "、".join(f"{p.region.name} {p.period}" for p in parents)
        + f":错误 {counts['error']} · 警告 {counts['warning']} · 提示 {counts['info']}"
        + f"(规则包 {result.rule_pack_version},目录 {result.catalog_version})"
    )
    if result.scope is not None:
        console.print(f"被检查规划:{result.scope.describe()}")
    if result.overrides:
        console.print(f"[yellow]已豁免的上级校验:{'、'.join(result.overrides)}[/yellow]")
    styles = {"error": "red", "warning": "yellow", "info": "cyan"}
    for sev in ("error", "warning", "info"):
        group = [f for f in result.findings if f.severity.value == sev]
        if not group:
            continue
        table = Table(title=f"{_SEVERITY_ZH[sev]}({len(group)})", title_style=styles[sev], show_lines=True)
        table.add_column("类别", no_wrap=True)
        table.add_column("发现", overflow="fold", ratio=2)
        table.add_column("原文", overflow="fold", ratio=3)
        for f in group:
            table.add_row(
                _CATEGORY_ZH[f.category.value],
                f"{f.message}\n[dim]{f.rule_id} v{f.rule_version}[/dim]",
                "\n".join(_fact_line(x) for x in f.facts),
            )
        console.print(table)


rules_app = typer.Typer(help="规则包 / the rule pack", no_args_is_help=True)
app.add_typer(rules_app, name="rules")


@rules_app.command("list")
def rules_list() -> None:
    """列出规则 / list the rules with version, severity and their spec scenarios."""
    try:
        book = load_rulebook()
    except DataFileError as exc:
        fail(str(exc))
    table = Table(title=f"规则包 {book.version}({len(book.rules)} 条)", caption=f"来源 / from {book.source}")
    for col in ("规则", "版本", "严重性", "类别", "标题", "依据"):
        table.add_column(col, overflow="fold")
    for r in book.rules:
        table.add_row(
            r.id,
            str(r.version),
            _SEVERITY_ZH[r.severity.value],
            _CATEGORY_ZH[r.category.value],
            r.title,
            r.reference,
        )
    console.print(table)


@rules_app.command("test")
def rules_test(feature: Annotated[Path, typer.Argument(help="specs/*.feature")]) -> None:
    """运行一个规格文件 / run one spec and print pass/fail per scenario in plain words."""
    if not feature.exists():
        fail(f"{feature}: 文件不存在 / no such file")
    results = run_feature(feature)
    for r in results:
        mark = "[green]通过 PASS[/green]" if r.passed else "[red]失败 FAIL[/red]"
        console.print(f"{mark}  {r.name}" + (f"\n      {r.message}" if not r.passed and r.message else ""))
    passed = sum(r.passed for r in results)
    console.print(f"{passed} passed, {len(results) - passed} failed")
    if passed != len(results) or not results:
        raise typer.Exit(1)


@app.command()
def synth(
    out_dir: Annotated[Path, typer.Argument(help="输出目录")],
    counties: Annotated[int, typer.Option(help="县数 / number of county plans")] = 90,
    seed: Annotated[int, typer.Option(help="随机种子 / seed (same seed, same bytes)")] = 1,
) -> None:
    """生成合成县级规划及其期望目标 / write synthetic county plans with their expected targets."""
    try:
        from tools.synth import synth_command  # a development tool: in a checkout, not in the wheel
    except ModuleNotFoundError as exc:
        if not (exc.name or "").startswith("tools"):
            raise
        fail(
            "合成规划生成器是开发工具,只在源码目录中可用(make venv)"
            " / the synthetic-plan generator is a development tool, only in a checkout (make venv)"
        )

    written = synth_command(counties, seed, out_dir)
    console.print(f"已写出 {written} 份合成规划(.txt + .meta.yaml + .gold.yaml)到 {out_dir}")


@app.command()
def batch(
    folder: Annotated[Path, typer.Argument(help="县级规划目录(每份附 .meta.yaml)")],
    against: Annotated[list[Path], typer.Option("--against", "-a", help="上级规划文件(可多次)")],
    out: Annotated[Path, typer.Option("--out", "-o", help="报告输出目录")] = Path("batch-reports"),
    workers: Annotated[int, typer.Option(help="工作进程数 / worker processes")] = 2,
) -> None:
    """批量对标 / check every plan of a folder against its parents, in parallel, with a summary."""
    from rulesengine.batch import batch_command

    raise typer.Exit(batch_command(folder, against, out, workers))


register_service_commands(app)


def main() -> None:
    app()


__all__ = ["app", "main", "meta_path"]
