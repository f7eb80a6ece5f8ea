"""What clients send and receive: request and response schemas, apart from stored rows.

Three layers, as in the full-stack FastAPI template: input schemas (``…Create``, ``…Review``)
accept only what a client may set; tables (``api.db``) hold what is stored; public schemas
(``…Public``, ``…Detail``) say what is shown. Keeping them apart is what stops a client from
setting ``version`` or ``created_by`` and stops a token hash from ever reaching a response.
Domain enums and small frozen types come from ``rulesengine.model`` so the API speaks the
library's vocabulary.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from api.auth import Role
from rulesengine.model import (
    Basis,
    Category,
    Comparator,
    Finding,
    FindingFact,
    Kind,
    Level,
    PlanWarning,
    Severity,
    TopicMention,
)

__all__ = [
    "MAX_DB_INT",
    "AuditEntryPublic",
    "BatchFindingPublic",
    "BatchItemPublic",
    "BatchItemStage",
    "BatchPublic",
    "BatchSkipped",
    "BatchStage",
    "CatalogOverlayPublic",
    "CheckCreate",
    "CheckDetail",
    "CheckPublic",
    "CorrectionCreate",
    "CorrectionPublic",
    "FindingPage",
    "FindingPublic",
    "FindingReview",
    "Me",
    "OverlayEntryPublic",
    "Page",
    "ParentRef",
    "PlanDetail",
    "PlanMeta",
    "PlanPublic",
    "PlanTextCreate",
    "ReviewStatus",
    "RevisionMeta",
    "RevisionPublic",
    "RevisionTextCreate",
    "RuleCasePublic",
    "RuleCheckReport",
    "RuleDetail",
    "RulePack",
    "RuleProblem",
    "RulePublic",
    "SuggestionAccept",
    "SuggestionDecline",
    "SuggestionPublic",
    "TargetProposal",
    "TargetPublic",
    "TokenCreate",
    "TokenCreated",
    "TokenPublic",
]

PLAN_ID_PATTERN = r"^[A-Za-z0-9._-]+$"

MAX_DB_INT = 2**63 - 1
"""The largest integer SQLite and PostgreSQL (BIGINT) store. Ids and offsets are bounded by it in
the schema, so a larger one is a 422 naming the parameter instead of a driver OverflowError."""


class ReviewStatus(StrEnum):
    """A finding's review state. ``resolved`` is set by a re-check, never by a reviewer."""

    open = "open"
    confirmed = "confirmed"
    dismissed = "dismissed"
    fixed = "fixed"
    resolved = "resolved"


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list; ``total`` counts every match so a client can page on."""

    items: list[T]
    total: int
    limit: int
    offset: int


# -- plans ---------------------------------------------------------------------------------


class PlanMeta(BaseModel):
    """What a submitter states about a plan; the region is stated, never guessed from text.

    As form fields beside the uploaded file, so other form parts (the file) are ignored here.
    """

    region: str = Field(min_length=1, max_length=100, examples=["慈溪市", "330282"])
    period: str = Field(min_length=4, max_length=20, examples=["2023", "2021-2025"])
    level: Level | None = Field(default=None, description="defaults to the region's level")
    title: str = Field(default="", max_length=500)
    issuer: str = Field(default="", max_length=200)
    id: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        pattern=PLAN_ID_PATTERN,
        description="a stable id such as cixi-2023; generated from region and period if absent",
    )


class PlanTextCreate(PlanMeta):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1)
    source_name: str = Field(default="", max_length=300)


class RevisionMeta(BaseModel):
    comment: str | None = Field(default=None, max_length=2000)


class RevisionTextCreate(RevisionMeta):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1)
    source_name: str = Field(default="", max_length=300)


class _TargetFields(_Out):
    """What a stored target says, and where: one schema for extracted and corrected targets."""

    indicator: str
    value: float
    unit: str
    comparator: Comparator
    value_max: float | None
    kind: Kind
    basis: Basis
    period: str
    quote: str
    span_start: int
    span_end: int


class TargetPublic(_TargetFields):
    """A target as a check will see it; ``origin`` says whether a reviewer changed it
    (``rejected``: extracted, but a reviewer said it is not a target; checks leave it out)."""

    origin: Literal["extracted", "corrected", "added", "rejected"]
    target_id: int | None = Field(description="the extracted target's id, if any")
    correction_id: int | None = None
    confidence: float


CorrectionAction = Literal["edit", "add", "reject"]


class CorrectionCreate(BaseModel):
    """A reviewer's fix: name an extracted target (``target_id``) to correct it — or, with
    ``action: reject``, to say it is not a target — or name none to add one the extractor missed.

    Unset fields keep the extracted target's values. An added target needs ``indicator``,
    ``value`` and ``quote``; the quote must occur in the plan's current text (``span_start``
    picks the occurrence when it occurs more than once). ``indicator`` is a catalog id, a
    catalog name (技术改造投资增长) or a new name (``other:…`` or plain words). ``wording`` is
    which words of the quote name the indicator: when the catalog did not know them, the
    correction becomes a catalog suggestion.
    """

    model_config = ConfigDict(extra="forbid")

    action: CorrectionAction | None = Field(
        default=None, description="edit (default with target_id), add (default without), reject"
    )
    target_id: int | None = Field(default=None, ge=1, le=MAX_DB_INT)
    indicator: str | None = Field(default=None, min_length=1, max_length=100)
    value: float | None = None
    unit: str | None = Field(default=None, max_length=20)
    comparator: Comparator | None = None
    value_max: float | None = None
    kind: Kind | None = None
    basis: Basis | None = None
    period: str | None = Field(default=None, max_length=20)
    quote: str | None = Field(default=None, min_length=1, max_length=2000)
    span_start: int | None = Field(default=None, ge=0, le=MAX_DB_INT)
    wording: str | None = Field(default=None, min_length=1, max_length=100)
    comment: str = Field(min_length=1, max_length=2000, description="why (kept in the audit)")


CorrectionState = Literal["applied", "lost", "superseded", "withdrawn"]


class CorrectionPublic(_TargetFields):
    """A stored correction and what became of it in the plan's current revision: ``applied``,
    ``lost`` (its quote no longer occurs), ``superseded`` (a later correction of the same
    target) or ``withdrawn``."""

    id: int
    plan_id: str
    action: CorrectionAction
    replaces_indicator: str | None
    replaces_kind: str | None
    replaces_quote: str | None
    wording: str | None
    revision: int | None
    state: CorrectionState = "applied"
    comment: str | None
    created_at: datetime
    created_by: str
    withdrawn_at: datetime | None
    withdrawn_by: str | None


class PlanPublic(BaseModel):
    id: str
    title: str
    issuer: str
    region_code: str
    region_name: str
    region_path: str
    level: Level
    period: str
    current_revision: int
    sha256: str
    source_name: str
    format: str
    encoding: str | None
    created_at: datetime
    created_by: str


class PlanDetail(PlanPublic):
    """A plan with what was read from it, what reviewers changed, and what looked odd."""

    warnings: list[PlanWarning]
    targets: list[TargetPublic] = Field(description="extracted targets with corrections applied")
    extracted_targets: list[TargetPublic]
    rejected_targets: list[TargetPublic] = Field(
        default_factory=list, description="extracted targets reviewers said are not targets"
    )
    corrections: list[CorrectionPublic]
    catalog_version: str = Field(default="", description="the catalog new extractions use")
    topics: list[TopicMention]
    text: str | None = Field(default=None, description="only with ?include_text=true")


class RevisionPublic(BaseModel):
    number: int
    source_name: str
    format: str
    encoding: str | None
    sha256: str
    comment: str | None
    created_at: datetime
    created_by: str
    warning_count: int
    is_current: bool


# -- checks and findings -------------------------------------------------------------------


class CheckCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    parent_ids: list[str] | None = Field(
        default=None,
        description="plans to check against; by default the stored plans of the regions above "
        "whose period covers this plan's",
    )
    kind: Literal["comprehensive", "topical"] | None = Field(
        default=None,
        description="what the plan is, overriding what its title says: comprehensive or topical",
    )
    scope: list[str] = Field(
        default_factory=list,
        description="a topical plan's domains (ids or names of rules/scopes.yaml, e.g. 投资)",
    )
    allow: list[Literal["region", "period"]] = Field(
        default_factory=list,
        description="parent checks to waive on purpose (a parent of a region not above this plan's, "
        "or a period not covering it); recorded in the audit log of the check",
    )


class ParentRef(BaseModel):
    plan_id: str
    revision: int
    sha256: str
    title: str
    region_name: str
    period: str


class CheckPublic(BaseModel):
    id: int
    plan_id: str
    plan_revision: int
    plan_sha256: str
    parents: list[ParentRef]
    rule_pack_version: str
    catalog_version: str
    corrections_applied: list[int] = Field(
        default_factory=list, description="reviewers' corrections the check read (their ids)"
    )
    previous_check_id: int | None
    is_latest: bool
    created_at: datetime
    created_by: str
    counts_by_status: dict[str, int]
    counts_by_severity: dict[str, int]


class _StoredFinding(_Out):
    """What every stored finding shows — a check's, or a batch job's across counties."""

    id: int
    fingerprint: str
    rule_id: str
    rule_version: int
    severity: Severity
    category: Category
    indicator: str
    message: str
    facts: list[FindingFact]
    status: ReviewStatus
    comment: str | None
    version: int = Field(description="send it back as If-Match or `version` when reviewing")
    reviewed_by: str | None = Field(default=None, description="who made the decision (none if open)")
    reviewed_at: datetime | None = None


class FindingPublic(_StoredFinding):
    check_id: int
    carried_from_id: int | None
    updated_at: datetime
    updated_by: str
    reviewed_facts: list[FindingFact] | None = Field(
        default=None, description="the facts the decision was made on (they may have changed since)"
    )


FindingPage = Page[FindingPublic]


class CheckDetail(CheckPublic):
    findings: Page[FindingPublic]


class FindingReview(BaseModel):
    """A reviewer's decision; ``version`` (or the If-Match header) is the version last seen."""

    model_config = ConfigDict(extra="forbid")

    status: Literal[ReviewStatus.open, ReviewStatus.confirmed, ReviewStatus.dismissed, ReviewStatus.fixed]
    comment: str | None = Field(default=None, max_length=4000)
    version: int | None = Field(default=None, ge=1, le=MAX_DB_INT)


class AuditEntryPublic(_Out):
    id: int
    at: datetime
    actor: str
    action: str
    subject: str
    subject_id: str
    plan_id: str | None
    check_id: int | None
    finding_id: int | None
    fingerprint: str | None
    from_status: str | None
    to_status: str | None
    finding_version: int | None
    comment: str | None


# -- the catalog overlay -----------------------------------------------------------------


class TargetProposal(BaseModel):
    """What a selected stretch of text proposes for a missed target; the reviewer corrects it."""

    quote: str
    span_start: int | None
    indicator: str | None = Field(description="a catalog id, or None when nothing fits")
    indicator_name: str = ""
    value: float | None = None
    value_max: float | None = None
    unit: str = ""
    comparator: Comparator = Comparator.eq
    kind: Kind = Kind.baseline
    basis: Basis = Basis.annual
    wording: str = Field(default="", description="the words of the quote that name the indicator")


SuggestionKind = Literal["synonym", "indicator"]


class SuggestionPublic(_Out):
    """A wording reviewers named an indicator for, which the catalog did not know."""

    id: int
    kind: SuggestionKind
    wording: str
    indicator: str = Field(description="the catalog id (synonym) or the new indicator's name")
    indicator_name: str = ""
    unit: str
    status: Literal["open", "accepted", "declined"]
    count: int = Field(description="how many corrections proposed it")
    quotes: list[dict[str, object]]
    created_at: datetime
    updated_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    decision_comment: str | None
    overlay_version: int | None


class SuggestionAccept(BaseModel):
    """An admin's acceptance. A synonym needs nothing more; a new indicator needs an ``id``
    (lower-case letters, digits, _), and may set its name, unit, form and direction."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, min_length=1, max_length=100, pattern=r"^[a-z0-9_]+$")
    name: str | None = Field(default=None, min_length=1, max_length=100)
    unit: str | None = Field(default=None, min_length=1, max_length=20)
    form: Literal["growth", "share", "level", "count", "reduction"] | None = None
    direction: Literal["higher", "lower", "ceiling"] | None = None
    comment: str | None = Field(default=None, max_length=2000)


class SuggestionDecline(BaseModel):
    model_config = ConfigDict(extra="forbid")

    comment: str = Field(min_length=1, max_length=2000, description="why not (kept in the audit)")


class OverlayEntryPublic(_Out):
    id: int
    version: int
    kind: SuggestionKind
    indicator: str
    wording: str
    body: dict[str, object] | None
    suggestion_id: int | None
    created_at: datetime
    created_by: str
    comment: str | None


class CatalogOverlayPublic(BaseModel):
    """The catalog this service extracts with: the installed file's version plus the overlay."""

    base_version: str
    overlay_version: int
    catalog_version: str
    entries: list[OverlayEntryPublic]


# -- tokens --------------------------------------------------------------------------------


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, examples=["张三"])
    role: Role


class TokenPublic(_Out):
    id: int
    name: str
    role: Role
    created_at: datetime
    created_by: str
    revoked_at: datetime | None


class TokenCreated(TokenPublic):
    token: str = Field(description="shown once; only its hash is stored")


class Me(BaseModel):
    token_id: int
    name: str
    role: Role


# -- rules ---------------------------------------------------------------------------------


class RuleCasePublic(BaseModel):
    name: str
    severity: Severity
    description: str


class RulePublic(BaseModel):
    """A rule of the installed pack: what it checks, its version, and the specs that pin it."""

    id: str
    version: int
    title: str
    severity: Severity
    category: Category
    reference: str
    description: str
    file: str
    specs: list[str] = Field(description="feature files under specs/ that specify the rule")
    scenarios: list[str] = Field(description="scenarios that mention the rule: `file: name`")
    cases: list[RuleCasePublic]


class RuleDetail(RulePublic):
    source: str = Field(description="the rule file as installed (YAML)")
    spec_texts: dict[str, str] = Field(description="feature file → its text")


class RulePack(BaseModel):
    version: str = Field(description="what checks record: pack version + hash of the pack files")
    pack_version: int
    catalog_version: str
    rules: list[RulePublic]


class RuleProblem(BaseModel):
    file: str | None = None
    line: int | None = Field(default=None, description="1-based line in the file, where known")
    rule_id: str | None = None
    field: str | None = None
    message_zh: str
    message_en: str


class RuleCheckReport(BaseModel):
    """The verdict on an uploaded rule file; nothing is installed either way."""

    valid: bool
    file: str
    rule_id: str | None = None
    version: int | None = None
    replaces_installed: bool = Field(description="a rule with this file name is installed")
    errors: list[RuleProblem]
    warnings: list[RuleProblem]


class RuleImpactChange(BaseModel):
    """A finding a draft rule would add to, or remove from, a stored plan's check."""

    kind: Literal["added", "removed", "changed"]
    plan: str = Field(description="the county plan and its parents, as the check names them")
    finding: Finding = Field(description="as the draft reports it (as the installed pack did, if removed)")
    before: str | None = Field(default=None, description="for changed: the installed pack's message")


class RuleImpactReport(BaseModel):
    """What publishing a draft rule would change on the stored plans; nothing is installed."""

    check: RuleCheckReport
    baseline_version: str | None = None
    draft_version: str | None = None
    plans: int = Field(default=0, description="stored plans checked with both packs")
    changes: list[RuleImpactChange] = Field(default_factory=list)
    not_checked: list[str] = Field(
        default_factory=list, description="plans that could not be checked, and why"
    )


# -- batches -------------------------------------------------------------------------------


class BatchStage(StrEnum):
    """Where a batch job is: its documents being read (each becomes a plan), its plans being
    checked against their parents, the plans compared across counties, or done."""

    reading = "reading"
    checking = "checking"
    across = "across"
    done = "done"
    failed = "failed"
    cancelled = "cancelled"


class BatchItemStage(StrEnum):
    queued = "queued"
    read = "read"
    checked = "checked"
    parent = "parent"
    failed = "failed"
    cancelled = "cancelled"


class BatchItemPublic(_Out):
    id: int
    position: int
    file_name: str
    stage: BatchItemStage
    role: str = Field(description="county (checked), parent (a parent of others) or empty")
    meta: dict[str, Any] = Field(description="the metadata the document was read with")
    meta_source: str = Field(description="mapping (the table), meta (its .meta.yaml) or heading")
    plan_id: str | None
    check_id: int | None
    error: str | None
    attempts: int


class BatchSkipped(BaseModel):
    name: str
    reason_zh: str
    reason_en: str


class BatchPublic(BaseModel):
    id: int
    stage: BatchStage
    total: int
    counts: dict[str, int] = Field(description="items by stage: queued, read, checked, parent, failed")
    parent_ids: list[str]
    allow: list[str]
    comment: str | None
    error: str | None
    rule_pack_version: str
    across_findings: int
    created_at: datetime
    created_by: str
    finished_at: datetime | None
    skipped: list[BatchSkipped] = Field(default_factory=list, description="upload members left out, and why")


class BatchFindingPublic(_StoredFinding):
    """A finding across the counties of a batch job (``batch_finding``)."""

    job_id: int
