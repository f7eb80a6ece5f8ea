"""Checks every plan in a folder against the same parent plans: ``planalign batch DIR --against …``.

Why a batch runner rather than a loop over ``planalign check``: a provincial department checks
all of its counties at once (浙江 has 90 county-level divisions, China about 2,800), and it needs
one summary it can sort and forward, not thousands of terminal tables. So this module

* reads the parents once, in this process (a parent that cannot be read stops the batch: every
  check depends on it), and hands their extracted targets to the workers once each;
* reads, extracts and checks the plans in worker processes (``forkserver``: durable-rules' C
  core is per process and must not be forked mid-use), in chunks, with a rich progress bar; a plan that fails
  to read or to check is a row in the summary, never the end of the batch. When a worker dies
  (a crash in the C core) the pool is replaced: the plans that were being checked at that moment
  are retried alone, so a plan that crashes a worker twice is reported and no other plan is lost;
* writes one Markdown report per plan (``reports/<stem>.md``) from the worker, a summary of
  plans × finding counts by severity and category as ``summary.md`` and ``summary.xlsx``, and
  every finding of every plan in ``findings.csv`` (opens in Excel, for filtering across plans).

Every plan is checked against every ``--against`` plan, as ``planalign check`` does; a report
notes a parent that is not above the plan's region or whose period does not cover the plan's.
Exit status: 0 clean, 1 if any plan has an error-severity finding, 2 if any plan could not be
read or checked (or the parents, the folder or the output cannot be used).
"""

from __future__ import annotations

import csv
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

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from rulesengine.cells import csv_text, display_width, excel_text
from rulesengine.check import CheckResult, PlanFacts, check_plan, find_parents
from rulesengine.ingest import SUPPORTED_EXTENSIONS, IngestError
from rulesengine.model import Category, FindingFact, Plan, Severity
from rulesengine.plans import PlanError, load_plan
from rulesengine.rulebook import default_rulebook

__all__ = [
    "BatchError",
    "BatchResult",
    "FindingRow",
    "PlanOutcome",
    "batch_command",
    "discover",
    "render_report",
    "run_batch",
    "write_summary",
]

SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
CATEGORY_ZH = {"gap": "缺项", "weaker": "偏弱", "conflict": "冲突", "mismatch": "不可比", "aligned": "已对齐"}
STATUS_ZH = {"ok": "已检查", "unreadable": "无法读取", "check_failed": "检查失败"}
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
    phases: dict[str, float] = field(default_factory=dict)  # seconds: parents, checks, summary

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


def _fact_line(f: FindingFact) -> str:
    value = f"{f.value:g}{f.unit}" if f.value is not None else ""
    where = f"[{f.start}-{f.end}]" if f.start is not None else ""
    return f"{f.region} {f.period} {value}「{f.quote}」{where}".strip()


def render_report(result: CheckResult, county: Plan, parents: Sequence[Plan]) -> str:
    """One plan's Markdown report: findings by severity, each with its rule and quoted evidence."""
    related = {p.id for p in find_parents(county, list(parents))}
    lines = [
        f"# 对标检查:{county.region.name} {county.period}",
        "",
        f"- 文件:{county.source_name}(规划编号 {county.id})",
        f"- 上级规划:{'、'.join(f'{p.region.name} {p.period}({p.id})' for p in parents)}",
        f"- 规则包版本 {result.rule_pack_version} · 指标目录版本 {result.catalog_version}",
    ]
    unrelated = [p for p in parents if p.id not in related]
    if unrelated:
        names = "、".join(f"{p.region.name} {p.period}" for p in unrelated)
        lines.append(f"- 注意:{names} 的行政区不在本规划之上,或规划期不覆盖 {county.period}")
    lines += [f"- 警告:{w.message_zh}" for w in county.warnings]
    counts = {s.value: sum(f.severity is s for f in result.findings) for s in Severity}
    lines += ["", "错误 {error} · 警告 {warning} · 提示 {info}".format(**counts), ""]
    for severity in Severity:
        group = [f for f in result.findings if f.severity is severity]
        if not group:
            continue
        lines += [f"## {SEVERITY_ZH[severity.value]}({len(group)})", ""]
        for f in group:
            lines.append(f"- **{CATEGORY_ZH[f.category.value]}** {f.message} `{f.rule_id} v{f.rule_version}`")
            lines += [f"  - {_fact_line(x)}" for x in f.facts]
        lines.append("")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# The work of one plan, in a worker (or in this process with workers=0).

_PARENTS: list[PlanFacts] = []
_OUT_DIR: Path | None = None
_STATE: Any = None  # the pool's shared byte per plan (see _Pool), or None in this process


def _init_worker(parents: list[PlanFacts], out_dir: Path, freeze: bool = True, state: Any = None) -> None:
    """Keep the parents and warm the rule pack, engine and regions once per worker.

    Then ``gc.freeze()``: everything loaded so far lives as long as the worker, and a check
    makes thousands of short-lived containers, so without it every full collection walks the
    catalog, regions and parents again (measured in bench/batch.py).
    """
    global _PARENTS, _OUT_DIR, _STATE
    _PARENTS, _OUT_DIR, _STATE = parents, out_dir, state
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


def _check_one(path: Path, report_name: str) -> PlanOutcome:
    try:
        plan = load_plan(path)
    except (IngestError, PlanError, OSError) as exc:
        return PlanOutcome(path.name, "unreadable", error=str(exc))
    except Exception as exc:  # a reader bug on an odd file: still this plan's problem alone
        return PlanOutcome(path.name, "unreadable", error=f"{type(exc).__name__}: {exc}")
    who = (plan.id, plan.region.name, str(plan.period))
    try:
        county = PlanFacts.from_plan(plan)
        # the batch's parents are given for the whole folder: a plan of another year keeps them
        result = check_plan(county, _PARENTS, allow=("period",))
        report = render_report(result, plan, [p.plan for p in _PARENTS])
        assert _OUT_DIR is not None
        (_OUT_DIR / REPORTS_DIR / report_name).write_text(report + "\n", encoding="utf-8")
    except Exception as exc:  # one plan's failure is a row in the summary, never the batch's end
        return PlanOutcome(path.name, "check_failed", *who, error=f"{type(exc).__name__}: {exc}")
    rows = tuple(
        FindingRow(f.severity.value, f.category.value, f.rule_id, f.indicator, f.message)
        for f in result.findings
    )
    report_path = f"{REPORTS_DIR}/{report_name}"
    return PlanOutcome(path.name, "ok", *who, targets=len(county.targets), report=report_path, findings=rows)


def _check_chunk(items: list[tuple[int, Path, str]]) -> list[tuple[int, PlanOutcome]]:
    out = []
    for index, path, name in items:
        if _STATE is not None:
            _STATE[index] = 1
        started = time.process_time()
        outcome = _check_one(path, name)
        out.append((index, replace(outcome, cpu_seconds=time.process_time() - started)))
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
    done: dict[int, PlanOutcome] = field(default_factory=dict)
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
            initargs=(self.parents, self.out_dir, True, self.state),
        )

    def _collect(self, outcomes: list[tuple[int, PlanOutcome]]) -> None:
        for index, outcome in outcomes:
            self.done[index] = outcome
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
            self._collect([(index, PlanOutcome(path.name, "check_failed", error=message))])

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
                    self._collect([(i, PlanOutcome(self.items[i][0].name, "check_failed", error=reason))])
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
    console: Console | None = None,
) -> BatchResult:
    """Check every plan in ``folder`` against the ``against`` plans; write reports and a summary.

    ``workers=0`` checks in this process (tests, debugging). Raises :class:`BatchError` when the
    batch cannot start; a plan that fails is an outcome, not an exception.
    """
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
    console = console or Console(stderr=True)
    prepared = time.perf_counter()
    with Progress(
        TextColumn("[bold]对标检查 checking[/bold]"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        task = progress.add_task("batch", total=len(items))

        def advance(n: int) -> None:
            progress.advance(task, n)

        restarts = 0
        if workers <= 0:
            _init_worker(parents, out_dir, freeze=False)  # not ours to freeze: the caller's process
            done = {}
            for index, (path, name) in enumerate(items):
                done[index] = _check_chunk([(index, path, name)])[0][1]
                advance(1)
        else:
            pool = _Pool(items, parents, out_dir, workers, advance)
            done = pool.run()
            restarts = pool.restarts
    checked = time.perf_counter()
    result = BatchResult(
        outcomes=[done[i] for i in range(len(items))],
        parents=[p.plan for p in parents],
        rule_pack_version=rulebook.version,
        out_dir=out_dir,
        seconds=0.0,
        workers=workers,
        restarts=restarts,
    )
    result.files = write_summary(result)
    result.seconds = time.perf_counter() - started
    result.phases = {
        "parents": round(prepared - started, 3),
        "checks": round(checked - prepared, 3),
        "summary": round(time.perf_counter() - checked, 3),
    }
    return result


# --------------------------------------------------------------------------------------------
# The summary: Markdown and an Excel workbook.

_COUNT_COLUMNS = [("severity", s.value, SEVERITY_ZH[s.value]) for s in Severity] + [
    ("category", c.value, CATEGORY_ZH[c.value]) for c in Category
]


def _summary_rows(result: BatchResult) -> tuple[list[str], list[list[str | int]]]:
    head = ["文件", "规划编号", "行政区", "规划期", "状态", "目标数", "发现"]
    head += [label for _, _, label in _COUNT_COLUMNS] + ["报告", "原因"]
    rows: list[list[str | int]] = []
    for o in result.outcomes:
        counts = [
            o.count(severity=v) if kind == "severity" else o.count(category=v)
            for kind, v, _ in _COUNT_COLUMNS
        ]
        row: list[str | int] = [o.file, o.plan_id, o.region, o.period, STATUS_ZH[o.status], o.targets]
        rows.append([*row, len(o.findings), *counts, o.report, o.error])
    return head, rows


def _md_cell(value: str | int) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _summary_markdown(result: BatchResult, head: list[str], rows: list[list[str | int]]) -> str:
    checked = [o for o in result.outcomes if o.status == "ok"]
    totals = {s.value: sum(o.count(severity=s.value) for o in checked) for s in Severity}
    lines = [
        "# 批量对标检查汇总 / batch check summary",
        "",
        f"- 规划 {len(result.outcomes)} 份:已检查 {len(checked)},未能检查 {len(result.failed)}",
        f"- 上级规划:{'、'.join(f'{p.region.name} {p.period}({p.id})' for p in result.parents)}",
        f"- 规则包版本 {result.rule_pack_version}",
        "- 发现合计:错误 {error} · 警告 {warning} · 提示 {info}".format(**totals),
        f"- 有错误的规划 {sum(1 for o in checked if o.count(severity='error'))} 份",
        "",
    ]
    if result.failed:
        lines += ["## 未能检查的规划", "", "| 文件 | 状态 | 原因 |", "|---|---|---|"]
        lines += [
            f"| {_md_cell(o.file)} | {STATUS_ZH[o.status]} | {_md_cell(o.error)} |" for o in result.failed
        ]
        lines.append("")
    shown = [i for i, h in enumerate(head) if h != "原因"]
    lines += ["## 各规划发现数", ""]
    lines.append("| " + " | ".join(head[i] for i in shown) + " |")
    lines.append("|" + "---|" * len(shown))
    for row in rows:
        cells = [_md_cell(row[i]) for i in shown]
        report = row[head.index("报告")]
        if report:
            cells[shown.index(head.index("报告"))] = f"[{report}]({report})"
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _widths(head: list[str], rows: Iterable[list[str | int]], cap: int = 60) -> list[float]:
    """Column widths for Excel: the widest cell's display width (CJK counts twice), capped."""
    widths = [display_width(h) for h in head]
    for row in rows:
        for i, value in enumerate(row):
            text = str(value)
            if len(text) >= cap:  # every character is at least one column wide
                widths[i] = cap
            elif 2 * len(text) > widths[i]:  # else it cannot be wider than what we have
                widths[i] = max(widths[i], display_width(text))
    return [min(w, cap) + 2 for w in widths]


def _write_workbook(path: Path, head: list[str], rows: list[list[str | int]]) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet("汇总")
    for i, width in enumerate(_widths(head, rows), start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for h in head:
        cell = WriteOnlyCell(sheet, value=h)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([excel_text(WriteOnlyCell(sheet, value=v)) if isinstance(v, str) else v for v in row])
    book.save(path)


FINDINGS_HEAD = ["文件", "规划编号", "行政区", "规划期", "严重性", "类别", "规则", "指标", "发现"]


def _write_findings(path: Path, result: BatchResult) -> None:
    """Every finding of every plan, one a line, as CSV Excel opens (UTF-8 with a byte-order mark).

    CSV, not a workbook sheet: for 60,000 findings of 3,000 plans openpyxl is many times slower
    than the CSV module (figures in bench/PERFORMANCE.md).
    """
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(FINDINGS_HEAD)
        for o in result.outcomes:
            for f in o.findings:
                where = [o.file, o.plan_id, o.region, o.period]
                what = [SEVERITY_ZH[f.severity], CATEGORY_ZH[f.category], f.rule_id, f.indicator, f.message]
                out.writerow([csv_text(cell) for cell in where + what])


def write_summary(result: BatchResult) -> dict[str, Path]:
    """Write ``summary.md``, ``summary.xlsx`` and ``findings.csv`` into the output folder."""
    head, rows = _summary_rows(result)
    files = {
        "markdown": result.out_dir / "summary.md",
        "excel": result.out_dir / "summary.xlsx",
        "findings": result.out_dir / "findings.csv",
    }
    files["markdown"].write_text(_summary_markdown(result, head, rows), encoding="utf-8")
    _write_workbook(files["excel"], head, rows)
    _write_findings(files["findings"], result)
    return files


# --------------------------------------------------------------------------------------------
# The command.


def batch_command(folder: Path, against: list[Path], out_dir: Path, workers: int) -> int:
    """``planalign batch``: run the batch, print where the summary is; return the exit status."""
    console = Console(stderr=True)
    try:
        result = run_batch(folder, against, out_dir, workers=workers, console=console)
    except (BatchError, OSError) as exc:
        console.print(f"[red]错误 / error:[/red] {exc}", soft_wrap=True)
        return 2
    checked = len(result.outcomes) - len(result.failed)
    console.print(
        f"已检查 {checked}/{len(result.outcomes)} 份规划,用时 {result.seconds:.1f} 秒"
        f"({result.workers} 个进程);汇总:{result.files['markdown']}、{result.files['excel']};"
        f"全部发现:{result.files['findings']}",
        soft_wrap=True,
    )
    for o in result.failed:
        console.print(f"[yellow]{STATUS_ZH[o.status]}[/yellow] {o.file}: {o.error}", soft_wrap=True)
    return result.exit_code
