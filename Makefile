# Every target bootstraps its own virtual environment from pyproject.toml on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: demo test lint bench bench-workflows bench-ws clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

## Start the product on the embedded default (SQLite file + in-process bus) with demo data.
demo: $(STAMP)
	$(BIN)/ercp demo --host $(HOST) --port $(PORT)

## Run the test suite (PostgreSQL and Redis too when DATABASE_URL / REDIS_URL are set).
test: $(STAMP)
	$(BIN)/pytest

## Style, types and the layering contracts of DESIGN §2.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy api realtime resources_db dashboard drills loadtests tests
	$(BIN)/lint-imports

## Run every benchmark (each needs PostgreSQL: BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1/test).
bench: bench-workflows bench-ws

## Benchmark the dispatch workflows on PostgreSQL (BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1/test).
bench-workflows: $(STAMP)
	$(BIN)/python -m loadtests.bench_workflows $(BENCH_ARGS)

## Benchmark the websocket fan-out: 1,000 clients on one API process vs a bare websockets server (BENCH_WS_ARGS).
bench-ws: $(STAMP)
	$(BIN)/python -m loadtests.bench_ws $(BENCH_WS_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-output bench-output ercp.db ercp.db-wal ercp.db-shm
