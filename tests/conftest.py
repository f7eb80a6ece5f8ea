"""The whole suite: the spec step library (shipped in the library, rulesengine/spec_steps.py) is
a plugin here, so tests/specs/test_specs.py binds every feature under specs/ to it."""

pytest_plugins = ["rulesengine.spec_steps"]
