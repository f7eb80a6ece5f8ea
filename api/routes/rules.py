"""Rules: the installed rule pack with specs and versions; dry-run validation of a rule file."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, UploadFile

from api.deps import AdminDep, PrincipalDep, RulebookDep, SessionDep
from api.errors import Problem, problem_responses
from api.schemas import RuleCheckReport, RuleDetail, RuleImpactReport, RulePack
from api.services import rules as service

router = APIRouter(prefix="/rules", tags=["rules"], responses=problem_responses(401))


@router.get("", response_model=RulePack)
def list_rules(_: PrincipalDep, book: RulebookDep) -> RulePack:
    """Every installed rule with its version, specs and scenarios; the pack's audit version."""
    return service.rule_pack(book)


@router.get("/{rule_id}", response_model=RuleDetail, responses=problem_responses(404))
def get_rule(_: PrincipalDep, book: RulebookDep, rule_id: str) -> RuleDetail:
    """One rule with its YAML source and the text of its spec files."""
    return service.get_rule(rule_id, book)


def _read(upload: UploadFile) -> bytes:
    data = upload.file.read(service.MAX_RULE_BYTES + 1)
    if len(data) > service.MAX_RULE_BYTES:
        raise Problem(
            413,
            "too_large",
            f"规则文件过大:上限 {service.MAX_RULE_BYTES:,} 字节",
            f"the rule file is larger than {service.MAX_RULE_BYTES:,} bytes",
            field="file",
        )
    return data


@router.post("/validate", response_model=RuleCheckReport, responses=problem_responses(413, 422))
def validate_rule(
    _: PrincipalDep,
    book: RulebookDep,
    file: Annotated[UploadFile, File(description="a rule file, named <rule id>.yaml")],
    specs: Annotated[
        list[UploadFile] | None,
        File(description="optional .feature files that specify a new rule"),
    ] = None,
) -> RuleCheckReport:
    """Check a rule file as the pack loader would, and report every problem; installs nothing.

    The answer is 200 with ``valid: false`` and the errors (file, rule, field, zh/en) when the
    rule is wrong: the request itself was fine.
    """
    extra = [(s.filename or "spec.feature", _read(s)) for s in specs or []]
    return service.validate_rule_file(_read(file), file.filename or "rule.yaml", extra, book)


@router.post("/impact", response_model=RuleImpactReport, responses=problem_responses(403, 413, 422))
def rule_impact(
    _: AdminDep,
    session: SessionDep,
    book: RulebookDep,
    file: Annotated[UploadFile, File(description="a draft rule file, named <rule id>.yaml")],
    specs: Annotated[
        list[UploadFile] | None,
        File(description="optional .feature files that specify a new rule"),
    ] = None,
) -> RuleImpactReport:
    """What publishing a draft rule would add to and remove from the stored plans' checks, with
    the quotes (admins only; the draft is never installed). An invalid draft answers 200 with
    ``check.valid: false`` and its errors, as ``/rules/validate`` does."""
    extra = [(s.filename or "spec.feature", _read(s)) for s in specs or []]
    return service.draft_impact(session, _read(file), file.filename or "rule.yaml", extra, book)
