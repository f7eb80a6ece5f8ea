"""Development tools that stay in the checkout and out of the wheel (setup.py ships only
rulesengine, api, planalign and the rules data).

* ``tools.synth`` — synthetic county plans with their expected targets, for scoring extraction
  at scale and for the batch benchmark (``planalign synth`` in a checkout).
* ``tools.reference`` — a plain-Python evaluator of the compiled rule pack, the oracle of the
  differential test (tests/test_reference.py) and of bench/reference.py.

A checkout's virtualenv (``make venv``) has the checkout on ``sys.path`` (a ``.pth`` file), so
tests, benchmarks and the CLI import them as ``tools.…``; they import the library, never the
other way round (an import-linter contract).
"""
