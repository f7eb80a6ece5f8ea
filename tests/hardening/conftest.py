"""Fixtures for the hardening tests: the service fixtures of tests/api, shared here.

Importing the fixtures registers them for this directory too. ``pg_cluster`` imported here is
a *second* session cluster (fixtures are keyed by the conftest that defines them), which is
what the fault tests want: they stop and start it without touching tests/api's cluster.
"""

from __future__ import annotations

from tests.api.conftest import (  # noqa: F401  (fixtures are used by name)
    Api,
    MakeApi,
    api,
    make_api,
    pg_cluster,
    pg_url,
    scripted,
)

__all__ = ["Api", "MakeApi"]
