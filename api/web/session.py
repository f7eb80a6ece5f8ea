"""Browser sign-in: a signed session cookie that stands for an API token, and CSRF tokens.

Reviewers sign in once with the token an admin gave them; the browser then carries a cookie
instead of an ``Authorization`` header. The cookie does not contain the token: it holds the
token's id, an expiry and a nonce, signed with HMAC-SHA256 under a server secret *and* the
token's stored hash. So

* a stolen database is not enough to forge a cookie (the server secret is not in it), and a
  stolen cookie is not a token (it dies with the session and cannot call the JSON API);
* revoking the token ends every browser session made with it: each request re-reads the
  token row, exactly as ``api.auth.authenticate`` does for the API;
* nothing new is stored: no session table, no migration.

The secret comes from ``PLANALIGN_SESSION_SECRET`` when an operator sets it (so sessions
survive a restart), otherwise it is random per process and a restart signs everyone out. Several
API processes must share it: set it on every machine behind a load balancer; ``planalign serve
--workers N`` without it makes one random key for its N processes.

Every form that writes carries a CSRF token derived from the cookie (HMAC of it under the same
secret), checked before any service is called; with ``SameSite=Lax`` cookies this is a second
lock on the same door.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass

from sqlmodel import Session

from api.auth import Principal, Role
from api.db import ApiToken

__all__ = [
    "COOKIE_NAME",
    "SESSION_SECONDS",
    "SessionSigner",
    "secret_from_env",
]

COOKIE_NAME = "planalign_session"
SESSION_SECONDS = 12 * 3600
"""A working day and then some: long enough not to interrupt a review, short enough to expire."""


def secret_from_env() -> bytes:
    """``PLANALIGN_SESSION_SECRET`` if set (sessions survive restarts), else 32 random bytes."""
    configured = os.environ.get("PLANALIGN_SESSION_SECRET", "")
    return configured.encode("utf-8") if configured else secrets.token_bytes(32)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class SessionSigner:
    """Makes and checks session cookies and CSRF tokens with one server secret."""

    secret: bytes
    max_age: int = SESSION_SECONDS

    def _mac(self, payload: str, token_hash: str) -> str:
        message = f"{payload}|{token_hash}".encode()
        return _b64(hmac.new(self.secret, message, hashlib.sha256).digest())

    def issue(self, token: ApiToken, *, now: float | None = None) -> str:
        """A cookie value for a signed-in token row (its id and hash must be set)."""
        assert token.id is not None
        expires = int((now if now is not None else time.time()) + self.max_age)
        payload = _b64(
            json.dumps(
                {"t": token.id, "e": expires, "n": secrets.token_hex(8)}, separators=(",", ":")
            ).encode()
        )
        return f"{payload}.{self._mac(payload, token.token_hash)}"

    def principal(
        self, session: Session, cookie: str | None, *, now: float | None = None
    ) -> Principal | None:
        """The principal a cookie stands for, or None if it is missing, forged, expired or revoked."""
        if not cookie or cookie.count(".") != 1:
            return None
        payload, mac = cookie.split(".")
        try:
            claims = json.loads(_unb64(payload))
            token_id, expires = int(claims["t"]), int(claims["e"])
        except (ValueError, KeyError, TypeError):
            return None
        if expires < (now if now is not None else time.time()):
            return None
        row = session.get(ApiToken, token_id)
        if row is None or row.id is None or row.revoked_at is not None:
            return None
        if not hmac.compare_digest(mac, self._mac(payload, row.token_hash)):
            return None
        return Principal(token_id=row.id, name=row.name, role=Role(row.role))

    def csrf(self, cookie: str) -> str:
        """The CSRF token every writing form of this session must send back."""
        return _b64(hmac.new(self.secret, f"csrf|{cookie}".encode(), hashlib.sha256).digest())

    def csrf_ok(self, cookie: str | None, sent: str | None) -> bool:
        return bool(cookie and sent) and hmac.compare_digest(self.csrf(cookie or ""), sent or "")
