"""Rules: describe the installed rule pack, and try an uploaded rule file without installing it.

Validation runs the library's own loader (``load_rulebook``) over a temporary copy of the pack
and the specs with the uploaded file dropped in, so an uploaded rule is judged exactly as the
installed pack will judge it: schema, vocabulary, catalog ids, templates, the file name, clashes
with other rules, and the rule being mentioned by a spec scenario (upload the .feature too).
"""

from __future__ import annotations

import multiprocessing
import shutil
import tempfile
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path, PurePath
from typing import Any

import yaml
from sqlmodel import Session, func, select

from api.db import CheckRun
from api.errors import Problem, not_found
from api.schemas import (
    RuleCasePublic,
    RuleCheckReport,
    RuleDetail,
    RuleImpactChange,
    RuleImpactReport,
    RulePack,
    RuleProblem,
    RulePublic,
)
from api.services.checks import gather
from rulesengine.catalog import Catalog
from rulesengine.check import OVERRIDES
from rulesengine.impact import Impact, ImpactPair, pack_impact
from rulesengine.rulebook import Rule, Rulebook, RulebookError, default_rulebook, load_rulebook

__all__ = ["MAX_RULE_BYTES", "draft_impact", "get_rule", "rule_pack", "validate_rule_file"]

MAX_RULE_BYTES = 256 * 1024


def _public(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "version": rule.version,
        "title": rule.title,
        "severity": rule.severity,
        "category": rule.category,
        "reference": rule.reference,
        "description": rule.description,
        "file": Path(rule.file).name,
        "specs": list(rule.specs),
        "scenarios": [str(s) for s in rule.scenarios],
        "cases": [
            RuleCasePublic(name=c.name, severity=c.severity, description=c.description) for c in rule.cases
        ],
    }


def rule_pack(book: Rulebook | None = None) -> RulePack:
    """The pack the service checks with (``app.state.rulebook``; default: the installed one)."""
    book = book or default_rulebook()
    return RulePack(
        version=book.version,
        pack_version=book.pack_version,
        catalog_version=book.catalog.version,
        rules=[RulePublic(**_public(r)) for r in book.rules],
    )


def get_rule(rule_id: str, book: Rulebook | None = None) -> RuleDetail:
    book = book or default_rulebook()
    rule = book.get(rule_id)
    if rule is None:
        raise not_found("规则", "rule", rule_id, field="rule_id")
    specs = {}
    for name in rule.specs:
        path = Path(book.specs_source) / name
        if book.specs_source and path.is_file():
            specs[name] = path.read_text(encoding="utf-8")
    return RuleDetail(**_public(rule), source=Path(rule.file).read_text(encoding="utf-8"), spec_texts=specs)


def _problem(exc: RulebookError) -> RuleProblem:
    return RuleProblem(
        file=PurePath(exc.file).name,
        line=exc.line,
        rule_id=exc.rule_id,
        field=exc.field,
        message_zh=exc.problem_zh,
        message_en=exc.problem_en,
    )


def _report(name: str, errors: list[RuleProblem], **kw: Any) -> RuleCheckReport:
    return RuleCheckReport(valid=not errors, file=name, errors=errors, warnings=kw.pop("warnings", []), **kw)


def _draft_pack(
    tmp: Path,
    book: Rulebook,
    name: str,
    data: bytes,
    specs: Sequence[tuple[str, bytes]],
    errors: list[RuleProblem],
) -> tuple[Path, Path]:
    """The installed pack and its specs copied into ``tmp`` with the uploaded file (and specs)
    dropped in: the draft as the loader will see it once published."""
    pack, spec_dir = tmp / "pack", tmp / "specs"
    shutil.copytree(Path(book.source), pack)
    if book.specs_source:
        shutil.copytree(book.specs_source, spec_dir)
    else:
        spec_dir.mkdir()
    for spec_name, spec_data in specs:
        spec_file = PurePath(spec_name.replace("\\", "/")).name
        if not spec_file.endswith(".feature"):
            errors.append(
                RuleProblem(
                    file=spec_file,
                    field="specs",
                    message_zh="规格文件应为 .feature",
                    message_en="a spec file must end in .feature",
                )
            )
            continue
        (spec_dir / spec_file).write_bytes(spec_data)
    (pack / name).write_bytes(data)
    return pack, spec_dir


def validate_rule_file(
    data: bytes, filename: str, specs: Sequence[tuple[str, bytes]] = (), book: Rulebook | None = None
) -> RuleCheckReport:
    """Judge ``data`` as <pack>/<filename> with optional extra spec files; install nothing."""
    book = book or default_rulebook()
    pack_dir = Path(book.source)
    name = PurePath(filename.replace("\\", "/")).name
    if not name.endswith(".yaml") or name.startswith("_"):
        return _report(
            name,
            [
                RuleProblem(
                    file=name,
                    field="file",
                    message_zh="规则文件应命名为 <规则编号>.yaml",
                    message_en="a rule file must be named <rule id>.yaml",
                )
            ],
            replaces_installed=False,
        )
    try:
        text = data.decode("utf-8-sig")
        parsed = yaml.safe_load(text)
    except (UnicodeDecodeError, yaml.YAMLError):
        parsed = None
    rule_id = parsed.get("id") if isinstance(parsed, dict) else None
    version = parsed.get("version") if isinstance(parsed, dict) else None
    installed_path = pack_dir / name
    replaces = installed_path.is_file()
    warnings: list[RuleProblem] = []
    errors: list[RuleProblem] = []
    with tempfile.TemporaryDirectory(prefix="planalign-rule-") as tmp:
        pack, spec_dir = _draft_pack(Path(tmp), book, name, data, specs, errors)
        if not errors:
            try:
                load_rulebook(pack, specs_dir=spec_dir)
            except RulebookError as exc:
                errors.append(_problem(exc))
            except UnicodeDecodeError:
                errors.append(
                    RuleProblem(
                        file=name,
                        message_zh="文件不是 UTF-8 编码",
                        message_en="the file is not UTF-8 text",
                    )
                )
    if replaces and not errors:
        installed = yaml.safe_load(installed_path.read_text(encoding="utf-8")) or {}
        old_version = installed.get("version") if isinstance(installed, dict) else None
        changed = installed_path.read_bytes() != data
        if changed and isinstance(old_version, int) and isinstance(version, int) and version <= old_version:
            warnings.append(
                RuleProblem(
                    file=name,
                    rule_id=rule_id if isinstance(rule_id, str) else None,
                    field="version",
                    message_zh=f"内容已改动但版本号未增加(已安装版本 {old_version}):请改为 {old_version + 1}",
                    message_en=f"the rule changed but its version did not go up (installed: "
                    f"{old_version}); make it {old_version + 1}",
                )
            )
    return _report(
        name,
        errors,
        rule_id=rule_id if isinstance(rule_id, str) else None,
        version=version if isinstance(version, int) and not isinstance(version, bool) else None,
        replaces_installed=replaces,
        warnings=warnings,
    )


def draft_impact(
    session: Session,
    data: bytes,
    filename: str,
    specs: Sequence[tuple[str, bytes]] = (),
    book: Rulebook | None = None,
) -> RuleImpactReport:
    """What publishing an uploaded rule file would change: every stored plan with a check is
    checked again, against the parents of its latest check, with the installed pack and with
    the draft; the findings added, removed and reworded, with their quotes. Installs nothing."""
    book = book or default_rulebook()
    verdict = validate_rule_file(data, filename, specs, book)
    if not verdict.valid:
        return RuleImpactReport(check=verdict)
    pairs, not_checked = [], []
    latest = select(CheckRun.plan_id, func.max(CheckRun.id)).group_by(CheckRun.plan_id)
    for plan_id, check_id in session.exec(latest).all():
        run = session.get(CheckRun, check_id)
        if run is None:
            continue
        try:
            inputs = gather(session, plan_id, [p["plan_id"] for p in run.parents], allow=OVERRIDES)
        except Problem as exc:
            not_checked.append(f"{plan_id}: {exc.message_zh}")
            continue
        name = f"{inputs.county.plan.region.name} {inputs.county.plan.period}({plan_id})"
        pairs.append(ImpactPair(name, inputs.county, inputs.parents, OVERRIDES))
    errors: list[RuleProblem] = []
    with tempfile.TemporaryDirectory(prefix="planalign-draft-") as tmp:
        pack, spec_dir = _draft_pack(Path(tmp), book, verdict.file, data, specs, errors)
        packs = (book.source, book.specs_source or None, str(pack), str(spec_dir))
        impact = _in_a_child(packs, book.catalog, pairs)
    changes = [
        RuleImpactChange(
            kind=c.kind, plan=c.pair, finding=c.finding, before=c.before.message if c.before else None
        )
        for changes in impact.by_rule().values()
        for c in changes
    ]
    not_checked += [f"{name}: {why}" for name, why in impact.failed]
    return RuleImpactReport(
        check=verdict,
        baseline_version=book.version,
        draft_version=impact.changed,
        plans=impact.pairs,
        changes=changes,
        not_checked=not_checked,
    )


def _impact_of(packs: tuple[str, str | None, str, str], catalog: Catalog, pairs: list[ImpactPair]) -> Impact:
    """In the child: both packs loaded from their folders and tried on every pair."""
    baseline = load_rulebook(packs[0], specs_dir=packs[1], catalog=catalog)
    draft = load_rulebook(packs[2], specs_dir=packs[3], catalog=catalog)
    return pack_impact(baseline, draft, pairs)


def _in_a_child(packs: tuple[str, str | None, str, str], catalog: Catalog, pairs: list[ImpactPair]) -> Impact:
    """Run the draft in a process of its own: durable-rules' C core can crash on a rule nobody has
    run before, and the server must keep serving. An admin action, so a process's start-up is
    worth its cost."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        try:
            return pool.submit(_impact_of, packs, catalog, pairs).result()
        except BrokenProcessPool:
            raise Problem(
                503,
                "impact_crashed",
                "试算草稿规则的进程意外退出(规则引擎崩溃),未安装任何内容;请检查规则或稍后重试",
                "the process trying the draft rule died (the rule engine crashed); nothing was installed",
            ) from None
