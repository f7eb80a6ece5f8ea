"""A throw-away PostgreSQL cluster on loopback, for the tests and the benchmarks.

One home for starting and stopping Debian's PostgreSQL in a temp directory: the service tests
(``tests/api/conftest.py``, a session fixture) and ``bench/api_load.py`` both run the service on
a real PostgreSQL, and neither may depend on the other (the bench does not import pytest).

As root, initdb refuses to run, so the cluster then belongs to the ``postgres`` user (created by
Debian's package) and its commands run through ``runuser``. The cluster is tuned for throw-away
data (no fsync, no synchronous commit): it measures the service, not the disk.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ClusterUnavailable", "PgCluster", "free_port", "pg_bindir", "start_cluster"]

INSTALL_HINT = "install them with `apt-get install -y postgresql` (make system-deps)"


class ClusterUnavailable(RuntimeError):
    """PostgreSQL's server binaries are not installed (a laptop may skip; CI must fail)."""


def pg_bindir() -> Path | None:
    """The newest ``/usr/lib/postgresql/*/bin`` with an initdb, else initdb on PATH, else None."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class PgCluster:
    port: int
    bindir: Path
    socket_dir: Path
    as_user: tuple[str, ...]
    max_connections: int = 50

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def psql(self, sql: str) -> None:
        subprocess.run(
            [
                *self.as_user,
                str(self.bindir / "psql"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-v",
                "ON_ERROR_STOP=1",
                "-qc",
                sql,
            ],
            check=True,
            capture_output=True,
            text=True,
        )

    def options(self) -> str:
        """``postgres`` options: this port and socket, loopback only, no durability."""
        return (
            f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            f"-c synchronous_commit=off -c full_page_writes=off -c max_connections={self.max_connections}"
        )

    def stop(self) -> None:
        """Stop the cluster now and delete its files."""
        subprocess.run(
            [
                *self.as_user,
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.socket_dir / "data"),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
            capture_output=True,
        )
        shutil.rmtree(self.socket_dir, ignore_errors=True)


def start_cluster(*, max_connections: int = 50) -> PgCluster:
    """initdb in a temp directory and start it on a free loopback port (three tries: the port may
    be taken between choosing and binding it). Raises ``ClusterUnavailable`` without the
    binaries and ``RuntimeError`` (with the server's log) when it does not start."""
    bindir = pg_bindir()
    if bindir is None:
        raise ClusterUnavailable(
            f"PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/initdb): {INSTALL_HINT}"
        )
    as_user: tuple[str, ...] = ()
    base = Path(tempfile.mkdtemp(prefix="planalign-pg-"))
    if os.geteuid() == 0:
        try:
            pg = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(base, ignore_errors=True)
            raise RuntimeError("running as root but there is no `postgres` user to own the cluster") from None
        os.chown(base, pg.pw_uid, pg.pw_gid)
        as_user = ("runuser", "-u", "postgres", "--")
    data = base / "data"
    subprocess.run(
        [
            *as_user,
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    last_error = ""
    for _ in range(3):
        cluster = PgCluster(
            port=free_port(),
            bindir=bindir,
            socket_dir=base,
            as_user=as_user,
            max_connections=max_connections,
        )
        started = subprocess.run(
            [
                *as_user,
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(base / "server.log"),
                "-w",
                "-t",
                "60",
                "-o",
                cluster.options(),
                "start",
            ],
            capture_output=True,
            text=True,
        )
        if started.returncode == 0:
            return cluster
        last_error = started.stderr + (base / "server.log").read_text(errors="replace")[-2000:]
        time.sleep(0.2)
    shutil.rmtree(base, ignore_errors=True)
    raise RuntimeError(f"could not start a throw-away PostgreSQL cluster:\n{last_error}")
