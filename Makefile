# Newsroom's front door. `make run` and `make test` work on a fresh machine with Python 3.11+.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test serve lint format bench check-python clean
.DEFAULT_GOAL := run

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Newsroom needs Python 3.11 or newer; found " + sys.version.split()[0])'

$(VENV)/bin/activate: | check-python
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Installs again only when a requirements file changes.
$(VENV)/.runtime-installed: requirements.txt $(VENV)/bin/activate
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt $(VENV)/.runtime-installed
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

# axe-core for the accessibility tests (tests/test_a11y.py), as package-lock.json pins it; again only when
# the lock file changes. Without npm those tests skip, saying so.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --ignore-scripts --no-audit --no-fund && touch $@; \
	else \
		echo "npm not found: the axe-core accessibility tests will be skipped (apt-get install npm)."; \
	fi

# A local .env with DEBUG on and a secret key of its own (git-ignored; see .env.example).
.env:
	@printf '# Made by make on %s for local development. See .env.example.\nDEBUG=1\nSECRET_KEY=%s\n' \
		"$$(date +%F)" "$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > .env
	@echo "Wrote .env (DEBUG=1, a new SECRET_KEY)."

run: $(VENV)/.runtime-installed .env
	$(MANAGE) migrate --no-input
	@# Photos stored by an older version get their clean master and renditions; nothing to do otherwise.
	$(MANAGE) rebuild_renditions --only-missing -v 0
	@if $(MANAGE) shell -v 0 -c 'import sys; from articles.models import Article; sys.exit(1 if Article.objects.exists() else 0)'; then \
		$(MANAGE) seed_demo; \
	fi
	@echo
	@echo "  Newsroom:  http://$(HOST):$(PORT)/"
	@echo "  Admin:     http://$(HOST):$(PORT)/admin/  (demo logins: bientap, editor; phongvien, reporter)"
	@echo "  Desk:      http://$(HOST):$(PORT)/admin/desk/  (where editors start; reporters get their own stories)"
	@echo "  Forgot the password? Set a new one:  $(MANAGE) changepassword bientap"
	@echo
	SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} $(MANAGE) runserver $(HOST):$(PORT)

test: $(VENV)/.dev-installed .env node_modules/.installed
	$(PY) -m pytest $(PYTEST_ARGS)

# The production shape: gunicorn, DEBUG off, static files through WhiteNoise.
# Plain http on this machine, so HTTPS-only cookies, redirects and HSTS are off here.
SERVE_ENV = DEBUG=0 ALLOWED_HOSTS=$${ALLOWED_HOSTS:-$(HOST),localhost} SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 SECURE_HSTS_SECONDS=0
serve: $(VENV)/.runtime-installed .env
	$(SERVE_ENV) $(MANAGE) collectstatic --no-input --verbosity 0
	$(SERVE_ENV) $(MANAGE) migrate --no-input
	$(SERVE_ENV) $(VENV)/bin/gunicorn newsroom.wsgi --bind $(HOST):$(PORT) --workers $${WEB_CONCURRENCY:-2} --access-logfile -

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The reader pages under gunicorn, page cache off and on: `make bench N=100000` first makes benchmark articles
# until 100,000 exist (once; a second run reuses them). BENCH_ARGS=--load-check, --db-outage or --redis-outage
# run the load and fault scripts; docs/benchmarks.md has the figures.
bench: $(VENV)/.dev-installed .env
	$(MANAGE) bench $(if $(N),--articles $(N)) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache node_modules
