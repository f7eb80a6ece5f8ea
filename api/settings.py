"""Service settings, read from the environment once at start-up.

Everything an operator changes between a laptop and a shared server lives here, so the rest of
the service takes a ``Settings`` value instead of reading ``os.environ`` itself (tests build
one directly; nothing global leaks between them).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import tzinfo
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from rulesengine.labels import time_zone

__all__ = ["DEFAULT_MAX_BATCH_BYTES", "DEFAULT_MAX_UPLOAD_BYTES", "Settings"]

DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_BATCH_BYTES = 256 * 1024 * 1024


class Settings(BaseModel):
    """How to reach the database and how much a client may send."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    database_url: str = Field(
        description="SQLAlchemy URL; SQLite file by default, postgresql+psycopg://… for a server"
    )
    max_upload_bytes: int = Field(default=DEFAULT_MAX_UPLOAD_BYTES, gt=0)
    max_batch_bytes: int = Field(
        default=DEFAULT_MAX_BATCH_BYTES,
        gt=0,
        description="a batch upload's size altogether (each document still within max_upload_bytes)",
    )
    job_runner: bool = Field(default=True, description="run batch jobs in this process's background thread")
    job_lease_seconds: float = Field(
        default=60.0,
        gt=0,
        description="a batch item claimed by a runner that stopped renewing it is taken again after this",
    )
    check_concurrency: int = Field(
        default=1,
        ge=1,
        description="checks run at once; the engine holds the GIL, so more rarely helps",
    )
    engine_workers: int = Field(
        default=0,
        ge=0,
        description="worker processes for the rules engine; 0 runs it in this process",
    )
    sql_echo: bool = False
    write_rate_per_minute: float = Field(
        default=120,
        ge=0,
        description="writes (POST/PUT/PATCH/DELETE) per token per minute; 0 turns the limit off",
    )
    write_burst: int = Field(default=60, ge=1, description="writes a token may make at once")
    rule_pack: Path | None = Field(
        default=None,
        description=(
            "the rule pack directory (default: pack/ of the rules data, PLANALIGN_RULES or the"
            " installed one); loaded and checked at start"
        ),
    )

    timezone: str = Field(
        default="Asia/Shanghai",
        description="the zone the pages and exports show times in (labelled); the API keeps UTC",
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        time_zone(value)  # raises, naming it, for a zone the machine does not know
        return value

    @property
    def zone(self) -> tzinfo:
        return time_zone(self.timezone)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Settings from the environment: ``DATABASE_URL``, ``PLANALIGN_DATA_DIR``,
        ``PLANALIGN_MAX_UPLOAD_BYTES``, ``PLANALIGN_MAX_BATCH_BYTES``, ``PLANALIGN_JOB_RUNNER``,
        ``PLANALIGN_JOB_LEASE_SECONDS``,
        ``PLANALIGN_CHECK_CONCURRENCY``,
        ``PLANALIGN_ENGINE_WORKERS``, ``PLANALIGN_SQL_ECHO``, ``PLANALIGN_WRITE_RATE_PER_MINUTE``,
        ``PLANALIGN_WRITE_BURST``, ``PLANALIGN_RULE_PACK``, ``PLANALIGN_TIMEZONE``.

        Without ``DATABASE_URL`` the service keeps an SQLite file, ``planalign.db``, in
        ``PLANALIGN_DATA_DIR`` or else the working directory, so a first run needs nothing
        installed.
        """
        env = os.environ if env is None else env
        url = env.get("DATABASE_URL") or sqlite_url(
            Path(env.get("PLANALIGN_DATA_DIR") or ".") / "planalign.db"
        )
        values: dict[str, object] = {"database_url": url}
        if env.get("PLANALIGN_MAX_UPLOAD_BYTES"):
            values["max_upload_bytes"] = int(env["PLANALIGN_MAX_UPLOAD_BYTES"])
        if env.get("PLANALIGN_MAX_BATCH_BYTES"):
            values["max_batch_bytes"] = int(env["PLANALIGN_MAX_BATCH_BYTES"])
        if env.get("PLANALIGN_JOB_RUNNER"):
            values["job_runner"] = env["PLANALIGN_JOB_RUNNER"].lower() not in {"0", "false", "no"}
        if env.get("PLANALIGN_JOB_LEASE_SECONDS"):
            values["job_lease_seconds"] = float(env["PLANALIGN_JOB_LEASE_SECONDS"])
        if env.get("PLANALIGN_CHECK_CONCURRENCY"):
            values["check_concurrency"] = int(env["PLANALIGN_CHECK_CONCURRENCY"])
        if env.get("PLANALIGN_ENGINE_WORKERS"):
            values["engine_workers"] = int(env["PLANALIGN_ENGINE_WORKERS"])
        if env.get("PLANALIGN_SQL_ECHO"):
            values["sql_echo"] = env["PLANALIGN_SQL_ECHO"].lower() in {"1", "true", "yes"}
        if env.get("PLANALIGN_WRITE_RATE_PER_MINUTE"):
            values["write_rate_per_minute"] = float(env["PLANALIGN_WRITE_RATE_PER_MINUTE"])
        if env.get("PLANALIGN_WRITE_BURST"):
            values["write_burst"] = int(env["PLANALIGN_WRITE_BURST"])
        if env.get("PLANALIGN_TIMEZONE"):
            values["timezone"] = env["PLANALIGN_TIMEZONE"]
        if env.get("PLANALIGN_RULE_PACK"):
            values["rule_pack"] = Path(env["PLANALIGN_RULE_PACK"])
        return cls.model_validate(values)

    def to_env(self) -> dict[str, str]:
        """These settings as the environment ``from_env`` reads back to an equal value.

        ``planalign serve --workers N`` hands its settings to the API processes uvicorn starts
        this way: each process builds its app from the environment, as any deployment would.
        """
        env = {
            "DATABASE_URL": self.database_url,
            "PLANALIGN_MAX_UPLOAD_BYTES": str(self.max_upload_bytes),
            "PLANALIGN_MAX_BATCH_BYTES": str(self.max_batch_bytes),
            "PLANALIGN_JOB_RUNNER": "1" if self.job_runner else "0",
            "PLANALIGN_JOB_LEASE_SECONDS": repr(self.job_lease_seconds),
            "PLANALIGN_CHECK_CONCURRENCY": str(self.check_concurrency),
            "PLANALIGN_ENGINE_WORKERS": str(self.engine_workers),
            "PLANALIGN_SQL_ECHO": "1" if self.sql_echo else "0",
            "PLANALIGN_WRITE_RATE_PER_MINUTE": repr(self.write_rate_per_minute),
            "PLANALIGN_WRITE_BURST": str(self.write_burst),
            "PLANALIGN_TIMEZONE": self.timezone,
        }
        if self.rule_pack is not None:
            env["PLANALIGN_RULE_PACK"] = str(self.rule_pack)
        return env

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of an SQLite file, absolute so a later ``cd`` cannot move it."""
    return f"sqlite:///{path.expanduser().resolve()}"
