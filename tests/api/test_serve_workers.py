"""``planalign serve --workers N``: several API processes on one PostgreSQL, and what they share.

The server is the real command in a subprocess (uvicorn's own worker processes) on the session's
throw-away PostgreSQL cluster. Which process answers a new connection is the kernel's choice, so
the tests open connections until two different pids have answered (bounded), then keep each
connection alive: a keep-alive connection stays with the process that accepted it, which is what
lets a test write through one process and read through the other.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import typer
from sqlalchemy import inspect, text
from typer.testing import CliRunner

from api.commands import register
from api.ratelimit import DatabaseRateLimiter, WriteRateLimiter, make_rate_limiter
from api.settings import Settings, sqlite_url
from api.storage import make_engine, migrate
from tests.api.conftest import COUNTY_TEXT, PROVINCE_TEXT
from tools.pgcluster import free_port

HOST = "127.0.0.1"
MAX_CONNECTIONS = 60  # new connections tried before giving up on seeing a second process


def _planalign(*args: str) -> list[str]:
    return [sys.executable, "-c", "from planalign.cli import main; main()", *args]


def _token(url: str, role: str, name: str, env: dict[str, str]) -> str:
    out = subprocess.run(
        _planalign("token", "create", "--role", role, "--name", name, "--db", url),
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return out.stdout.strip().splitlines()[0]


class Served:
    def __init__(self, base: str, tokens: dict[str, str]) -> None:
        self.base = base
        self.tokens = tokens

    def auth(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def two_processes(self) -> tuple[httpx.Client, httpx.Client, set[int]]:
        """Two keep-alive clients held by two different API processes, and every pid seen."""
        clients: dict[int, httpx.Client] = {}
        seen: set[int] = set()
        spare: list[httpx.Client] = []
        for _ in range(MAX_CONNECTIONS):
            client = httpx.Client(base_url=self.base, timeout=30.0)
            pid = int(client.get("/health").json()["pid"])
            seen.add(pid)
            if pid in clients:
                spare.append(client)  # kept open, so the next connection may go elsewhere
            else:
                clients[pid] = client
            if len(clients) == 2:
                break
        for client in spare:
            client.close()
        assert len(clients) == 2, f"only one API process answered {MAX_CONNECTIONS} connections: {seen}"
        one, other = clients.values()
        return one, other, seen


@pytest.fixture
def served(pg_url: str, tmp_path: Path) -> Iterator[Served]:
    """``serve --workers 2`` on a fresh PostgreSQL database, engines in-process, and a write
    budget of 3 per token that does not refill within the test."""
    env = {
        **os.environ,
        "PLANALIGN_WRITE_BURST": "3",
        "PLANALIGN_WRITE_RATE_PER_MINUTE": "0.001",
    }
    env.pop("DATABASE_URL", None)
    env.pop("PLANALIGN_SESSION_SECRET", None)  # the command must make one key for both processes
    tokens = {role: _token(pg_url, role, f"{role}-用户", env) for role in ("submitter", "reviewer")}
    port = free_port()
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(
        _planalign("serve", "--workers", "2", "--engine-workers", "0", "--db", pg_url, "--port", str(port)),
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://{HOST}:{port}"
    try:
        for _ in range(600):  # each process imports the library and loads the rule pack
            assert server.poll() is None, (tmp_path / "server.log").read_text(errors="replace")
            try:
                if httpx.get(f"{base}/health", timeout=1.0).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield Served(base, tokens)
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.mark.postgres
def test_two_api_processes_share_the_database_the_write_budget_and_the_sign_in(served: Served) -> None:
    one, other, seen = served.two_processes()
    assert len(seen) == 2
    try:
        # a write through one process is read through the other
        made = one.post(
            "/plans/text",
            json={"id": "zj-2023", "region": "浙江省", "period": "2023", "text": PROVINCE_TEXT},
            headers=served.auth("submitter"),
        )
        assert made.status_code == 201, made.text
        read = other.get("/plans/zj-2023", headers=served.auth("reviewer"))
        assert read.status_code == 200, read.text
        assert read.json()["sha256"] == made.json()["sha256"]
        assert [t["quote"] for t in read.json()["targets"]] == [t["quote"] for t in made.json()["targets"]]

        # the token's budget of 3 writes is one budget for both processes, not 3 each
        second = other.post(
            "/plans/text",
            json={"id": "cx-2023", "region": "慈溪", "period": "2023", "text": COUNTY_TEXT},
            headers=served.auth("submitter"),
        )
        assert second.status_code == 201, second.text
        third = one.post("/plans/cx-2023/checks", headers=served.auth("submitter"))
        assert third.status_code == 201, third.text
        for client in (other, one):
            refused = client.post("/plans/cx-2023/checks", headers=served.auth("submitter"))
            assert refused.status_code == 429, refused.text
            assert int(refused.headers["Retry-After"]) >= 1
        assert other.get(f"/checks/{third.json()['id']}", headers=served.auth("reviewer")).status_code == 200

        # a reviewer signed in on one process is signed in on the other (one signing key)
        login = one.post("/web/login", data={"token": served.tokens["reviewer"], "next": "/web/plans"})
        assert login.status_code == 303, login.text
        cookie = login.cookies["planalign_session"]
        other.cookies.set("planalign_session", cookie)
        page = other.get("/web/plans")
        assert page.status_code == 200 and "慈溪" in page.text
    finally:
        one.close()
        other.close()


def _cli() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """planalign."""

    register(app)
    return app


def test_several_workers_on_sqlite_are_refused_saying_why_and_what_to_do(tmp_path: Path) -> None:
    result = CliRunner().invoke(_cli(), ["serve", "--workers", "2", "--db", str(tmp_path / "s.db")])
    assert result.exit_code == 2
    message = result.stderr
    assert "需要 PostgreSQL" in message and "needs PostgreSQL" in message
    assert "database is locked" in message and "DATABASE_URL" in message
    assert not (tmp_path / "s.db").exists()  # refused before anything was created


def test_settings_reach_the_worker_processes_through_the_environment_unchanged(tmp_path: Path) -> None:
    settings = Settings(
        database_url="postgresql+psycopg://u@127.0.0.1:5432/db",
        max_upload_bytes=1234,
        max_batch_bytes=99_999,
        job_runner=False,
        job_lease_seconds=12.5,
        check_concurrency=3,
        engine_workers=1,
        sql_echo=True,
        write_rate_per_minute=0.5,
        write_burst=7,
        rule_pack=tmp_path / "pack",
        timezone="Asia/Urumqi",
    )
    assert Settings.from_env(settings.to_env()) == settings
    # every field was given a value other than its default, so none can be dropped unseen
    assert all(getattr(settings, name) != field.default for name, field in Settings.model_fields.items())
    default = Settings(database_url="sqlite:///x.db")
    assert Settings.from_env(default.to_env()) == default


@pytest.mark.postgres
def test_processes_starting_together_migrate_one_at_a_time(pg_url: str) -> None:
    """Three processes migrating one empty database at once: Alembic's advisory lock
    (api/migrations/env.py) lets one create the schema while the others wait, and then find
    nothing to do."""
    code = (
        "import sys; from api.settings import Settings; from api.storage import make_engine, migrate; "
        "migrate(make_engine(Settings(database_url=sys.argv[1])))"
    )
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    runs = [
        subprocess.Popen([sys.executable, "-c", code, pg_url], env=env, stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    outcomes = [(run.wait(timeout=120), run.stderr.read() if run.stderr else "") for run in runs]
    assert [rc for rc, _ in outcomes] == [0, 0, 0], outcomes
    engine = make_engine(Settings(database_url=pg_url))
    try:
        assert "write_bucket" in inspect(engine).get_table_names()
        with engine.connect() as connection:
            assert connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [
                "0004"
            ]
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_the_database_bucket_spends_a_burst_then_says_how_long_to_wait(pg_url: str, tmp_path: Path) -> None:
    """PostgreSQL's bucket behaves as the in-memory one: ``burst`` writes, then a wait of about one
    refill; another key has its own budget; on SQLite the limiter stays in memory."""
    pg = Settings(database_url=pg_url, write_rate_per_minute=6, write_burst=2)
    engine = make_engine(pg)
    try:
        migrate(engine)
        limiter = make_rate_limiter(pg, engine)
        assert isinstance(limiter, DatabaseRateLimiter)
        assert [limiter.take("a"), limiter.take("a")] == [0.0, 0.0]
        wait = limiter.take("a")
        assert 9.0 < wait <= 10.0  # one write every 10 s at 6 a minute
        assert limiter.take("b") == 0.0
    finally:
        engine.dispose()
    lite = Settings(database_url=sqlite_url(tmp_path / "s.db"))
    lite_engine = make_engine(lite)
    try:
        assert isinstance(make_rate_limiter(lite, lite_engine), WriteRateLimiter)
        assert make_rate_limiter(lite.model_copy(update={"write_rate_per_minute": 0}), lite_engine) is None
    finally:
        lite_engine.dispose()


@pytest.mark.postgres
def test_a_batch_job_is_done_by_the_runners_of_both_processes_sharing_one_queue(
    served: Served, tmp_path: Path
) -> None:
    """Each API process runs a job runner on the same PostgreSQL queue (claims with SKIP LOCKED):
    the job finishes, every plan checked once, whichever process took it."""
    from tests.api.test_batches import province_files, synth_counties, zip_of

    one, other, _ = served.two_processes()
    payload = zip_of({**synth_counties(tmp_path, 8, seed=5), **province_files()})
    made = one.post("/batches", files={"files": ("z.zip", payload)}, headers=served.auth("submitter"))
    assert made.status_code == 202, made.text
    job: dict[str, object] = {}
    for _ in range(900):  # bounded: a hang fails, no time is asserted
        job = other.get(f"/batches/{made.json()['id']}", headers=served.auth("reviewer")).json()
        if job["stage"] in ("done", "failed"):
            break
        time.sleep(0.2)
    assert job["stage"] == "done" and job["counts"] == {
        "queued": 0,
        "read": 0,
        "checked": 8,
        "parent": 2,
        "failed": 0,
        "cancelled": 0,
    }, job
    items = other.get(f"/batches/{made.json()['id']}/items", headers=served.auth("reviewer")).json()["items"]
    for item in (i for i in items if i["role"] == "county"):
        page = other.get(f"/plans/{item['plan_id']}/checks", headers=served.auth("reviewer")).json()
        assert page["total"] == 1, item  # checked once: no item was done by both processes
