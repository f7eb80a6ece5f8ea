"""Fixtures for the hardening tests: the service fixtures of tests/api, plus apps with settings.

Importing the fixtures registers them for this directory too. ``pg_cluster`` imported here is
a *second* session cluster (fixtures are keyed by the conftest that defines them), which is
what the fault tests want: they stop and start it without touching tests/api's cluster.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.auth import Role, issue_token
from api.engine import Checker
from api.main import create_app
from api.settings import Settings, sqlite_url
from tests.api.conftest import (  # noqa: F401  (fixtures are used by name)
    NAMES,
    Api,
    MakeApi,
    api,
    make_api,
    pg_cluster,
    pg_url,
    scripted,
)

__all__ = ["Api", "BuildApi", "MakeApi"]

BuildApi = Callable[..., Api]


@pytest.fixture
def build_api(tmp_path: Path) -> Iterator[BuildApi]:
    """Like ``make_api``, but any ``Settings`` field can be given (rate limits, rule pack …).

    ``build_api(checker=…, raise_server_exceptions=False, write_burst=3)``; the database is a
    fresh SQLite file unless ``database_url`` is given. One token per role, as in tests/api.
    """
    clients: list[TestClient] = []

    def build(*, checker: Checker | None = None, raise_server_exceptions: bool = True, **fields: Any) -> Api:
        fields.setdefault("database_url", sqlite_url(tmp_path / f"hardening-{len(clients)}.db"))
        settings = Settings(**fields)
        app = create_app(settings, checker=checker)
        client = TestClient(app, raise_server_exceptions=raise_server_exceptions)
        client.__enter__()
        clients.append(client)
        tokens: dict[Role, str] = {}
        with Session(app.state.engine) as session:
            for role, name in NAMES.items():
                _, tokens[role] = issue_token(session, name=name, role=role, created_by="test")
            session.commit()
        return Api(app=app, client=client, settings=settings, tokens=tokens)

    yield build
    for client in clients:
        client.__exit__(None, None, None)
