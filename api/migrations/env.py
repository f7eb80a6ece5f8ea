"""Alembic environment: runs migrations on the engine the service hands over.

``api.storage.migrate`` passes its engine in ``config.attributes``; the ``alembic`` command
line (``alembic -c api/alembic.ini …``) falls back to ``DATABASE_URL`` or the default SQLite
file, like the service. ``render_as_batch`` lets ALTERs work on SQLite by copying the table.
"""

from __future__ import annotations

from logging.config import fileConfig
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from api.db import UtcDateTime  # importing api.db registers the tables on SQLModel.metadata
from api.settings import Settings
from api.storage import make_engine

config = context.config
target_metadata = SQLModel.metadata
_LOCK_KEY = 0x706C616E  # "plan": the advisory lock serialising migrations on PostgreSQL
if config.config_file_name:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Write the plain SQL type into migrations, so they never import the app's code."""
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _engine() -> Engine:
    engine = config.attributes.get("engine")
    if isinstance(engine, Engine):
        return engine
    url = config.get_main_option("sqlalchemy.url")
    settings = Settings.from_env()
    if url:
        settings = settings.model_copy(update={"database_url": url})
    return make_engine(settings)


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url") or Settings.from_env().database_url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = _engine()
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            render_item=_render_item,
        )
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                # Several server processes may start at once; one migrates, the rest wait.
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
