"""The site's URLs plus /bench/bare/: an empty response through the same middleware stack,
the most a worker can serve; `make bench` compares every page with it. Never on the site."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/bare/", bare),
    path("", include("config.urls")),
]
