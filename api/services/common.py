"""Helpers every service needs: audit entries, paging, plan lookup and the per-plan write lock."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import Select, SelectOfScalar

from api.auth import Principal
from api.db import AuditEntry, PlanRow
from api.errors import not_found

__all__ = ["count_and_page", "get_plan", "lock_plan", "record"]


def record(
    session: Session,
    principal: Principal,
    action: str,
    subject: str,
    subject_id: object,
    **fields: Any,
) -> AuditEntry:
    """Append an audit entry (flushed with the rest of the request's transaction)."""
    entry = AuditEntry(
        actor=principal.name,
        actor_token_id=principal.token_id,
        action=action,
        subject=subject,
        subject_id=str(subject_id),
        **fields,
    )
    session.add(entry)
    return entry


def count_and_page(
    session: Session,
    query: SelectOfScalar[Any] | Select[Any, Any] | Select[Any],
    *,
    limit: int,
    offset: int,
    order_by: Any,
) -> tuple[list[Any], int]:
    """One page of ``query`` plus the number of all its rows (callers know the row type).

    One round trip: the total rides on every row of the page as ``count(*) OVER ()``, computed
    before LIMIT and OFFSET. Only a page past the end (no rows to carry it) asks for the count
    on its own.
    """
    order = order_by if isinstance(order_by, list) else [order_by]
    entities = len(query.column_descriptions)
    paged = (
        query.add_columns(func.count().over().label("_total")).order_by(*order).limit(limit).offset(offset)
    )
    found = session.execute(paged).all()
    if found:
        total = int(found[0][-1])
    elif offset > 0:
        total = int(session.exec(select(func.count()).select_from(query.subquery())).one())
    else:
        total = 0
    rows = [row[0] if entities == 1 else tuple(row[:-1]) for row in found]
    return rows, total


def get_plan(session: Session, plan_id: str, *, field: str = "plan_id") -> PlanRow:
    """A plan that exists and is not deleted, or 404."""
    plan = session.get(PlanRow, plan_id)
    if plan is None or plan.deleted_at is not None:
        raise not_found("规划", "plan", plan_id, field=field)
    return plan


def lock_plan(session: Session, plan_id: str) -> None:
    """Serialise writers of one plan's checks and reviews until this transaction ends.

    A no-op UPDATE takes PostgreSQL's row lock on the plan and SQLite's database write lock, so
    a re-check never reads review decisions that a concurrent review is about to change.
    """
    session.execute(
        sa.update(PlanRow)
        .where(col(PlanRow.id) == plan_id)
        .values(current_revision=col(PlanRow.current_revision))
    )
