# Every target installs what it needs from uv.lock (exact versions, hashes) on a fresh machine: first uv itself,
# pinned with hashes in requirements-bootstrap.txt, then the locked set into .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
TOOLS  := .tools
UV     := $(TOOLS)/bin/uv
HOST   ?= 127.0.0.1
PORT   ?= 8000

# uv uses the machine's Python (never downloads one) and keeps the project environment in .venv.
export UV_PYTHON := $(PYTHON)
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

# --locked: a pyproject.toml that disagrees with uv.lock stops here instead of silently re-resolving.
SYNC = $(UV) sync --locked $(1) || { echo "uv.lock and pyproject.toml disagree (or the install failed): run 'make lock'" >&2; exit 1; }

.PHONY: demo test lint lock audit loadtest-smoke surge surge-scale bench bench-workflows bench-ws bench-board clean

$(UV): requirements-bootstrap.txt
	$(PYTHON) -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes --root-user-action=ignore \
		--target $(TOOLS) --upgrade -r requirements-bootstrap.txt
	@touch $(UV)

## Start the product on the embedded default (SQLite file + in-process bus) with demo data.
demo: $(UV)
	@$(call SYNC,--no-dev --inexact)
	$(BIN)/ercp demo --host $(HOST) --port $(PORT)

## Run the test suite (PostgreSQL and Redis too when DATABASE_URL / REDIS_URL are set).
test: $(UV)
	@$(call SYNC,)
	$(BIN)/pytest

## Style, types, the layering contracts of DESIGN §2, and that uv.lock matches pyproject.toml.
lint: $(UV)
	@$(call SYNC,)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy api realtime resources_db dashboard drills loadtests tests
	$(BIN)/lint-imports

## Re-resolve uv.lock from pyproject.toml (newest versions its ranges allow); commit the result.
lock: $(UV)
	$(UV) lock --upgrade

## pip-audit over the locked set; says NOT RUN (exit 3) when no advisory source answers, never a silent pass.
audit: $(UV)
	@$(call SYNC,)
	PATH="$(TOOLS)/bin:$$PATH" $(BIN)/python deploy/audit.py

## A one-minute surge through Locust against the embedded default; non-zero on any failure or lost event.
loadtest-smoke: $(UV)
	@$(call SYNC,)
	$(BIN)/python -m loadtests.smoke

## The full surge (baseline → 10× → recovery) on PostgreSQL + Redis: a Markdown report with charts (SURGE_ARGS).
surge: $(UV)
	@$(call SYNC,)
	$(BIN)/python -m loadtests.surge --output-dir bench-output $(SURGE_ARGS)

## The surge mix through nginx over 1 and then 3 `ercp serve` processes in one run: figures and ratios 3 ÷ 1 (SURGE_SCALE_ARGS).
surge-scale: $(UV)
	@$(call SYNC,)
	$(BIN)/python -m loadtests.surge_scale --output-dir bench-output $(SURGE_SCALE_ARGS)

## Run every benchmark (each needs PostgreSQL: BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1/test).
bench: bench-workflows bench-ws

## Benchmark the dispatch workflows on PostgreSQL (BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1/test).
bench-workflows: $(UV)
	@$(call SYNC,)
	$(BIN)/python -m loadtests.bench_workflows $(BENCH_ARGS)

## Benchmark the websocket fan-out: 1,000 clients on one API process vs a bare websockets server (BENCH_WS_ARGS).
bench-ws: $(UV)
	@$(call SYNC,)
	$(BIN)/python -m loadtests.bench_ws $(BENCH_WS_ARGS)

## The board in Chromium: visibility of new incidents (p50/p95) and the board's CPU with 10 tabs idle and under a burst.
bench-board: $(UV)
	@$(call SYNC,)
	$(BIN)/python -m loadtests.bench_board $(BENCH_BOARD_ARGS)

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .mypy_cache .ruff_cache test-output bench-output ercp.db ercp.db-wal ercp.db-shm
