"""Binds every scenario under specs/ (pyproject: bdd_features_base_dir = "specs").

Nothing to list here: a new .feature file is picked up by `make test` on its own; its steps come
from the library's step plugin, rulesengine/spec_steps.py (loaded by tests/conftest.py).
"""

from pytest_bdd import scenarios

scenarios(".")
