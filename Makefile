# Two commands on a fresh machine: `make demo` and `make test`. Both build .venv themselves.
SHELL := /bin/bash
PY := $(shell for p in python3.12 python3.11 python3; do \
        command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(not ((3, 11) <= sys.version_info[:2] < (3, 13)))' 2>/dev/null && echo $$p && break; \
      done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PLANS := examples/plans

.PHONY: demo test lint bench soak venv system-deps clean

venv: $(STAMP)

# The .pth puts the checkout on sys.path for what the wheel leaves out: tools/ (synth, the
# reference evaluator), used by tests, bench and `planalign synth`.
$(STAMP): pyproject.toml setup.py
	@test -n "$(PY)" || { echo "需要 Python 3.11 或 3.12 / Python 3.11 or 3.12 is required (durable-rules does not import on 3.13)"; exit 1; }
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	$(BIN)/python -c 'import pathlib, sysconfig; pathlib.Path(sysconfig.get_path("purelib"), "planalign-checkout.pth").write_text("$(CURDIR)\n")'
	touch $(STAMP)

# Debian packages the browser and PostgreSQL tests need; installed only when missing.
system-deps:
	@bash scripts/system-deps.sh

demo: $(STAMP)
	$(BIN)/planalign check $(PLANS)/cixi-2023-jingxin-gongzuo-silu.txt \
	  --against $(PLANS)/zhejiang-2023-jingxin-gongzuo-yaodian.txt \
	  --against $(PLANS)/zhejiang-2021-2025-gongtong-fuyu-shishi-fangan.txt || test $$? -eq 1

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check rulesengine api planalign tools tests bench scripts setup.py rules/__init__.py specs/__init__.py
	$(BIN)/mypy
	$(BIN)/lint-imports

test: $(STAMP) system-deps lint
	$(BIN)/pytest -q -p no:cacheprovider

bench: $(STAMP)
	@for f in bench/*.py; do [ "$$f" = bench/soak.py ] && continue; echo "== $$f"; $(BIN)/python $$f || exit 1; done

soak: $(STAMP)
	$(BIN)/python bench/soak.py --duration 60

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-output
