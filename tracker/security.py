"""Security glue: the one exception to "never framed", proxy trust, and django-axes' hooks.

Everything else about security is configuration in config/settings.py.
"""

from __future__ import annotations

import datetime
import ipaddress
from collections.abc import Callable
from functools import lru_cache, wraps

from axes.helpers import get_cool_off
from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.decorators import csp_replace
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
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


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's middleware, minus the work for responses that need no new policy.

    A page served from the page cache (tracker.caching) was stored with the header this
    middleware gave it when it was rendered; django-csp would build the policy again (twice:
    enforced and report-only) only to keep the header it finds: about a tenth of a cache hit.
    A 304 has no body for a policy to govern: the browser keeps the policy of the page it
    revalidated. Building it was a fifth of a 304.
    """

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        report_only = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
        has_policy = HEADER in response and (not report_only or HEADER_REPORT_ONLY in response)
        if not has_policy and response.status_code != 304:
            return super().process_response(request, response)
        if getattr(request, "_csp_nonce", None) is None:
            # As django-csp does: a nonce asked for after the header was written is an error.
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


# What a client could forge to pass for someone else, or for a visitor on https.
FORWARDED_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
)


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def is_trusted_proxy(address: str | None) -> bool:
    """Whether `address` is one of DJANGO_TRUSTED_PROXIES, with DJANGO_BEHIND_PROXY on."""
    if not settings.BEHIND_PROXY or not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


class TrustedProxyMiddleware:
    """Drop X-Forwarded-* headers unless the request comes from a trusted proxy.

    Behind nginx, the app believes X-Forwarded-Proto (is this https?) and X-Forwarded-For (who
    is the client?). If gunicorn can be reached past nginx, anyone could send those headers
    themselves, pass for a new address on every wrong password and never be locked out. Removing
    them here, first in the middleware, means neither Django nor django-axes ever sees a header
    that the proxy did not send.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_trusted_proxy(request.META.get("REMOTE_ADDR")):
            for header in FORWARDED_HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address for login throttling, from X-Forwarded-For only via a trusted proxy.

    A proxy appends the address it received the request from to X-Forwarded-For, after
    whatever the client sent; so the trustworthy entry is the one DJANGO_PROXY_COUNT places from
    the right. Everything to its left is the client's to invent.
    """
    remote_addr = request.META.get("REMOTE_ADDR")
    # TrustedProxyMiddleware has already dropped the header from anybody else; this check
    # keeps the function safe on its own.
    if not is_trusted_proxy(remote_addr):
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
