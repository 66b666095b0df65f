# The menu: make run | test | lint | audit | worker | bench | bench-quick
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Local runs and tests use DEBUG settings (a built-in key, no HTTPS redirects); production sets
# DEBUG=0 and a real SECRET_KEY (see README).
export DEBUG ?= 1

.PHONY: install run test lint audit format worker bench bench-quick clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo ""
	@echo "  ReviewApp on http://127.0.0.1:8000/"
	@echo "  Demo logins: lead, reviewer1, reviewer2 (password: review-demo)"
	@echo ""
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

# Installed packages against the shipped advisory list (offline; see README).
audit: install
	$(BIN)/python security/audit.py

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

worker: install
	$(BIN)/celery -A reviewapp worker -l info --concurrency=2

bench: install
	@for f in bench/[!_]*.py; do echo "== $$f"; $(BIN)/python $$f $(BENCH_ARGS) || exit 1; done

bench-quick:
	$(MAKE) bench BENCH_ARGS=--quick

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
