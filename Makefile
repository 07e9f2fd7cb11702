# guichets — every target installs the environment itself when it is missing.
SHELL := /bin/bash
VENV := .venv
STAMP := $(VENV)/.installed-stamp
UV := python3 -m uv

.PHONY: run test lint install clean bench bench-dbt

$(STAMP): pyproject.toml uv.lock
	@python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen
	@touch $(STAMP)

install: $(STAMP) ## Create .venv from uv.lock

run: $(STAMP) ## Run the whole Airflow pipeline on the bundled sample; prints the DuckDB and release paths
	$(VENV)/bin/guichets run --mode sample

test: $(STAMP) ## Unit tests and the end-to-end DAG test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/python -m pytest -q

bench: $(STAMP) ## Benchmarks (scripts that print numbers, not tests)
	$(VENV)/bin/python -m tests.benchmarks.bench_fetch
	$(VENV)/bin/python -m tests.benchmarks.bench_hours
	$(VENV)/bin/python -m tests.benchmarks.bench_dbt

bench-dbt: $(STAMP) ## dbt at national-plus scale: 20,000 counters x 400 weeks, full and incremental build, peak memory
	$(VENV)/bin/python -m tests.benchmarks.bench_dbt

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean: ## Remove generated data (the releases too)
	rm -rf data dbt/target dbt/logs
