# The two commands a newcomer needs: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
PORT ?= 8000
# make serve: the address gunicorn listens on (config/gunicorn.conf.py reads it too).
BIND_ADDRESS ?= 127.0.0.1
VENV := .venv
BIN := $(VENV)/bin
# Member states first: the ADGMIN commitments name the group that carries some of them out.
FIXTURES := fixtures/asean-members.json fixtures/adgmin-2026.json
# Local development mode: a throwaway secret key, DEBUG on, SQLite unless DATABASE_URL says otherwise.
DEV := DJANGO_DEBUG=1
# Production mode, whatever the shell says: DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS required.
PROD := DJANGO_DEBUG=0

.PHONY: run test check lint fmt bench clean serve deploy-check production-env test-postgres \
	install lock lock-upgrade checkers messages gettext

# Production install: exactly the versions in config/requirements.lock, each file checked against its
# hash, and nothing else (no test, lint or browser tools). The app runs from the checkout, so it
# needs no installing itself. Re-done whenever the lock file changes.
$(BIN)/.installed-production: config/requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed; set PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r config/requirements.lock
	touch $@

install: $(BIN)/.installed-production

# Development (make run, make test, CI): the locked production install, then the app itself and
# the dev extra on top. Re-done whenever the lock file or pyproject.toml changes.
$(BIN)/.installed: $(BIN)/.installed-production pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# Write config/requirements.lock from pyproject.toml (production dependencies and the redis extra, with
# hashes, for every platform and Python version the project supports). `make lock` keeps the
# pinned versions that still fit; `make lock-upgrade` moves everything to the newest allowed.
LOCK_COMMAND = $(BIN)/uv pip compile pyproject.toml --extra redis --universal --generate-hashes \
	--custom-compile-command "make lock" --quiet --output-file config/requirements.lock

lock: $(BIN)/.installed
	$(LOCK_COMMAND)

lock-upgrade: $(BIN)/.installed
	$(LOCK_COMMAND) --upgrade

run: $(BIN)/.installed
	$(DEV) $(BIN)/python manage.py migrate --noinput
	$(DEV) $(BIN)/python manage.py load_sources $(FIXTURES)
	$(DEV) $(BIN)/python manage.py ensure_local_admin --admin-url http://127.0.0.1:$(PORT)/admin/
	@echo "Serving the tracker at http://127.0.0.1:$(PORT)/ (Ctrl+C to stop)"
	$(DEV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The page checkers the accessibility and HTML-validity tests run: axe-core and the Nu HTML
# checker (vnu.jar), exactly as tests/checkers/package-lock.json pins them, in a git-ignored
# node_modules. Install scripts are not run: vnu-jar's would download a Java runtime. Without
# npm, `make test` goes on without them and those tests skip (they fail in CI, where CI is set).
CHECKERS := tests/checkers
$(CHECKERS)/node_modules/.installed: $(CHECKERS)/package.json $(CHECKERS)/package-lock.json
	cd $(CHECKERS) && npm ci --ignore-scripts --no-audit --no-fund
	touch $@

checkers: $(CHECKERS)/node_modules/.installed

# The suite runs in parallel on every core (pytest-xdist), each worker on its own test
# database, a file at a time; files sharing an expensive setup (one crawl, one browser visit of
# every page) go to the same worker (SHARED_SETUPS in tests/conftest.py).
# `make test PYTEST_WORKERS=0` runs it in one process.
PYTEST_WORKERS ?= auto
test: $(BIN)/.installed check $(if $(shell command -v npm),checkers)
	$(DEV) $(BIN)/pytest --numprocesses $(PYTEST_WORKERS)

# The whole suite again on a throwaway PostgreSQL server (installs PostgreSQL if missing).
test-postgres: $(BIN)/.installed
	bash .ci/with-postgres.sh $(MAKE) test

# Run as in production: migrate, collect hashed static files, serve with gunicorn, DEBUG off.
# See docs/deploy.md for the reverse proxy in front of it.
serve: production-env $(BIN)/.installed-production
	@$(PROD) $(BIN)/python manage.py describe_database
	$(PROD) $(BIN)/python manage.py migrate --noinput
	$(PROD) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(PROD) $(BIN)/python manage.py check --deploy
	@echo "Serving the tracker with gunicorn on $(BIND_ADDRESS):$(PORT) (Ctrl+C to stop)"
	$(PROD) PORT=$(PORT) BIND_ADDRESS=$(BIND_ADDRESS) $(BIN)/gunicorn --config config/gunicorn.conf.py config.wsgi

# Would this environment pass Django's deployment checklist? Run it where the app is deployed.
deploy-check: production-env $(BIN)/.installed-production
	$(PROD) $(BIN)/python manage.py check --deploy --fail-level WARNING

production-env:
	@test -n "$$DJANGO_SECRET_KEY" || { \
		echo "DJANGO_SECRET_KEY is not set. Production mode needs a secret key of 50 or more" \
			"random characters, kept out of the repository. Generate one with:" \
			"python3 -c 'import secrets; print(secrets.token_urlsafe(50))'" >&2; exit 1; }
	@test -n "$$DJANGO_ALLOWED_HOSTS" || { \
		echo "DJANGO_ALLOWED_HOSTS is not set. List the host names the site answers to," \
			"e.g. DJANGO_ALLOWED_HOSTS=tracker.example.org" >&2; exit 1; }

# Static checks CI runs before the tests.
check: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(DEV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(DEV) $(BIN)/python manage.py check

# The interface's catalogues (locale/, docs/languages.md): collect new and changed messages
# from the code and templates into the .po files, then compile the .mo files the app reads.
# Both are committed, so `make run` needs no gettext; translate the new entries (msgstr)
# before committing: tests/test_catalogues.py fails on an empty or fuzzy one.
messages: $(BIN)/.installed gettext
	$(DEV) $(BIN)/python manage.py makemessages --no-location --no-obsolete -l vi -l id \
		-i ".venv/*" -i "tests/*" -i "staticfiles/*" -i "bench-results/*"
	$(DEV) $(BIN)/python manage.py compilemessages -i .venv

# GNU gettext (xgettext, msgmerge, msgfmt), installed from Debian's packages when missing.
gettext:
	@command -v xgettext >/dev/null || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext; }

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(BIN)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Speed and memory of the public pages at 10,000 commitments, through gunicorn and wrk
# (tests/bench.py; figures in docs/benchmarks.md), on SQLite (a database built once in
# bench-results/) and on PostgreSQL (a throwaway cluster, filled each time). DB=sqlite or
# DB=postgres measures one of them.
DB ?= both
bench: $(BIN)/.installed
	@case "$(DB)" in both|sqlite|postgres) ;; \
		*) echo "DB must be both, sqlite or postgres (not '$(DB)')" >&2; exit 2 ;; esac
	@if [ "$(DB)" != postgres ]; then env -u DATABASE_URL $(BIN)/python -m tests.bench; fi
	@if [ "$(DB)" != sqlite ]; then bash .ci/with-postgres.sh $(BIN)/python -m tests.bench; fi

clean:
	rm -rf $(VENV) staticfiles $(CHECKERS)/node_modules
