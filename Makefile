# make check: what CI (.ci/run) runs — ruff, import contracts, mypy and every test (the contract
# checks run inside pytest too, so `python -m pytest -q` alone checks the same things).
PY ?= .venv/bin/python
BIN := $(dir $(PY))

.PHONY: check venv lint contracts types test

check: venv lint contracts types test

venv:
	@test -x $(PY) || (python3 -m venv .venv && .venv/bin/pip install -q -r requirements.txt)

lint:
	$(BIN)ruff check .

contracts:
	$(BIN)lint-imports

types:
	$(PY) -m mypy

test:
	$(PY) -m pytest -q
