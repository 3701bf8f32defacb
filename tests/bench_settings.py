"""Settings for `make bench` only: the site's own settings, plus a bare view to compare with."""

from config.settings import *  # noqa: F403 — the bench measures the real settings
from config.settings import BASE_DIR

ROOT_URLCONF = "tests.bench_urls"
# Hashed static files for the bench's own gunicorn, kept with the bench's database.
STATIC_ROOT = BASE_DIR / "bench-results" / "static"
