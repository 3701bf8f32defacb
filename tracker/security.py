"""Security glue: the one exception to "never framed", and django-axes' hooks.

Everything else about security is configuration in config/settings.py.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import wraps

from axes.helpers import get_cool_off
from csp.decorators import csp_replace
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_exempt


def allow_embedding(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let other sites embed this view's response, e.g. a status badge.

    Every other response forbids framing (CSP `frame-ancestors 'none'` and
    `X-Frame-Options: DENY`). This lifts both for one view and adds
    `Cross-Origin-Resource-Policy: cross-origin`, so pages that isolate themselves (COEP) can
    still show it in an <img>. Use it only on responses that carry no private data and no
    controls, since a framing site may overlay them:

        @require_safe
        @allow_embedding
        def commitment_badge(request, slug): ...
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Cross-Origin-Resource-Policy"] = "cross-origin"
        return response

    return xframe_options_exempt(csp_replace({"frame-ancestors": ["*"]})(wrapped))


def client_ip(request: HttpRequest) -> str | None:
    """The client's address for login throttling, trusting X-Forwarded-For only behind a proxy.

    A proxy appends the address it received the request from to X-Forwarded-For, after
    whatever the client sent; so the trustworthy entry is the one DJANGO_PROXY_COUNT places from
    the right. Everything to its left is the client's to invent.
    """
    remote_addr = request.META.get("REMOTE_ADDR")
    if not settings.BEHIND_PROXY:
        return remote_addr
    forwarded = [
        address.strip()
        for address in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if address.strip()
    ]
    if len(forwarded) < settings.PROXY_COUNT:
        # The proxy did not set the header: it is misconfigured, or this request bypassed it.
        return remote_addr
    return forwarded[-settings.PROXY_COUNT]


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """The page shown instead of the login form while a username and address are locked out."""
    cool_off: datetime.timedelta = get_cool_off(request)
    # Each attempt during a lockout restarts the cool-off (AXES_RESET_COOL_OFF_ON_FAILURE_
    # DURING_LOCKOUT), so the wait ends one cool-off after this attempt.
    attempt_time = getattr(request, "axes_attempt_time", None) or timezone.now()
    ctx = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cool_off_minutes": round(cool_off.total_seconds() / 60),
        "retry_at": attempt_time + cool_off,
    }
    response = render(request, "tracker/login_locked_out.html", ctx, status=429)
    response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
