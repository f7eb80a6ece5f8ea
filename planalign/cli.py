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
from rulesengine import labels
from rulesengine.catalog import default_catalog
from rulesengine.check import CheckError, CheckResult, PlanFacts, check_plan
from rulesengine.datafile import DataFileError
from rulesengine.engine import EngineError
from rulesengine.evaluation import FileScore, load_gold, score, score_corpus
from rulesengine.ingest import IngestError
from rulesengine.model import Plan
from rulesengine.plans import PlanError, load_plan, meta_path
from rulesengine.report import (
    CheckReport,
    check_csv,
    check_docx,
    check_markdown,
    check_sheets,
    workbook_bytes,
)
from rulesengine.rulebook import Rule, load_rulebook
from rulesengine.ruledata import rules_data
from rulesengine.spec_runner import SpecRunError, run_features
from rulesengine.specfile import read_feature

app = typer.Typer(help="规划对标检查 planalign:把县级规划与上级规划逐项对标。", no_args_is_help=True)
eval_app = typer.Typer(help="评估 / evaluate", no_args_is_help=True)
app.add_typer(eval_app, name="eval")
console = Console()
err_console = Console(stderr=True)


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    yaml = "yaml"


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


def _indicator_name(indicator: str) -> str:
    """The catalog's name, or the plan's own words marked as outside the catalog."""
    name = labels.indicator_name(indicator)
    return name if indicator in default_catalog() else f"{name}(目录外)"


@app.command()
def extract(
    file: Annotated[Path, typer.Argument(help="规划文件 .txt/.docx/.pdf/.html")],
    region: Annotated[str | None, typer.Option(help="行政区,如 慈溪市 / 330282")] = None,
    period: Annotated[str | None, typer.Option(help="规划期,如 2023 或 2021-2025")] = None,
    format: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
) -> None:
    """抽取规划目标 / extract a plan's targets, each with its quote."""
    plan = _load(file, region, period)
    targets = PlanFacts.from_plan(plan).targets
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
            labels.value_text(t, with_kind=False) + (f"({t.period})" if t.period != plan.period else ""),
            labels.COMPARATOR_SIGN[t.comparator.value],
            labels.KIND_ZH[t.kind.value]
            + ("" if t.basis.value == "annual" else f"·{labels.BASIS_ZH[t.basis.value]}"),
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
            results.append(score(gold_path.stem, list(PlanFacts.from_plan(plan).targets), gold))
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
    csv = "csv"
    xlsx = "xlsx"
    docx = "docx"


@app.command()
def check(
    county_file: Annotated[Path, typer.Argument(help="县级规划文件")],
    against: Annotated[list[Path], typer.Option("--against", "-a", help="上级规划文件(可多次)")],
    region: Annotated[str | None, typer.Option(help="县级规划的行政区(默认取 .meta.yaml)")] = None,
    period: Annotated[str | None, typer.Option(help="县级规划的规划期(默认取 .meta.yaml)")] = None,
    format: Annotated[
        CheckFormat,
        typer.Option("--format", "-f", help="table / json / markdown / csv / xlsx / docx(后两种需 --output)"),
    ] = CheckFormat.table,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="报告写入此文件,而非标准输出 / write the report here"),
    ] = None,
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
    if format in (CheckFormat.xlsx, CheckFormat.docx) and output is None:
        fail(f"{format.value} 报告需要 --output 文件 / an {format.value} report needs --output FILE")
    county = _load(county_file, region, period, kind, scope)
    parents = [_load(p, None, None) for p in against]
    facts = [PlanFacts.from_plan(p) for p in (county, *parents)]
    try:
        result = check_plan(facts[0], facts[1:], allow=allow or ())
    except (DataFileError, EngineError, CheckError) as exc:
        fail(str(exc))
    if format is CheckFormat.table:
        _print_findings(result, county, parents)
    else:
        _write_report(result, facts, format, output)
    if any(f.severity.value == "error" for f in result.findings):
        raise typer.Exit(1)


def _write_report(
    result: CheckResult, facts: list[PlanFacts], format: CheckFormat, output: Path | None
) -> None:
    """The check as a file: JSON as the library holds it, or a report (rulesengine.report)."""
    if format is CheckFormat.json:
        data: str | bytes = result.model_dump_json(indent=2) + "\n"
    else:
        targets = {pf.plan.id: pf.targets for pf in facts}
        report = CheckReport.from_result(result, facts[0].plan, [pf.plan for pf in facts[1:]], targets)
        if format is CheckFormat.markdown:
            data = check_markdown(report) + "\n"
        elif format is CheckFormat.csv:
            data = check_csv(report)
        elif format is CheckFormat.docx:
            data = check_docx(report)
        else:
            data = workbook_bytes(check_sheets(report))
    if output is None:
        assert isinstance(data, str)  # xlsx was refused above without --output
        sys.stdout.write(data)
        return
    try:
        if isinstance(data, str):
            output.write_text(data, encoding="utf-8")
        else:
            output.write_bytes(data)
    except OSError as exc:
        fail(f"{output}: 无法写入报告 / cannot write the report: {exc.strerror}")
    err_console.print(f"报告已写入 / report written: {output}")


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
        table = Table(
            title=f"{labels.SEVERITY_ZH[sev]}({len(group)})", title_style=styles[sev], show_lines=True
        )
        table.add_column("类别", no_wrap=True)
        table.add_column("发现", overflow="fold", ratio=2)
        table.add_column("原文", overflow="fold", ratio=3)
        for f in group:
            table.add_row(
                labels.CATEGORY_ZH[f.category.value],
                f"{f.message}\n[dim]{f.rule_id} v{f.rule_version}[/dim]",
                "\n".join(labels.fact_line(x) for x in f.facts),
            )
        console.print(table)


rules_app = typer.Typer(help="规则包 / the rule pack", no_args_is_help=True)
app.add_typer(rules_app, name="rules")


def _severities(rule: Rule) -> str:
    """The severity a rule's findings carry, as the findings show it: a rule whose cases set
    their own severity lists each (警告;情形 province_only:提示), so the list never says 警告
    for findings a reviewer sees as 提示."""
    found = {c.severity for c in rule.cases}
    if found == {rule.severity}:
        return labels.SEVERITY_ZH[rule.severity.value]
    return ";".join(
        labels.SEVERITY_ZH[c.severity.value] + (f"(情形 {c.name})" if len(rule.cases) > 1 else "")
        for c in rule.cases
    )


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
            _severities(r),
            labels.CATEGORY_ZH[r.category.value] + ("·跨县" if r.scope == "across" else ""),
            r.title,
            r.reference,
        )
    console.print(table)


def _committed_pack(rev: str, into: Path) -> Path:
    """The rule pack as committed at ``rev``, written out of git into a folder."""
    import subprocess

    pack = rules_data().pack
    root = _SOURCE
    try:
        rel = pack.resolve().relative_to(root).as_posix()
    except ValueError:
        fail(f"{pack} 不在源码目录中,无法从 git 对照(可用 --base-pack) / not a checkout: use --base-pack")
    try:
        listed = subprocess.run(
            ["git", "-C", str(root), "ls-tree", "-r", "--name-only", rev, "--", rel],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        for name in listed:
            blob = subprocess.run(
                ["git", "-C", str(root), "show", f"{rev}:{name}"], capture_output=True, check=True
            ).stdout
            target = into / Path(name).relative_to(rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(blob)
    except (OSError, subprocess.CalledProcessError) as exc:
        fail(
            f"无法从 git 取得 {rev} 的规则包(可用 --base-pack 指定目录) / "
            f"cannot read the pack at {rev} from git: {exc}"
        )
    if not listed:
        fail(f"{rev} 中没有 {rel} / no {rel} at {rev}: use --base-pack DIR")
    return into


def _print_change(change: Any, verbose: bool) -> None:
    mark = {
        "added": "[green]+ 新增[/green]",
        "removed": "[red]- 移除[/red]",
        "changed": "[yellow]~ 改变[/yellow]",
    }
    f = change.finding
    console.print(f"  {mark[change.kind]} {change.pair}", soft_wrap=True)
    if change.before is not None:
        console.print(f"      原:{change.before.message}", soft_wrap=True)
    console.print(
        f"      {labels.SEVERITY_ZH[f.severity.value]}·{labels.CATEGORY_ZH[f.category.value]} {f.message}",
        soft_wrap=True,
    )
    for fact in f.facts if verbose or change.kind != "changed" else ():
        role = labels.PLAN_ROLE_ZH.get(fact.role, fact.role)
        console.print(f"      {role}:{labels.fact_line(fact)}", soft_wrap=True)


@rules_app.command("impact")
def rules_impact(
    pack: Annotated[
        Path | None, typer.Option(help="改动后的规则包目录(默认:正在使用的规则包) / the changed pack")
    ] = None,
    base: Annotated[str, typer.Option(help="对照的 git 版本 / the committed pack to compare with")] = "HEAD",
    base_pack: Annotated[
        Path | None, typer.Option("--base-pack", help="对照的规则包目录(代替 git) / compare with this folder")
    ] = None,
    plans: Annotated[
        list[Path] | None, typer.Option(help="规划目录(附 .meta.yaml),每份县级规划对照目录中的上级规划")
    ] = None,
    keys: Annotated[list[Path] | None, typer.Option(help="规划对答案目录(tests/real/pairs 格式)")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="改变的发现也列出原文")] = False,
) -> None:
    """规则改动的影响 / the findings a changed pack adds, removes and rewords on real plan pairs."""
    import tempfile

    from planalign.corpus import folder_pairs, key_pairs
    from rulesengine.impact import ImpactPair, pack_impact

    root = _SOURCE
    plan_dirs = plans if plans is not None else [root / "examples" / "plans"]
    key_dirs = (
        keys
        if keys is not None
        else [root / "tests" / "real" / "pairs", root / "tests" / "real" / "pairs_blind"]
    )
    texts = [root / "tests" / "real" / "texts", root / "tests" / "real" / "untuned" / "texts", *plan_dirs]
    with tempfile.TemporaryDirectory(prefix="planalign-impact-") as tmp:
        try:
            changed = load_rulebook(pack or rules_data().pack, specs_dir=None)
            baseline = load_rulebook(base_pack or _committed_pack(base, Path(tmp)), specs_dir=None)
        except DataFileError as exc:
            fail(str(exc))
    pairs: list[ImpactPair] = []
    unread: list[tuple[str, str]] = []
    for folder in plan_dirs:
        if folder.is_dir():
            pairs += folder_pairs(folder)
    for folder in key_dirs:
        if folder.is_dir():
            for item in key_pairs(folder, texts):
                if isinstance(item, ImpactPair):
                    pairs.append(item)
                else:
                    unread.append(item)
    if not pairs:
        fail("没有可用的规划对 / no plan pairs to try the pack on (--plans / --keys)")
    impact = pack_impact(baseline, changed, pairs)
    console.print(
        f"规则包 {baseline.version} → {changed.version}:在 {impact.pairs} 对规划上,"
        f"新增 {impact.count('added')} 条、移除 {impact.count('removed')} 条、"
        f"改变 {impact.count('changed')} 条发现"
    )
    for rule_id, changes in impact.by_rule().items():
        rule = changed.get(rule_id) or baseline.get(rule_id)
        version = f" v{changes[0].finding.rule_version}"
        console.print(
            f"\n[bold]{rule_id}{version}[/bold]({len(changes)})" + (f" {rule.title}" if rule else "")
        )
        for change in changes:
            _print_change(change, verbose)
    for name, why in [*unread, *impact.failed]:
        err_console.print(f"[yellow]未能检查 / not checked[/yellow] {name}: {why}", soft_wrap=True)


@rules_app.command("test")
def rules_test(
    feature: Annotated[
        Path | None, typer.Argument(help="规格文件;不写则运行规则包的全部规格 / one feature, or every one")
    ] = None,
) -> None:
    """运行规格 / run the specs (all of the pack's, or one file) and print pass/fail per scenario."""
    try:
        load_rulebook()  # the pack's own error first, once, not behind every scenario's
    except DataFileError as exc:
        fail(str(exc))
    features = [feature] if feature is not None else sorted(rules_data().specs.glob("*.feature"))
    try:
        for path in features:
            read_feature(path)  # a Gherkin mistake: file, line, column and the keyword meant
        results = run_features(features)
    except (SpecRunError, DataFileError) as exc:
        fail(str(exc))
    passed = failed = 0
    said: set[str] = set()  # an error shared by many scenarios is printed once
    for path, scenarios in results.items():
        if feature is None:
            console.print(f"[bold]{path.name}[/bold]")
        for r in scenarios:
            mark = "[green]通过 PASS[/green]" if r.passed else "[red]失败 FAIL[/red]"
            why = "" if r.passed or not r.message else "(同上 / as above)" if r.message in said else r.message
            said.add(r.message)
            console.print(f"{mark}  {r.name}" + (f"\n      {why}" if why else ""), soft_wrap=True)
        passed += sum(r.passed for r in scenarios)
        failed += sum(not r.passed for r in scenarios)
    console.print(
        f"{passed} passed, {failed} failed" + (f"({len(results)} 个规格文件)" if feature is None else "")
    )
    if failed or not passed:
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
    allow: Annotated[
        list[str] | None,
        typer.Option(
            "--allow", help="有意豁免的上级校验(默认 period;加 region 则对照非上级地区的规划),记入每份报告"
        ),
    ] = None,
) -> None:
    """批量对标 / check every plan of a folder against its parents, in parallel, with a summary."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from rulesengine.batch import BatchError, run_batch

    with Progress(
        TextColumn("[bold]对标检查 checking[/bold]"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
    ) as bar:
        task = bar.add_task("batch", total=None)
        try:
            result = run_batch(
                folder,
                against,
                out,
                workers=workers,
                allow=("period", *(allow or ())),
                progress=lambda n, total: bar.update(task, completed=n, total=total),
            )
        except (BatchError, OSError) as exc:
            bar.stop()
            fail(str(exc))
    checked = len(result.outcomes) - len(result.failed)
    err_console.print(
        f"已检查 {checked}/{len(result.outcomes)} 份规划,用时 {result.seconds:.1f} 秒"
        f"({result.workers} 个进程);汇总:{result.files['markdown']}、{result.files['excel']};"
        f"全部发现:{result.files['findings']};对标分析报告(Word):{result.files.get('word', '—')}",
        soft_wrap=True,
    )
    if result.across is not None:
        err_console.print(f"跨县发现 {len(result.across.findings)} 条(汇总的“跨县发现”一节)", soft_wrap=True)
    else:
        err_console.print(f"[yellow]跨县检查未能完成[/yellow]: {result.across_error}", soft_wrap=True)
    for o in result.failed:
        err_console.print(
            f"[yellow]{labels.BATCH_STATUS_ZH[o.status]}[/yellow] {o.file}: {o.error}", soft_wrap=True
        )
    raise typer.Exit(result.exit_code)


register_service_commands(app)


def main() -> None:
    app()


__all__ = ["app", "main", "meta_path"]
