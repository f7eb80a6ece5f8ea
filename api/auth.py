"""API tokens and roles: who may read, submit, review and administer.

A token is shown once, when created; only its SHA-256 is stored, so the database never holds
a usable credential. Tokens are 256-bit random strings, which is why a plain (unsalted) hash
is enough: there is nothing to brute-force. Lookup is by the hash's index; the final equality
check uses ``hmac.compare_digest`` so timing reveals nothing about stored hashes.

Roles are ranked: ``submitter`` < ``reviewer`` < ``admin``. Any valid token may read;
submitting plans and running checks needs ``submitter``, correcting targets and reviewing
findings ``reviewer``, managing tokens and deleting plans ``admin``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Session, col

from api.db import ApiToken
from rulesengine.labels import USER_ROLE_ZH

__all__ = [
    "TOKEN_PREFIX",
    "Principal",
    "Role",
    "authenticate",
    "hash_token",
    "issue_token",
]

TOKEN_PREFIX = "pa_"


class Role(StrEnum):
    submitter = "submitter"
    reviewer = "reviewer"
    admin = "admin"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank


_RANK = {Role.submitter: 1, Role.reviewer: 2, Role.admin: 3}

ROLE_ZH = USER_ROLE_ZH


@dataclass(frozen=True)
class Principal:
    """The caller behind a token; its ``name`` is what reviews and the audit trail record."""

    token_id: int
    name: str
    role: Role


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(session: Session, *, name: str, role: Role, created_by: str) -> tuple[ApiToken, str]:
    """A new token row (added to ``session``, not committed) and the plaintext to show once."""
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(name=name, role=role.value, token_hash=hash_token(plaintext), created_by=created_by)
    session.add(row)
    session.flush()
    return row, plaintext


def authenticate(session: Session, token: str) -> Principal | None:
    """The principal for a presented token, or None if it is unknown or revoked."""
    digest = hash_token(token)
    # the columns, not the ORM row: this runs on every request, and an entity costs more to build
    row = session.execute(_BY_HASH, {"digest": digest}).first()
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(row.token_hash, digest):
        return None
    return Principal(token_id=row.id, name=row.name, role=Role(row.role))


_BY_HASH = sa.select(
    col(ApiToken.id),
    col(ApiToken.name),
    col(ApiToken.role),
    col(ApiToken.token_hash),
    col(ApiToken.revoked_at),
).where(col(ApiToken.token_hash) == sa.bindparam("digest"))
