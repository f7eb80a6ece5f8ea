"""The service's commands for the ``planalign`` CLI: ``serve`` and ``token create|list|revoke``.

``register(app)`` adds them to the CLI's Typer app. ``token create`` writes to the database
directly, because the first admin token cannot come from an API that needs a token.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import Session

from api.auth import Principal, Role
from api.services import tokens as token_service
from api.settings import Settings, sqlite_url
from api.storage import make_engine, migrate
from rulesengine.datafile import DataFileError

__all__ = ["register"]

_CLI_PRINCIPAL = Principal(token_id=0, name="cli", role=Role.admin)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="数据库:SQLite 文件路径或 SQLAlchemy URL(默认 DATABASE_URL 或 ./planalign.db)"
        " / database: SQLite file or URL",
    ),
]


def _settings(db: str | None) -> Settings:
    settings = Settings.from_env()
    if db:
        url = db if "://" in db else sqlite_url(Path(db))
        settings = settings.model_copy(update={"database_url": url})
    return settings


def _session(db: str | None) -> Session:
    engine = make_engine(_settings(db))
    migrate(engine)
    return Session(engine, expire_on_commit=False)


def register(app: typer.Typer) -> None:
    """Add ``serve`` and the ``token`` group to ``app``."""
    token_app = typer.Typer(help="API 令牌 / API tokens", no_args_is_help=True)
    app.add_typer(token_app, name="token")

    @app.command()
    def serve(
        host: Annotated[str, typer.Option(help="监听地址 / bind address")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="端口 / port")] = 8000,
        db: DbOption = None,
        engine_workers: Annotated[
            int | None,
            typer.Option(help="规则引擎工作进程数,0 为进程内 / engine worker processes (0: in-process)"),
        ] = None,
    ) -> None:
        """启动服务(OpenAPI 文档在 /docs) / start the service (OpenAPI docs at /docs).

        Checks run in engine worker processes by default (2, or PLANALIGN_ENGINE_WORKERS), so a
        crash in durable-rules' C core costs a worker, never the server.
        """
        import os

        import uvicorn

        from api.main import create_app

        settings = _settings(db)
        if engine_workers is None and not os.environ.get("PLANALIGN_ENGINE_WORKERS"):
            engine_workers = 2
        if engine_workers is not None:
            settings = settings.model_copy(update={"engine_workers": engine_workers})
        try:
            service = create_app(settings)
        except DataFileError as exc:  # a broken rule or data file: refuse to start, naming the file
            typer.echo(f"planalign: 规则包无法加载,服务未启动 / the rule pack does not load: {exc}", err=True)
            raise typer.Exit(2) from None
        typer.echo(
            f"planalign: 审核页面 http://{host}:{port}/web/ · API http://{host}:{port}/docs"
            f"  (database: {_redact(settings)})"
        )
        uvicorn.run(service, host=host, port=port)

    @token_app.command("create")
    def token_create(
        role: Annotated[Role, typer.Option(help="submitter | reviewer | admin")],
        name: Annotated[str, typer.Option(help="持有人姓名,记入审核记录 / holder's name")],
        db: DbOption = None,
    ) -> None:
        """新建令牌并只显示这一次 / create a token and print it once (only its hash is kept)."""
        with _session(db) as session:
            created = token_service.create_token(session, _CLI_PRINCIPAL, name, role)
        typer.echo(created.token)
        typer.echo(
            f"令牌 #{created.id}({name},{role.value})只显示这一次,请妥善保存 / "
            f"token #{created.id} ({name}, {role.value}) is shown once: store it now",
            err=True,
        )

    @token_app.command("list")
    def token_list(db: DbOption = None) -> None:
        """列出令牌(不含令牌本身) / list tokens (never the tokens themselves)."""
        with _session(db) as session:
            page = token_service.list_tokens(session, limit=500, offset=0)
        for t in page.items:
            state = f"revoked {t.revoked_at:%Y-%m-%d}" if t.revoked_at else "active"
            typer.echo(f"{t.id}\t{t.role.value}\t{t.name}\t{state}")

    @token_app.command("revoke")
    def token_revoke(token_id: int, db: DbOption = None) -> None:
        """吊销令牌 / revoke a token."""
        with _session(db) as session:
            token_service.revoke_token(session, _CLI_PRINCIPAL, token_id)
        typer.echo(f"revoked {token_id}")


def _redact(settings: Settings) -> str:
    from sqlalchemy.engine.url import make_url

    return make_url(settings.database_url).render_as_string(hide_password=True)
