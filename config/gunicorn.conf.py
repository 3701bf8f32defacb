"""gunicorn settings for `make serve`: gunicorn --config config/gunicorn.conf.py config.wsgi"""

import os


def _whole_number(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise SystemExit(f"{name} must be a whole number of at least 1; got {value!r}")
    return int(value)


# Two workers per core plus one keeps the cores busy while some workers wait on the database;
# capped because each worker holds its own database connection.
workers = _whole_number("WEB_CONCURRENCY", min(2 * (os.cpu_count() or 1) + 1, 8))
# Only the reverse proxy on this machine should reach gunicorn; see docs/deploy.md.
bind = f"{os.environ.get('BIND_ADDRESS', '127.0.0.1')}:{_whole_number('PORT', 8000)}"
# Access and error logs to stdout/stderr, for the service manager to collect.
accesslog = "-"
errorlog = "-"
# A worker stuck this long is killed and replaced; pages take milliseconds.
timeout = 30
graceful_timeout = 30
# Recycle workers now and then, so a slow leak never grows into an outage.
max_requests = 1000
max_requests_jitter = 100
# Recent gunicorn versions open a control socket in ~/.gunicorn, shared by all instances of
# one user on a machine; nothing here uses it. (Older versions ignore this name.)
control_socket_disable = True
