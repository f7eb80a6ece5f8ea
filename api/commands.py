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
            typer.Option(
                help="每个 API 进程的规则引擎工作进程数,0 为进程内 / engine worker processes per API "
                "process (0: in-process)"
            ),
        ] = None,
        workers: Annotated[
            int,
            typer.Option(
                min=1,
                help="API 进程数;多于 1 个须用 PostgreSQL / API processes; more than 1 needs PostgreSQL",
            ),
        ] = 1,
    ) -> None:
        """启动服务(OpenAPI 文档在 /docs) / start the service (OpenAPI docs at /docs).

        Checks run in engine worker processes by default (2, or PLANALIGN_ENGINE_WORKERS), so a
        crash in durable-rules' C core costs a worker, never the server. ``--workers N`` starts N
        API processes under uvicorn's own supervisor, all on one PostgreSQL database, each with
        its own engine workers.
        """
        import os

        import uvicorn

        settings = _settings(db)
        if engine_workers is None and not os.environ.get("PLANALIGN_ENGINE_WORKERS"):
            engine_workers = 2
        if engine_workers is not None:
            settings = settings.model_copy(update={"engine_workers": engine_workers})
        if workers > 1 and settings.is_sqlite:
            typer.echo(SQLITE_ONE_PROCESS.format(workers=workers), err=True)
            raise typer.Exit(2)
        if workers == 1:
            from api.main import create_app

            try:
                service = create_app(settings)
            except DataFileError as exc:  # a broken rule or data file: refuse to start, naming it
                typer.echo(
                    f"planalign: 规则包无法加载,服务未启动 / the rule pack does not load: {exc}", err=True
                )
                raise typer.Exit(2) from None
            _announce(host, port, settings, workers)
            uvicorn.run(service, host=host, port=port)
            return
        _prepare_processes(settings)
        _announce(host, port, settings, workers)
        uvicorn.run("api.main:create_app", factory=True, host=host, port=port, workers=workers)

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


SQLITE_ONE_PROCESS = (
    "planalign: --workers {workers} 需要 PostgreSQL:SQLite 是单机单进程的内嵌数据库,多个 API 进程"
    "同写一个文件会互相等锁(database is locked),写频率限制也只在各进程内存里。请用"
    " --db postgresql+psycopg://用户@主机/库 或设置 DATABASE_URL;单进程请去掉 --workers。\n"
    "planalign: --workers {workers} needs PostgreSQL: SQLite is the embedded database for one"
    " process on one machine; several API processes writing one file wait on its single write"
    " lock (database is locked), and the write rate limit would live in each process's memory."
    " Use --db postgresql+psycopg://user@host/db or set DATABASE_URL; for one process, drop"
    " --workers."
)


def _prepare_processes(settings: Settings) -> None:
    """What the API processes of ``--workers N`` need before uvicorn starts them.

    Checked and done once, here, rather than N times at once: the rule pack loads (a broken one
    stops the start with its file named, not N tracebacks); the schema is migrated (each process
    migrates again on start, a no-op behind Alembic's advisory lock in ``api/migrations/env.py``);
    the settings go into the environment, where each process's ``create_app()`` reads them
    (``Settings.from_env``); and the session cookies' signing key is one for all processes — the
    operator's ``PLANALIGN_SESSION_SECRET``, or one random key made here for this run, so a
    reviewer signed in on one process is signed in on all of them.
    """
    import os
    import secrets

    from rulesengine.rulebook import default_rulebook, load_rulebook

    try:
        load_rulebook(settings.rule_pack) if settings.rule_pack else default_rulebook()
    except DataFileError as exc:
        typer.echo(f"planalign: 规则包无法加载,服务未启动 / the rule pack does not load: {exc}", err=True)
        raise typer.Exit(2) from None
    engine = make_engine(settings)
    try:
        migrate(engine)
    finally:
        engine.dispose()
    os.environ.update(settings.to_env())
    if not os.environ.get("PLANALIGN_SESSION_SECRET"):
        os.environ["PLANALIGN_SESSION_SECRET"] = secrets.token_urlsafe(32)


def _announce(host: str, port: int, settings: Settings, workers: int) -> None:
    processes = f", {workers} API processes" if workers > 1 else ""
    typer.echo(
        f"planalign: 审核页面 http://{host}:{port}/web/ · API http://{host}:{port}/docs"
        f"  (database: {_redact(settings)}{processes})"
    )


def _redact(settings: Settings) -> str:
    from sqlalchemy.engine.url import make_url

    return make_url(settings.database_url).render_as_string(hide_password=True)
