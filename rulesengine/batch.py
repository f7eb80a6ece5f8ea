"""Checks every plan in a folder against the same parent plans (``planalign batch DIR --against …``
is its command, in planalign/cli.py).

Why a batch runner rather than a loop over ``planalign check``: a provincial department checks
all of its counties at once (浙江 has 90 county-level divisions, China about 2,800), and it needs
one summary it can sort and forward, not thousands of terminal tables. So this module

* reads the parents once, in this process (a parent that cannot be read stops the batch: every
  check depends on it), and hands their extracted targets to the workers once each;
* reads, extracts and checks the plans in worker processes (``forkserver``: durable-rules' C
  core is per process and must not be forked mid-use), in chunks, reporting progress; a plan that fails
  to read or to check is a row in the summary, never the end of the batch. When a worker dies
  (a crash in the C core) the pool is replaced: the plans that were being checked at that moment
  are retried alone, so a plan that crashes a worker twice is reported and no other plan is lost;
* writes one Markdown report per plan (``reports/<stem>.md``) from the worker, a summary of
  plans × finding counts by severity and category as ``summary.md`` and ``summary.xlsx``, and
  every finding of every plan in ``findings.csv`` (opens in Excel, for filtering across plans);
* after the checks, runs the cross-county rules (rulesengine.across: 指标分解, 层层加码 across
  the layers, peers) over the parents and every checked plan — each worker sends back the plan's
  targets with the outcome, not kept in it — into the summary's 跨县发现 section and rows of
  ``findings.csv`` whose file column says they are the batch's as a whole.

Every plan is checked against every ``--against`` plan, as ``planalign check`` does; a report
notes a parent that is not above the plan's region or whose period does not cover the plan's.
Exit status: 0 clean, 1 if any plan has an error-severity finding, 2 if any plan could not be
read or checked (or the parents, the folder or the output cannot be used).
"""

from __future__ import annotations

import gc
import math
import multiprocessing
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from rulesengine.across import AcrossResult, check_across
from rulesengine.check import OVERRIDES, CheckError, CheckResult, PlanFacts, check_plan, find_parents
from rulesengine.ingest import SUPPORTED_EXTENSIONS, IngestError
from rulesengine.labels import BATCH_STATUS_ZH, BATCH_WHOLE_ZH, CATEGORY_ZH, SEVERITY_ZH
from rulesengine.model import Category, Finding, Plan, Severity
from rulesengine.plans import PlanError, load_plan
from rulesengine.report import (
    CheckReport,
    ReportFinding,
    ReportPlan,
    Sheet,
    check_markdown,
    province_docx,
    save_workbook,
    table,
    write_csv,
)
from rulesengine.report.cells import md
from rulesengine.report.province import (
    CountyCheck,
    ParentPlan,
    ProvinceReport,
    UncheckedPlan,
    province_report,
)
from rulesengine.rulebook import default_rulebook

__all__ = [
    "BatchError",
    "BatchResult",
    "FindingRow",
    "PlanOutcome",
    "discover",
    "render_report",
    "run_batch",
    "write_summary",
]

REPORTS_DIR = "reports"


class BatchError(RuntimeError):
    """The batch cannot start: no such folder, no plans in it, or a parent that cannot be read."""


@dataclass(frozen=True)
class FindingRow:
    """One finding, flattened for the summary workbook (a worker sends these back, not models)."""

    severity: str
    category: str
    rule_id: str
    indicator: str
    message: str


@dataclass(frozen=True)
class PlanOutcome:
    """What became of one plan file: checked (with its findings) or why not. Small and picklable."""

    file: str
    status: str  # "ok" | "unreadable" | "check_failed"
    plan_id: str = ""
    region: str = ""
    period: str = ""
    targets: int = 0
    report: str = ""  # path of the Markdown report, relative to the output folder
    error: str = ""
    findings: tuple[FindingRow, ...] = ()
    # The worker's CPU time for this plan (read, extract, check, report); not part of equality.
    cpu_seconds: float = field(default=0.0, compare=False)

    def count(self, *, severity: str | None = None, category: str | None = None) -> int:
        return sum(
            (severity is None or f.severity == severity) and (category is None or f.category == category)
            for f in self.findings
        )


@dataclass
class BatchResult:
    """Every plan's outcome in file order, the parents used, and where the summary went."""

    outcomes: list[PlanOutcome]
    parents: list[Plan]
    rule_pack_version: str
    out_dir: Path
    seconds: float
    workers: int
    restarts: int = 0  # worker pools replaced after a worker died
    files: dict[str, Path] = field(default_factory=dict)
    phases: dict[str, float] = field(default_factory=dict)  # seconds: parents, checks, across, summary
    across: AcrossResult | None = None  # the cross-county check over parents and checked plans
    across_error: str = ""  # why it could not run (the plans' own checks stand)
    province: ProvinceReport | None = None  # the batch as the dashboard's model (summary.docx)

    @property
    def failed(self) -> list[PlanOutcome]:
        return [o for o in self.outcomes if o.status != "ok"]

    @property
    def exit_code(self) -> int:
        if self.failed:
            return 2
        return 1 if any(o.count(severity="error") for o in self.outcomes) else 0


# --------------------------------------------------------------------------------------------
# Discovery and reports.


def discover(folder: Path) -> list[Path]:
    """The plan documents in ``folder`` (not recursive), by file name; metadata files are skipped."""
    if not folder.is_dir():
        raise BatchError(f"{folder}: 不是文件夹 / not a folder")
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in SUPPORTED_EXTENSIONS
    )


def _report_names(paths: Sequence[Path]) -> list[str]:
    """``<stem>.md`` per plan; the whole file name when two documents share a stem (a.txt, a.pdf)."""
    stems = [p.stem for p in paths]
    return [f"{p.stem if stems.count(p.stem) == 1 else p.name}.md" for p in paths]


def render_report(result: CheckResult, county: PlanFacts, parents: Sequence[PlanFacts]) -> str:
    """One plan's Markdown report (rulesengine.report), noting parents that are not above it."""
    related = {p.id for p in find_parents(county.plan, [p.plan for p in parents])}
    unrelated = [p.plan for p in parents if p.plan.id not in related]
    notes = []
    if unrelated:
        names = "、".join(f"{p.region.name} {p.period}" for p in unrelated)
        notes.append(("注意", f"{names} 的行政区不在本规划之上,或规划期不覆盖 {county.plan.period}"))
    targets = {pf.plan.id: pf.targets for pf in (county, *parents)}
    report = CheckReport.from_result(result, county.plan, [p.plan for p in parents], targets, notes)
    return check_markdown(report)


# --------------------------------------------------------------------------------------------
# The work of one plan, in a worker (or in this process with workers=0).

_PARENTS: list[PlanFacts] = []
_OUT_DIR: Path | None = None
_STATE: Any = None  # the pool's shared byte per plan (see _Pool), or None in this process
_ALLOW: tuple[str, ...] = ("period",)  # parent checks waived (rulesengine.check.OVERRIDES)


def _init_worker(
    parents: list[PlanFacts],
    out_dir: Path,
    freeze: bool = True,
    state: Any = None,
    allow: tuple[str, ...] = ("period",),
) -> None:
    """Keep the parents and warm the rule pack, engine and regions once per worker.

    Then ``gc.freeze()``: everything loaded so far lives as long as the worker, and a check
    makes thousands of short-lived containers, so without it every full collection walks the
    catalog, regions and parents again (measured in bench/batch.py).
    """
    global _PARENTS, _OUT_DIR, _STATE
    global _ALLOW
    _PARENTS, _OUT_DIR, _STATE, _ALLOW = parents, out_dir, state, allow
    from rulesengine.check import engine_for
    from rulesengine.regions import default_index

    engine_for(default_rulebook())
    default_index()
    if freeze:
        gc.collect()
        gc.freeze()
        # A check leaves ~300 objects in reference cycles (durable's action closures among
        # them) and allocates thousands more that die young: collecting every 700 allocations
        # cost ~3 % of a worker's time, measured A/B in one process; every 20,000 is enough.
        gc.set_threshold(20_000, 20, 20)


@dataclass(frozen=True)
class _Done:
    """What a checked plan sends back besides its outcome: its targets (and the text around them)
    for the cross-county check, and its findings for the province report."""

    facts: PlanFacts
    findings: tuple[Finding, ...]


Checked = tuple[PlanOutcome, _Done | None]
"""A plan's outcome, and what the batch needs of it when it was checked."""


def _check_one(path: Path, report_name: str) -> Checked:
    try:
        plan = load_plan(path)
    except (IngestError, PlanError, OSError) as exc:
        return PlanOutcome(path.name, "unreadable", error=str(exc)), None
    except Exception as exc:  # a reader bug on an odd file: still this plan's problem alone
        return PlanOutcome(path.name, "unreadable", error=f"{type(exc).__name__}: {exc}"), None
    who = (plan.id, plan.region.name, str(plan.period))
    try:
        county = PlanFacts.from_plan(plan)
        # the batch's parents are given for the whole folder: a plan of another year keeps them
        result = check_plan(county, _PARENTS, allow=_ALLOW)
        report = render_report(result, county, _PARENTS)
        assert _OUT_DIR is not None
        (_OUT_DIR / REPORTS_DIR / report_name).write_text(report + "\n", encoding="utf-8")
    except Exception as exc:  # one plan's failure is a row in the summary, never the batch's end
        return PlanOutcome(path.name, "check_failed", *who, error=f"{type(exc).__name__}: {exc}"), None
    rows = tuple(
        FindingRow(f.severity.value, f.category.value, f.rule_id, f.indicator, f.message)
        for f in result.findings
    )
    report_path = f"{REPORTS_DIR}/{report_name}"
    outcome = PlanOutcome(
        path.name, "ok", *who, targets=len(county.targets), report=report_path, findings=rows
    )
    # the cross-county check reads targets (and the text around them), not mentions or topics
    slim = county.model_copy(update={"topics": (), "relatives": (), "mentions": ()})
    return outcome, _Done(slim, tuple(result.findings))


def _check_chunk(items: list[tuple[int, Path, str]]) -> list[tuple[int, PlanOutcome, _Done | None]]:
    out = []
    for index, path, name in items:
        if _STATE is not None:
            _STATE[index] = 1
        started = time.process_time()
        outcome, facts = _check_one(path, name)
        out.append((index, replace(outcome, cpu_seconds=time.process_time() - started), facts))
        if _STATE is not None:
            _STATE[index] = 2
    return out


# --------------------------------------------------------------------------------------------
# The batch.


def _load_parents(paths: Sequence[Path]) -> list[PlanFacts]:
    out = []
    for path in paths:
        try:
            out.append(PlanFacts.from_plan(load_plan(path)))
        except (IngestError, PlanError, OSError) as exc:
            raise BatchError(f"上级规划无法读取 / a parent plan cannot be read: {exc}") from exc
    ids = [p.plan.id for p in out]
    if len(set(ids)) != len(ids):
        raise BatchError(f"上级规划编号重复 / duplicate parent plan ids: {', '.join(ids)}")
    return out


def _chunks(items: list[int], workers: int) -> list[list[int]]:
    """About eight chunks per worker, at most 16 plans each: cheap IPC, a live progress
    bar, and little time at the end when one worker is done and the other still busy."""
    size = max(1, min(16, math.ceil(len(items) / (max(workers, 1) * 8))))
    return [items[i : i + size] for i in range(0, len(items), size)]


def _forkserver() -> Any:
    """The forkserver context, its server started now (it imports this module in the background
    while the caller reads the parents)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    from multiprocessing import forkserver

    forkserver.ensure_running()
    return context


@dataclass
class _Pool:
    """Worker processes and the bookkeeping that tells a crash's culprit from its bystanders."""

    items: list[tuple[Path, str]]
    parents: list[PlanFacts]
    out_dir: Path
    workers: int
    advance: Callable[[int], None]
    allow: tuple[str, ...] = ("period",)
    done: dict[int, PlanOutcome] = field(default_factory=dict)
    facts: dict[int, _Done] = field(default_factory=dict)
    restarts: int = 0

    def __post_init__(self) -> None:
        # forkserver, never fork: workers are forked from a clean server process that has only
        # imported this module (durable-rules is imported later, in each worker), which saves
        # each worker the imports spawn would repeat. A C core is never copied mid-use.
        self.context = _forkserver()
        # One byte per plan, written by the worker: 1 while it checks the plan, 2 once done. After
        # a crash, the plans at 1 were in flight (the culprit among them); the others are requeued.
        self.state: Any = self.context.RawArray("b", len(self.items))

    def _executor(self, workers: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=workers,
            mp_context=self.context,
            initializer=_init_worker,
            initargs=(self.parents, self.out_dir, True, self.state, self.allow),
        )

    def _collect(self, outcomes: list[tuple[int, PlanOutcome, _Done | None]]) -> None:
        for index, outcome, facts in outcomes:
            self.done[index] = outcome
            if facts is not None:
                self.facts[index] = facts
        self.advance(len(outcomes))

    def _round(self, todo: list[int]) -> list[int]:
        """Check ``todo`` in chunks; return the indices lost to a worker that died."""
        lost: list[int] = []
        with self._executor(self.workers) as pool:
            futures = {
                pool.submit(_check_chunk, self._work(chunk)): chunk for chunk in _chunks(todo, self.workers)
            }
            remaining = set(futures)
            while remaining:
                finished, remaining = wait(remaining, return_when="FIRST_COMPLETED")
                for future in finished:
                    try:
                        self._collect(future.result())
                    except BrokenProcessPool:
                        lost.extend(futures[future])
        return lost

    def _alone(self, index: int) -> None:
        """Check one plan that was in flight when a worker died, in a worker of its own."""
        path = self.items[index][0]
        try:
            with self._executor(1) as pool:
                self._collect(pool.submit(_check_chunk, self._work([index])).result())
        except BrokenProcessPool:
            self.restarts += 1
            message = "检查时进程崩溃两次 / the worker crashed twice on this plan (durable-rules C core)"
            self._collect([(index, PlanOutcome(path.name, "check_failed", error=message), None)])

    def _work(self, indices: list[int]) -> list[tuple[int, Path, str]]:
        return [(i, *self.items[i]) for i in indices]

    def run(self) -> dict[int, PlanOutcome]:
        todo = list(range(len(self.items)))
        while todo:
            lost = self._round(todo)
            if not lost:
                break
            self.restarts += 1
            suspects = [i for i in lost if self.state[i] == 1]
            if not suspects or self.restarts > _MAX_RESTARTS:
                reason = "进程无法启动或反复崩溃 / worker processes cannot start or keep crashing"
                for i in lost:
                    self._collect(
                        [(i, PlanOutcome(self.items[i][0].name, "check_failed", error=reason), None)]
                    )
                break
            for i in suspects:
                self._alone(i)
            todo = [i for i in lost if i not in self.done]
        return self.done


_MAX_RESTARTS = 20


def run_batch(
    folder: Path,
    against: Sequence[Path],
    out_dir: Path,
    *,
    workers: int = 2,
    progress: Callable[[int, int], None] | None = None,
    allow: Sequence[str] = ("period",),
) -> BatchResult:
    """Check every plan in ``folder`` against the ``against`` plans; write reports and a summary.

    ``workers=0`` checks in this process (tests, debugging). ``progress(done, total)`` is called
    as plans finish (the command line draws a bar with it). ``allow`` waives parent checks for
    every plan (rulesengine.check.OVERRIDES): a batch's parents are given for the whole folder, so
    a plan of another year keeps them by default; ``region`` too checks a folder against, say, a
    neighbour's plans, recorded in each report. Raises :class:`BatchError` when the batch cannot
    start; a plan that fails is an outcome, not an exception.
    """
    unknown = sorted(set(allow) - set(OVERRIDES))
    if unknown:
        raise BatchError(
            f"未知的豁免项 / unknown override: {', '.join(unknown)} (known: {', '.join(OVERRIDES)})"
        )
    started = time.perf_counter()
    if not against:
        raise BatchError("至少需要一个上级规划 (--against) / at least one parent plan is required")
    paths = discover(folder)
    if not paths:
        raise BatchError(f"{folder}: 没有规划文件 / no plan documents ({', '.join(SUPPORTED_EXTENSIONS)})")
    if workers > 0:
        _forkserver()  # start it early: its imports overlap with reading the parents
    parents = _load_parents(against)
    rulebook = default_rulebook()
    (out_dir / REPORTS_DIR).mkdir(parents=True, exist_ok=True)
    items = list(zip(paths, _report_names(paths), strict=True))
    prepared = time.perf_counter()
    finished = 0

    def advance(n: int) -> None:
        nonlocal finished
        finished += n
        if progress is not None:
            progress(finished, len(items))

    restarts = 0
    facts: dict[int, _Done] = {}
    if workers <= 0:
        # not ours to freeze: the caller's process
        _init_worker(parents, out_dir, freeze=False, allow=tuple(allow))
        done = {}
        for index, (path, name) in enumerate(items):
            _, done[index], made = _check_chunk([(index, path, name)])[0]
            if made is not None:
                facts[index] = made
            advance(1)
    else:
        pool = _Pool(items, parents, out_dir, workers, advance, tuple(allow))
        done = pool.run()
        facts = pool.facts
        restarts = pool.restarts
    checked = time.perf_counter()
    across, across_error = _across(parents, [facts[i].facts for i in sorted(facts)])
    crossed = time.perf_counter()
    outcomes = [done[i] for i in range(len(items))]
    province = _province(
        parents, [facts[i] for i in sorted(facts)], outcomes, across, rulebook.catalog.version
    )
    result = BatchResult(
        outcomes=outcomes,
        parents=[p.plan for p in parents],
        rule_pack_version=rulebook.version,
        out_dir=out_dir,
        seconds=0.0,
        workers=workers,
        restarts=restarts,
        across=across,
        across_error=across_error,
        province=province,
    )
    result.files = write_summary(result)
    result.seconds = time.perf_counter() - started
    result.phases = {
        "parents": round(prepared - started, 3),
        "checks": round(checked - prepared, 3),
        "across": round(crossed - checked, 3),
        "summary": round(time.perf_counter() - crossed, 3),
    }
    return result


def _across(parents: Sequence[PlanFacts], checked: Sequence[PlanFacts]) -> tuple[AcrossResult | None, str]:
    """The cross-county check over the parents and the checked plans, each plan id once (a
    parent also in the folder is the parent). A failure is said in the summary; the plans'
    own checks stand."""
    seen = {p.plan.id for p in parents}
    plans = list(parents)
    for pf in checked:
        if pf.plan.id not in seen:
            seen.add(pf.plan.id)
            plans.append(pf)
    try:
        return check_across(plans), ""
    except (CheckError, ValueError) as exc:
        return None, f"{type(exc).__name__}: {exc}"


def _province(
    parents: Sequence[PlanFacts],
    checked: Sequence[_Done],
    outcomes: Sequence[PlanOutcome],
    across: AcrossResult | None,
    catalog_version: str,
) -> ProvinceReport:
    """The batch as the province at once (rulesengine.report.province): the dashboard the service
    shows, here for ``summary.docx``."""
    above = tuple(ReportPlan.of(p.plan, "parent") for p in parents)
    version = default_rulebook().version
    counties = [
        CountyCheck(
            CheckReport(
                (ReportPlan.of(c.facts.plan, "county"), *above),
                tuple(ReportFinding.of(f) for f in c.findings),
                version,
                catalog_version,
            ),
            c.facts.plan.region,
            c.facts.targets,
        )
        for c in checked
    ]
    unchecked = [UncheckedPlan(o.file, o.error) for o in outcomes if o.status != "ok"]
    return province_report(
        [ParentPlan.of(p.plan, p.targets) for p in parents],
        counties,
        unchecked=unchecked,
        cross=across.findings if across is not None else (),
    )


# --------------------------------------------------------------------------------------------
# The summary: Markdown and an Excel workbook.

_COUNT_COLUMNS = [("severity", s.value, SEVERITY_ZH[s.value]) for s in Severity] + [
    ("category", c.value, CATEGORY_ZH[c.value]) for c in Category
]
SUMMARY_HEAD = ["文件", "规划编号", "行政区", "规划期", "状态", "目标数", "发现"]
SUMMARY_HEAD += [label for _, _, label in _COUNT_COLUMNS] + ["报告", "原因"]
FINDINGS_HEAD = ["文件", "规划编号", "行政区", "规划期", "严重性", "类别", "规则", "指标", "发现"]


def _summary_rows(result: BatchResult) -> list[list[str | int]]:
    rows: list[list[str | int]] = []
    for o in result.outcomes:
        counts = [
            o.count(severity=v) if kind == "severity" else o.count(category=v)
            for kind, v, _ in _COUNT_COLUMNS
        ]
        row: list[str | int] = [o.file, o.plan_id, o.region, o.period, BATCH_STATUS_ZH[o.status], o.targets]
        rows.append([*row, len(o.findings), *counts, o.report, o.error])
    return rows


def _summary_markdown(result: BatchResult, rows: list[list[str | int]]) -> str:
    checked = [o for o in result.outcomes if o.status == "ok"]
    totals = {s.value: sum(o.count(severity=s.value) for o in checked) for s in Severity}
    parents = "、".join(md(f"{p.region.name} {p.period}({p.id})") for p in result.parents)
    lines = [
        "# 批量对标检查汇总 / batch check summary",
        "",
        f"- 规划 {len(result.outcomes)} 份:已检查 {len(checked)},未能检查 {len(result.failed)}",
        f"- 上级规划:{parents}",
        f"- 规则包版本 {md(result.rule_pack_version)}",
        "- 发现合计:错误 {error} · 警告 {warning} · 提示 {info}".format(**totals),
        f"- 有错误的规划 {sum(1 for o in checked if o.count(severity='error'))} 份",
        "",
    ]
    if result.failed:
        failed = [[o.file, BATCH_STATUS_ZH[o.status], o.error] for o in result.failed]
        lines += ["## 未能检查的规划", "", *table(["文件", "状态", "原因"], failed), ""]
    shown = [i for i, h in enumerate(SUMMARY_HEAD) if h != "原因"]
    link = shown.index(SUMMARY_HEAD.index("报告"))
    body = [[row[i] for i in shown] for row in rows]
    lines += ["## 各规划发现数", "", *table([SUMMARY_HEAD[i] for i in shown], body, links=[link])]
    lines += ["", *_across_markdown(result)]
    return "\n".join(lines) + "\n"


ACROSS_HEAD = ["严重性", "类别", "规则", "指标", "行政区", "发现"]


def _across_markdown(result: BatchResult) -> list[str]:
    """The 跨县发现 section: what the batch as a whole shows (rulesengine.across)."""
    lines = ["## 跨县发现", ""]
    if result.across is None:
        return [*lines, f"跨县检查未能完成:{md(result.across_error or '未运行')}"]
    across = result.across
    with_share = sum(s.children_with_share > 0 for s in across.shares)
    lines += [
        f"- 上级总量目标 {len(across.shares)} 个,其中 {with_share} 个有下级设定了分解目标;"
        f"同省对比目标 {len(across.peers)} 个;省—市—县链条 {len(across.chains)} 个",
        f"- 跨县发现 {len(across.findings)} 条",
        "",
    ]
    if across.findings:
        rows = [[*_across_cells(f), f.message] for f in across.findings]
        lines += table(ACROSS_HEAD, rows)
    return lines


def _across_cells(f: Finding) -> list[str]:
    """Severity, category, rule, indicator and region of a cross-county finding (its first
    quoted plan's region: the parent of a decomposition, the county of the others)."""
    region = f.facts[0].region if f.facts else ""
    return [SEVERITY_ZH[f.severity.value], CATEGORY_ZH[f.category.value], f.rule_id, f.indicator, region]


def _finding_rows(result: BatchResult) -> Iterable[list[str]]:
    for o in result.outcomes:
        for f in o.findings:
            what = [SEVERITY_ZH[f.severity], CATEGORY_ZH[f.category], f.rule_id, f.indicator, f.message]
            yield [o.file, o.plan_id, o.region, o.period, *what]
    for finding in result.across.findings if result.across is not None else ():
        severity, category, rule, indicator, region = _across_cells(finding)
        period = finding.facts[0].period if finding.facts else ""
        yield [BATCH_WHOLE_ZH, "", region, period, severity, category, rule, indicator, finding.message]


def write_summary(result: BatchResult) -> dict[str, Path]:
    """Write ``summary.md``, ``summary.xlsx``, ``findings.csv`` and the province's 对标分析报告
    ``summary.docx`` (the dashboard's model) into the output folder.

    The findings go to CSV, not a workbook sheet: for the findings of thousands of plans the
    csv module is many times faster than openpyxl (figures in bench/PERFORMANCE.md).
    """
    rows = _summary_rows(result)
    files = {
        "markdown": result.out_dir / "summary.md",
        "excel": result.out_dir / "summary.xlsx",
        "findings": result.out_dir / "findings.csv",
    }
    if result.province is not None:
        files["word"] = result.out_dir / "summary.docx"
        files["word"].write_bytes(province_docx(result.province))
    files["markdown"].write_text(_summary_markdown(result, rows), encoding="utf-8")
    save_workbook(files["excel"], [Sheet("汇总", SUMMARY_HEAD, rows, wrap=False)])
    write_csv(files["findings"], FINDINGS_HEAD, _finding_rows(result))
    return files
