"""A real `planalign serve` for the load scripts (api_load.py, soak.py): on loopback, on a free
port, on a fresh SQLite database in a temp directory (or a PostgreSQL URL), with tokens made
through the CLI.

The server runs as a subprocess of this interpreter, so what is measured is the service as
deployed (its own process and engine workers), not an in-process test client.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import httpx

HOST = "127.0.0.1"  # loopback only, by construction: nothing here takes a host
STARTUP_SECONDS = 60.0  # a cold start imports the engine and spawns its workers
STOP_SECONDS = 20.0


def free_port() -> int:
    """A port nobody listens on now, so that two runs (or a developer's server) do not collide."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def planalign(*args: str) -> list[str]:
    """The ``planalign`` command line, run by this interpreter (no PATH lookup)."""
    return [sys.executable, "-c", "from planalign.cli import main; main()", *args]


def start_server(
    workdir: Path,
    port: int,
    *,
    db: str,
    tokens: Mapping[str, str],
    env: Mapping[str, str] | None = None,
    serve: Sequence[str] = (),
) -> tuple[subprocess.Popen[bytes], dict[str, str]]:
    """The service on a fresh SQLite database ``workdir / db`` (or ``db`` itself when it is a URL),
    with one token per role in ``tokens`` (role → the token's name) made through the CLI before
    it starts; returns the server process and role → token once it answers /health. ``env`` adds
    settings, ``serve`` options to `serve`. The log goes to ``workdir / "server.log"``."""
    path = db if "://" in db else str(workdir / db)
    environ = {**os.environ, "PLANALIGN_DATA_DIR": str(workdir), **(env or {})}
    environ.pop("DATABASE_URL", None)  # the database is the one given, never a developer's
    made: dict[str, str] = {}
    for role, name in tokens.items():
        out = subprocess.run(
            planalign("token", "create", "--role", role, "--name", name, "--db", path),
            env=environ,
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        )
        made[role] = out.stdout.strip().splitlines()[0]
    log = (workdir / "server.log").open("wb")
    server = subprocess.Popen(
        planalign("serve", "--host", HOST, "--port", str(port), "--db", path, *serve),
        env=environ,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://{HOST}:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited ({server.returncode}); see {workdir / 'server.log'}")
        try:
            if httpx.get(f"{base}/health", timeout=1.0).status_code == 200:
                return server, made
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    server.kill()
    raise SystemExit(f"the server did not answer /health within {STARTUP_SECONDS:.0f} s")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """SIGINT first, so the service shuts down as in production (workers, database); SIGKILL if it
    has not within ``STOP_SECONDS``, so a benchmark never leaves a server behind."""
    if server.poll() is None:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
