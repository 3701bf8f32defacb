"""System checks: configuration that would otherwise fail only on first use."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

REDIS_BACKENDS = {
    "django.core.cache.backends.redis.RedisCache",
    "tracker.caching.ForgivingRedisCache",
}


@register(Tags.caches)
def check_redis_client_installed(app_configs, **kwargs) -> list[Error]:
    """REDIS_URL without the redis client would start fine and fail on the first cache use."""
    uses_redis = any(cache["BACKEND"] in REDIS_BACKENDS for cache in settings.CACHES.values())
    if not uses_redis:
        return []
    try:
        import redis  # noqa: F401
    except ImportError:
        pass
    else:
        return []
    return [
        Error(
            "REDIS_URL is set, but the Python package 'redis' is not installed.",
            hint=(
                "Install the app's redis extra: make install (it installs "
                "config/requirements.lock, which includes it), or .venv/bin/pip install -e "
                "'.[redis]'. Or unset REDIS_URL."
            ),
            id="tracker.E001",
        )
    ]


@register(Tags.security, deploy=True)
def check_contact_email_set(app_configs, **kwargs) -> list[Warning]:
    """A public site nobody can write to cannot take corrections: /about/ would say so."""
    if settings.TRACKER_CONTACT_EMAIL:
        return []
    return [
        Warning(
            "TRACKER_CONTACT_EMAIL is not set: the about page tells visitors that this site "
            "has no contact address, and nobody can ask for a correction by email.",
            hint=(
                "Set TRACKER_CONTACT_EMAIL to an address someone reads, e.g. "
                "corrections@example.org, in the environment file (docs/deploy.md)."
            ),
            id="tracker.W001",
        )
    ]
