"""The server-error page, and its one exception: a database that cannot be reached."""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers
from django.views import defaults

# How long a browser, proxy or crawler should wait before asking again (seconds).
RETRY_AFTER = 30


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: 503 with Retry-After while the database is unreachable, else the 500 page.

    Django calls it from inside the `except` block that caught the error, wherever it was
    raised (a view, a template, a middleware), so sys.exc_info() names the error. An outage is
    temporary and not the page's fault: 503 tells proxies, crawlers and monitors so, where a 500
    would say the page is broken. The page is rendered without a request, so it needs no
    database.
    """
    error = sys.exc_info()[1]
    if not isinstance(error, OperationalError | InterfaceError):
        return defaults.server_error(request)
    response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    # Never let a proxy or a browser keep the outage page once the database is back.
    add_never_cache_headers(response)
    return response
