# Sputnik CRM — the two commands: `make run` and `make test`.
PYTHON ?= python3
export UV_PYTHON_DOWNLOADS := never
UV := $(PYTHON) -m uv
PY := .venv/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-dev uv messages demo lint format bench clean

uv:
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv

install: uv
	$(UV) sync --frozen --no-dev

install-dev: uv
	$(UV) sync --frozen

messages:
	@command -v msgfmt >/dev/null || { echo "msgfmt not found: install gettext (apt-get install gettext)"; exit 1; }
	DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv -v0

## Install, migrate, load demo data once, start the web server and the task worker.
run: install messages
	@mkdir -p var
	DEBUG=1 $(PY) manage.py migrate --no-input -v0
	DEBUG=1 $(PY) manage.py demo_data
	DEBUG=1 $(PY) manage.py schedule -v0
	@echo ""
	@echo "Sputnik is running at http://$(HOST):$(PORT)/  (Ctrl-C stops the server and the worker)"
	@DEBUG=1 bash -c 'trap "kill 0" EXIT INT TERM; \
		$(PY) manage.py db_worker --interval 1 & \
		$(PY) manage.py runserver $(HOST):$(PORT) & \
		wait'

## Install the development tools and run the whole suite (DATABASE_URL=postgres://… for PostgreSQL).
test: install-dev messages
	$(PY) -m pytest $(PYTEST_ARGS)

## Page benchmark (bench/pages.py): seeds var/bench/scale-$(BENCH_SCALE).sqlite3 once, or the
## empty database of DATABASE_URL (postgres://…, BENCH_SCALE=1m), then times every page,
## the API, the Excel export and import; the table is also written to var/bench/*.json.
BENCH_SCALE ?= 100k
bench: install-dev
	@mkdir -p var/bench
	$(PY) bench/pages.py --prepare --scale $(BENCH_SCALE) $(BENCH_ARGS)

lint: install-dev
	.venv/bin/ruff check .

format: install-dev
	.venv/bin/ruff format .

clean:
	rm -rf .venv var/static .pytest_cache
