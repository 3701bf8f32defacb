# The two commands a newcomer needs: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
FIXTURES := fixtures/adgmin-2026.json
# Local development mode: a throwaway secret key, DEBUG on, SQLite unless DATABASE_URL says otherwise.
DEV := DJANGO_DEBUG=1

.PHONY: run test check lint fmt bench clean

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
