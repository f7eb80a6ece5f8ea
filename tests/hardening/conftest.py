"""Fixtures for the hardening tests: the service fixtures of tests/api, plus apps with settings.

Importing the fixtures registers them for this directory too. ``pg_cluster`` imported here is
a *second* session cluster (fixtures are keyed by the conftest that defines them), which is
what the fault tests want: they stop and start it without touching tests/api's cluster.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from api.settings import sqlite_url
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
def build_api(make_api: MakeApi, tmp_path: Path) -> BuildApi:  # noqa: F811  (the fixture, by name)
    """``make_api`` with a fresh SQLite file per app unless ``database_url`` is given.

    ``build_api(checker=…, raise_server_exceptions=False, write_burst=3)``: any ``Settings``
    field can be given. One token per role, as in tests/api.
    """
    numbers = itertools.count()

    def build(*, database_url: str | None = None, **fields: Any) -> Api:
        url = database_url or sqlite_url(tmp_path / f"hardening-{next(numbers)}.db")
        return make_api(url, **fields)

    return build
