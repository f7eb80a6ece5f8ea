"""The CLI's service commands, settings from the environment, and the migrations."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
import typer
from alembic import command
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from typer.testing import CliRunner

from api.commands import register
from api.db import ApiToken
from api.main import create_app
from api.settings import DEFAULT_MAX_UPLOAD_BYTES, Settings, sqlite_url
from api.storage import alembic_config, make_engine, migrate
from tests.api.conftest import Api


@pytest.fixture
def cli() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:  # a group, as the real CLI is
        """planalign."""

    register(app)
    return app


def test_token_create_prints_the_token_once_and_stores_its_hash(cli: typer.Typer, tmp_path: Path) -> None:
    db = tmp_path / "svc.db"
    result = CliRunner().invoke(
        cli, ["token", "create", "--role", "reviewer", "--name", "张三", "--db", str(db)]
    )
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[0]
    assert token.startswith("pa_")
    settings = Settings(database_url=sqlite_url(db))
    app = create_app(settings)
    with TestClient(app) as client:
        me = client.get("/me", headers={"Authorization": f"Bearer {token}"}).json()
        assert me == {"token_id": 1, "name": "张三", "role": "reviewer"}
        with Session(app.state.engine) as session:
            (row,) = session.exec(select(ApiToken)).all()
            assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    listed = CliRunner().invoke(cli, ["token", "list", "--db", str(db)])
    assert "张三" in listed.stdout and token not in listed.stdout
    assert CliRunner().invoke(cli, ["token", "revoke", "1", "--db", str(db)]).exit_code == 0
    bad = CliRunner().invoke(cli, ["token", "create", "--role", "boss", "--name", "x", "--db", str(db)])
    assert bad.exit_code != 0


def test_serve_runs_uvicorn_on_the_given_address(
    cli: typer.Typer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: calls.append({"app": app, **kw}))
    result = CliRunner().invoke(cli, ["serve", "--port", "8123", "--db", str(tmp_path / "s.db")])
    assert result.exit_code == 0, result.output
    (call,) = calls
    assert (call["host"], call["port"]) == ("127.0.0.1", 8123)
    assert call["app"].state.settings.database_url == sqlite_url(tmp_path / "s.db")
    assert (tmp_path / "s.db").exists()  # created and migrated on start


def test_settings_from_env(tmp_path: Path) -> None:
    default = Settings.from_env({})
    assert default.database_url == sqlite_url(Path("planalign.db"))
    assert default.max_upload_bytes == DEFAULT_MAX_UPLOAD_BYTES
    data_dir = Settings.from_env({"PLANALIGN_DATA_DIR": str(tmp_path), "PLANALIGN_MAX_UPLOAD_BYTES": "1234"})
    assert (
        data_dir.database_url == sqlite_url(tmp_path / "planalign.db") and data_dir.max_upload_bytes == 1234
    )
    pg = Settings.from_env({"DATABASE_URL": "postgresql+psycopg://u@127.0.0.1:5432/db"})
    assert pg.database_url.startswith("postgresql+psycopg://") and not pg.is_sqlite


def test_migrations_match_the_tables_and_run_twice(database_url: str) -> None:
    engine = make_engine(Settings(database_url=database_url))
    try:
        migrate(engine)
        migrate(engine)  # already at head: nothing to do
        command.check(alembic_config(engine))  # raises if the models drifted from the migrations
        command.downgrade(alembic_config(engine), "base")
        migrate(engine)
    finally:
        engine.dispose()


def test_openapi_documents_problem_responses(api: Api) -> None:
    assert api.client.get("/docs").status_code == 200
    spec = api.client.get("/openapi.json").json()
    review = spec["paths"]["/findings/{finding_id}"]["patch"]
    assert {"409", "428", "401", "403"} <= set(review["responses"])
    assert "application/problem+json" in review["responses"]["409"]["content"]
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert (
        api.client.get("/nowhere", headers=api.auth("admin"))
        .headers["content-type"]
        .startswith("application/problem+json")
    )
