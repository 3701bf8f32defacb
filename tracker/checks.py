"""System checks: configuration that would otherwise fail only on first use."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register

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
