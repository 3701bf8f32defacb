"""The site's URLs plus /bench/bare/: an empty response through the same middleware stack,
the most a worker can serve; `make bench` compares every page with it. Never on the site."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


# The site's patterns themselves, not include()d: Django allows i18n_patterns (the language
# prefixes) only in the root URLconf.
urlpatterns = [path("bench/bare/", bare), *site_urlpatterns]
