# The two commands a newcomer needs: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
# Member states first: the ADGMIN commitments name the group that carries some of them out.
FIXTURES := fixtures/asean-members.json fixtures/adgmin-2026.json
# Local development mode: a throwaway secret key, DEBUG on, SQLite unless DATABASE_URL says otherwise.
DEV := DJANGO_DEBUG=1
# Production mode, whatever the shell says: DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS required.
PROD := DJANGO_DEBUG=0

.PHONY: run test check lint fmt bench clean serve deploy-check production-env test-postgres

# Re-install whenever pyproject.toml changes; the stamp file records the last install.
$(BIN)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed; set PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

run: $(BIN)/.installed
	$(DEV) $(BIN)/python manage.py migrate --noinput
	$(DEV) $(BIN)/python manage.py load_sources $(FIXTURES)
	$(DEV) $(BIN)/python manage.py ensure_local_admin --admin-url http://127.0.0.1:$(PORT)/admin/
	@echo "Serving the tracker at http://127.0.0.1:$(PORT)/ (Ctrl+C to stop)"
	$(DEV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: $(BIN)/.installed check
	$(DEV) $(BIN)/pytest

# The whole suite again on a throwaway PostgreSQL server (installs PostgreSQL if missing).
test-postgres: $(BIN)/.installed
	bash .ci/with-postgres.sh $(MAKE) test

# Run as in production: migrate, collect hashed static files, serve with gunicorn, DEBUG off.
# See docs/deploy.md for the reverse proxy in front of it.
serve: production-env $(BIN)/.installed
	$(PROD) $(BIN)/python manage.py migrate --noinput
	$(PROD) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(PROD) $(BIN)/python manage.py check --deploy
	@echo "Serving the tracker with gunicorn on 127.0.0.1:$(PORT) (Ctrl+C to stop)"
	$(PROD) PORT=$(PORT) $(BIN)/gunicorn --config config/gunicorn.conf.py config.wsgi

# Would this environment pass Django's deployment checklist? Run it where the app is deployed.
deploy-check: production-env $(BIN)/.installed
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

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(BIN)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Speed and memory of the public pages at several sizes, on throwaway databases.
bench: $(BIN)/.installed
	$(DEV) $(BIN)/python -m tests.bench

clean:
	rm -rf $(VENV) staticfiles
