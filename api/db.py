"""The stored rows: SQLModel tables, separate from the library's frozen domain model.

The domain model (``rulesengine.model``) knows nothing of databases; these tables are how the
service remembers plans, their revisions, extracted targets, reviewers' corrections, checks,
findings and the audit trail. Conversion between the two lives in ``api.services``.

Why the shape is what it is:

* a plan keeps every revision's text, so a past check can be explained against the exact words
  it read (``plan_check.plan_revision`` + ``plan_sha256``);
* extracted targets belong to a revision and are replaced when a new revision is read;
  corrections belong to the plan and survive re-extraction;
* a finding row belongs to one check; decisions move to the next check by fingerprint, and
  ``version`` guards each row against two reviewers writing at once (optimistic locking);
* ``audit_entry`` only ever grows: no route updates or deletes it, and the migration installs
  triggers that make the database refuse to.

Every column that holds an enum-like value is a plain string checked by the API schemas, so a
new status does not need an ALTER TYPE on PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlmodel import JSON, Field, SQLModel, Text

__all__ = [
    "ApiToken",
    "AuditEntry",
    "BatchFinding",
    "BatchItem",
    "BatchJob",
    "CatalogOverlayEntry",
    "CatalogSuggestion",
    "CheckRun",
    "FindingRow",
    "PlanRevision",
    "PlanRow",
    "TargetCorrection",
    "TargetRow",
    "UtcDateTime",
    "WriteBucket",
    "utcnow",
]


# Named constraints: Alembic's batch mode on SQLite can only drop or alter what has a name.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(sa.TypeDecorator[datetime]):
    """A timestamp that comes back timezone-aware (UTC) from SQLite as well as PostgreSQL.

    SQLite stores no zone, so without this the same row would read as naive there and aware on
    PostgreSQL, and comparisons or JSON output would differ between the two.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store UTC-aware timestamps only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _ts(**kwargs: Any) -> Any:
    return Field(default_factory=utcnow, sa_type=UtcDateTime, **kwargs)


class ApiToken(SQLModel, table=True):
    """A bearer token: only its SHA-256 is kept, so a leaked database leaks no usable token."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    role: str = Field(max_length=20)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = _ts()
    created_by: str = Field(default="", max_length=200)
    revoked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class PlanRow(SQLModel, table=True):
    """A plan's identity and metadata; the text lives in its revisions."""

    __tablename__ = "plan"

    id: str = Field(primary_key=True, max_length=100)
    title: str = Field(default="", max_length=500)
    issuer: str = Field(default="", max_length=200)
    region_code: str = Field(max_length=6, index=True)
    region_name: str = Field(max_length=100)
    level: str = Field(max_length=20, index=True)
    period: str = Field(max_length=20, index=True)
    period_start: int
    period_end: int
    current_revision: int = 1
    created_at: datetime = _ts()
    created_by: str = Field(default="", max_length=200)
    deleted_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    deleted_by: str | None = Field(default=None, max_length=200)


class PlanRevision(SQLModel, table=True):
    """One uploaded text of a plan, kept so that old checks stay explainable."""

    __tablename__ = "plan_revision"
    __table_args__ = (sa.UniqueConstraint("plan_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: str = Field(foreign_key="plan.id", index=True, max_length=100)
    number: int
    source_name: str = Field(default="", max_length=300)
    format: str = Field(default="txt", max_length=10)
    encoding: str | None = Field(default=None, max_length=40)
    sha256: str = Field(max_length=64)
    text: str = Field(sa_type=Text)
    warnings: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    topics: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    comment: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = _ts()
    created_by: str = Field(default="", max_length=200)


class _TargetColumns(SQLModel):
    """The fields of ``rulesengine.model.Target``, flattened into columns."""

    indicator: str = Field(max_length=100, index=True)
    value: float
    unit: str = Field(default="", max_length=20)
    comparator: str = Field(default="eq", max_length=10)
    value_max: float | None = None
    kind: str = Field(default="baseline", max_length=10)
    basis: str = Field(default="annual", max_length=12)
    period: str = Field(max_length=20)
    quote: str = Field(sa_type=Text)
    span_start: int
    span_end: int
    confidence: float = 1.0


class TargetRow(_TargetColumns, table=True):
    """A target the extractor found in one revision of a plan."""

    __tablename__ = "target"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: str = Field(foreign_key="plan.id", index=True, max_length=100)
    revision: int
    position: int


class TargetCorrection(_TargetColumns, table=True):
    """A reviewer's corrected, added or rejected target, kept apart from extraction so it
    survives it.

    ``action`` is ``edit`` (the target's fields as corrected), ``add`` (a target the extractor
    missed) or ``reject`` (what was extracted is not a target — a past statistic, a number in a
    name; the columns keep the rejected target for the record). ``replaces_indicator``,
    ``replaces_kind`` and ``replaces_quote`` name the extracted target an edit or a rejection
    stands for: by what it says and where it is quoted from, which stay stable when the text is
    revised, unlike row ids. A correction applies to a revision in which its quote occurs and
    is *lost* for one in which it does not. ``wording`` is the reviewer's reading of which words
    in the quote name the indicator: what the catalog may learn. Withdrawn corrections stay for
    the record.
    """

    __tablename__ = "target_correction"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: str = Field(foreign_key="plan.id", index=True, max_length=100)
    action: str = Field(default="edit", max_length=10)
    replaces_indicator: str | None = Field(default=None, max_length=100)
    replaces_kind: str | None = Field(default=None, max_length=10)
    replaces_quote: str | None = Field(default=None, sa_type=Text)
    wording: str | None = Field(default=None, max_length=100)
    revision: int | None = None
    comment: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = _ts()
    created_by: str = Field(default="", max_length=200)
    withdrawn_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    withdrawn_by: str | None = Field(default=None, max_length=200)


class CheckRun(SQLModel, table=True):
    """One run of the rules over a plan revision and its parents, with the versions it used."""

    __tablename__ = "plan_check"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: str = Field(foreign_key="plan.id", index=True, max_length=100)
    plan_revision: int
    plan_sha256: str = Field(max_length=64)
    parents: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    corrections_applied: list[int] = Field(default_factory=list, sa_type=JSON)
    rule_pack_version: str = Field(max_length=100)
    catalog_version: str = Field(max_length=100)
    previous_check_id: int | None = Field(default=None, foreign_key="plan_check.id")
    created_at: datetime = _ts()
    created_by: str = Field(default="", max_length=200)


class FindingRow(SQLModel, table=True):
    """A finding of one check plus its review state; ``version`` is the optimistic lock."""

    __tablename__ = "finding"
    __table_args__ = (sa.UniqueConstraint("check_id", "fingerprint"),)

    id: int | None = Field(default=None, primary_key=True)
    check_id: int = Field(foreign_key="plan_check.id", index=True)
    fingerprint: str = Field(max_length=200, index=True)
    rule_id: str = Field(max_length=100, index=True)
    rule_version: int
    severity: str = Field(max_length=10, index=True)
    category: str = Field(max_length=20, index=True)
    indicator: str = Field(max_length=100, index=True)
    message: str = Field(sa_type=Text)
    facts: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    status: str = Field(default="open", max_length=12, index=True)
    comment: str | None = Field(default=None, sa_type=Text)
    version: int = 1
    carried_from_id: int | None = Field(default=None, foreign_key="finding.id")
    updated_at: datetime = _ts()
    updated_by: str = Field(default="", max_length=200)
    # Who made the decision this row carries, when, and on which facts: a re-check that carries a
    # dismissal over is not its reviewer, and a county value that moved since is worth a word.
    reviewed_by: str | None = Field(default=None, max_length=200)
    reviewed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    reviewed_facts: list[dict[str, Any]] | None = Field(default=None, sa_type=JSON)


class AuditEntry(SQLModel, table=True):
    """Who did what, when, from which state to which, and why. Append-only."""

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _ts(index=True)
    actor: str = Field(max_length=200)
    actor_token_id: int | None = None
    action: str = Field(max_length=40, index=True)
    subject: str = Field(max_length=20)
    subject_id: str = Field(max_length=100)
    plan_id: str | None = Field(default=None, max_length=100, index=True)
    check_id: int | None = Field(default=None, index=True)
    finding_id: int | None = Field(default=None, index=True)
    fingerprint: str | None = Field(default=None, max_length=200)
    from_status: str | None = Field(default=None, max_length=12)
    to_status: str | None = Field(default=None, max_length=12)
    finding_version: int | None = None
    comment: str | None = Field(default=None, sa_type=Text)


class CatalogSuggestion(SQLModel, table=True):
    """What reviewers' corrections propose the catalog learn, counted across corrections.

    ``kind`` is ``synonym`` (``wording`` names the catalog indicator ``indicator``) or
    ``indicator`` (a new indicator called ``indicator``, an ``other:`` name, that plans word as
    ``wording``). One row per (kind, wording, indicator): a second reviewer proposing the same
    thing raises ``count`` and adds a quote, so the admin sees how often it was needed.
    """

    __tablename__ = "catalog_suggestion"
    __table_args__ = (sa.UniqueConstraint("kind", "wording", "indicator"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=12)
    wording: str = Field(max_length=100)
    indicator: str = Field(max_length=100)
    unit: str = Field(default="", max_length=20)
    status: str = Field(default="open", max_length=10, index=True)
    count: int = 1
    quotes: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    created_at: datetime = _ts()
    updated_at: datetime = _ts()
    decided_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    decided_by: str | None = Field(default=None, max_length=200)
    decision_comment: str | None = Field(default=None, sa_type=Text)
    overlay_version: int | None = None


class CatalogOverlayEntry(SQLModel, table=True):
    """One accepted change to the catalog, layered over rules/indicators.yaml by the service.

    Each entry is one version of the overlay (``version`` 1, 2, …), so a check can record the
    catalog it extracted with (``indicators.yaml`` version + overlay version) and nothing is ever
    edited in place: the overlay only grows, like the audit trail.
    """

    __tablename__ = "catalog_overlay"

    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(unique=True)
    kind: str = Field(max_length=12)
    indicator: str = Field(max_length=100)
    wording: str = Field(default="", max_length=100)
    body: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    suggestion_id: int | None = Field(default=None, foreign_key="catalog_suggestion.id")
    created_at: datetime = _ts()
    created_by: str = Field(default="", max_length=200)
    comment: str | None = Field(default=None, sa_type=Text)


class BatchJob(SQLModel, table=True):
    """Many plans uploaded at once and checked in the background: a province's counties.

    The job is the unit a person watches: its items are read (each becomes a stored plan), then
    checked against the job's parent plans (each a normal check reviewers review), then the
    plans are compared across counties (``batch_finding``). ``stage`` says where it is; the
    counts are recomputed from the items, never incremented, so a restart cannot skew them.
    """

    __tablename__ = "batch_job"

    id: int | None = Field(default=None, primary_key=True)
    stage: str = Field(default="reading", max_length=12, index=True)
    total: int = 0
    parent_ids: list[str] = Field(default_factory=list, sa_type=JSON)
    allow: list[str] = Field(default_factory=list, sa_type=JSON)
    comment: str | None = Field(default=None, sa_type=Text)
    error: str | None = Field(default=None, sa_type=Text)
    rule_pack_version: str = Field(default="", max_length=100)
    skipped: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)  # members left out, and why
    created_at: datetime = _ts()
    created_by: str = Field(default="", max_length=200)
    created_by_token_id: int | None = None
    finished_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class BatchItem(SQLModel, table=True):
    """One uploaded document of a job, and what became of it.

    ``content`` holds the uploaded bytes until the document is read and stored as a plan (its
    revision then holds the text), so a job survives a restart without the upload being sent
    again. ``meta`` is the plan's metadata and ``meta_source`` where it came from (the
    ``.meta.yaml`` beside it, the mapping table, or the document's heading). A worker claims an
    item by setting ``claimed_by``/``claimed_at``; a claim older than the lease is abandoned
    (its process died) and the item is taken again.
    """

    __tablename__ = "batch_item"
    __table_args__ = (sa.UniqueConstraint("job_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    job_id: int = Field(foreign_key="batch_job.id", index=True)
    position: int
    file_name: str = Field(max_length=300)
    content: bytes | None = Field(default=None, sa_type=sa.LargeBinary)
    meta: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    meta_source: str = Field(default="", max_length=12)
    stage: str = Field(default="queued", max_length=12, index=True)
    role: str = Field(default="", max_length=10)
    parents: list[str] = Field(default_factory=list, sa_type=JSON)
    plan_id: str | None = Field(default=None, foreign_key="plan.id", max_length=100)
    check_id: int | None = Field(default=None, foreign_key="plan_check.id")
    error: str | None = Field(default=None, sa_type=Text)
    attempts: int = 0
    claimed_by: str | None = Field(default=None, max_length=100)
    claimed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    updated_at: datetime = _ts()


class BatchFinding(SQLModel, table=True):
    """A finding across the plans of a job (decomposition, layered 加码, peers), with review.

    These rest on many plans at once, so they belong to the job, not to one plan's check; like a
    check's findings they carry their quotes (``facts``), a fingerprint and a review state
    guarded by ``version``.
    """

    __tablename__ = "batch_finding"
    __table_args__ = (sa.UniqueConstraint("job_id", "fingerprint"),)

    id: int | None = Field(default=None, primary_key=True)
    job_id: int = Field(foreign_key="batch_job.id", index=True)
    fingerprint: str = Field(max_length=200)
    rule_id: str = Field(max_length=100)
    rule_version: int
    severity: str = Field(max_length=10)
    category: str = Field(max_length=20)
    indicator: str = Field(max_length=100)
    message: str = Field(sa_type=Text)
    facts: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    status: str = Field(default="open", max_length=12)
    comment: str | None = Field(default=None, sa_type=Text)
    version: int = 1
    reviewed_by: str | None = Field(default=None, max_length=200)
    reviewed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class WriteBucket(SQLModel, table=True):
    """One API credential's write budget, shared by every API process on this database.

    A token bucket (``api.ratelimit``): ``tokens`` left at ``at``, refilled by the database's
    clock, so N processes behind a load balancer give a token one budget, not N. Keyed by the
    SHA-256 of the presented credential, like the in-memory limiter; a full bucket is the same
    as no row, so idle rows may be deleted at any time.
    """

    __tablename__ = "write_bucket"

    key: str = Field(primary_key=True, max_length=64)
    tokens: float
    at: datetime = Field(sa_type=UtcDateTime)
