"""Error pages: the server error and its one exception, a database that cannot be reached;
and a post too large to read."""

from __future__ import annotations

import sys

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.template.defaultfilters import filesizeformat
from django.urls import NoReverseMatch, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext
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


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: 413 with a page saying what happened for a post over
    DATA_UPLOAD_MAX_MEMORY_SIZE, else Django's own 400.

    Django refuses such a post before reading it (RequestDataTooBig, raised where the form is
    first read), so the editor's text is not here to give back: the page says so, and that the
    browser's Back button usually still has it. The limit is set well above what any form's
    length limits let it post (config/settings.py), so an over-long note normally reaches its
    form and comes back with the field's error and the text kept.
    """
    if not isinstance(exception, RequestDataTooBig):
        return defaults.bad_request(request, exception)
    ctx = {
        "title": gettext("Too large to send"),
        "size": _posted_size(request),
        "limit": filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE),
    }
    template = "413.html"
    if _is_admin(request):
        # The admin's look, header and breadcrumbs: the editor is still in the admin.
        ctx.update(admin.site.each_context(request))
        template = "admin/too_large.html"
    response = render(request, template, ctx, status=413)
    add_never_cache_headers(response)
    return response


def _posted_size(request: HttpRequest) -> str:
    try:
        size = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return ""
    return filesizeformat(size) if size else ""


def _is_admin(request: HttpRequest) -> bool:
    try:
        return request.path_info.startswith(reverse("admin:index"))
    except NoReverseMatch:  # a URLconf without the admin (a test's, say)
        return False
