# guichets — every target installs the environment itself when it is missing.
SHELL := /bin/bash
VENV := .venv
STAMP := $(VENV)/.installed-stamp
UV := python3 -m uv

.PHONY: run test test-deploy lint install clean bench bench-dbt bench-pipeline airflow deploy-local deploy-stop

# Bytecode is compiled at install: with PYTHONDONTWRITEBYTECODE set (as on the project's machines
# and in many containers) Python never caches it, and every process would compile Great
# Expectations and Airflow again (importing GX: 9.6 s without, 3.8 s with, on the 2-core machine).
$(STAMP): pyproject.toml uv.lock
	@python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen --compile-bytecode
	@touch $(STAMP)

install: $(STAMP) ## Create .venv from uv.lock

run: $(STAMP) ## Run the whole Airflow pipeline on the bundled sample; prints the DuckDB and release paths
	$(VENV)/bin/guichets run --mode sample

# The trend-report tests print PDFs and render pages in headless Chromium: Debian's packages,
# installed here when missing (as root, as on CI and the project's machines).
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	@command -v apt-get >/dev/null || { echo "Chromium is missing: install Debian's chromium and chromium-driver"; exit 1; }
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-dejavu-core >/dev/null

# The deployment (and its tests) run Airflow's metadata in Debian's Postgres, installed when missing.
POSTGRES := /usr/lib/postgresql
$(POSTGRES):
	@command -v apt-get >/dev/null || { echo "Postgres is missing: install Debian's postgresql"; exit 1; }
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null

test: $(STAMP) $(CHROMIUM) $(POSTGRES) ## Unit, integration and end-to-end tests and the deployment tests (installs Chromium and Postgres if missing)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/python -m pytest -q

bench: $(STAMP) ## Benchmarks (scripts that print numbers, not tests): every one runs; fails if any target is missed
	@status=0; $(VENV)/bin/python -m tests.benchmarks.bench_fetch --matrix || status=1; \
	for b in bench_hours bench_pages bench_dbt bench_warc_store; do \
		$(VENV)/bin/python -m tests.benchmarks.$$b || status=1; done; exit $$status

bench-dbt: $(STAMP) ## dbt at national-plus scale: 20,000 counters x 400 weeks, full and incremental build, peak memory
	$(VENV)/bin/python -m tests.benchmarks.bench_dbt

bench-pipeline: $(STAMP) ## The national synthetic log through load, dbt, gate, stage, audit, publish (full and one new week), then the journalists' recipes: wall time, CPU time and peak memory per stage, and each run's CPU floor
	$(VENV)/bin/python -m tests.benchmarks.bench_pipeline

# `make airflow AIRFLOW_PORT=8081` to use another port.
AIRFLOW_PORT ?= 8080

# The API server and UI, scheduler, DAG processor and triggerer (what `airflow standalone` runs, with
# its log servers off and the UI on 127.0.0.1 only), each in its own process group under
# warehouse.airflow_local, which stops them all within 15 s of Ctrl-C and leaves nothing behind.
airflow: $(STAMP) ## Start the Airflow UI on http://localhost:$(AIRFLOW_PORT) (AIRFLOW_HOME=data/airflow); Ctrl-C stops it
	$(VENV)/bin/python -m warehouse.airflow_local --port $(AIRFLOW_PORT) --data-dir "$(CURDIR)/data"

test-deploy: $(STAMP) $(POSTGRES) ## Only the production deployment tests (make test runs them too): Postgres + Airflow (LocalExecutor, EdgeExecutor), both DAGs
	$(VENV)/bin/python -m pytest -q -m deploy tests/e2e/test_deploy.py

# A production-shaped deployment on this machine (docs/deploy.md): Postgres with its data under
# data/deploy/, the Airflow components with the LocalExecutor, all on 127.0.0.1, in the background.
deploy-local: $(STAMP) $(POSTGRES) ## Start Postgres and Airflow (LocalExecutor) on 127.0.0.1 in the background; docs/deploy.md
	$(VENV)/bin/python -m warehouse.deploy start --data-dir "$${GUICHETS_DATA_DIR:-$(CURDIR)/data}"

deploy-stop: $(STAMP) ## Stop everything deploy-local started
	$(VENV)/bin/python -m warehouse.deploy stop --data-dir "$${GUICHETS_DATA_DIR:-$(CURDIR)/data}"

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean: ## Remove generated data (the releases too)
	rm -rf data dbt/target dbt/logs
