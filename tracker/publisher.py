"""Who publishes the tracker and under what licence its data may be reused, from the settings.

One place for the words a reuser copies (the attribution line) and for the licence's link, so
the pages, the footer, dataset.json and the downloads' Link header never disagree.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation


def data_license() -> dict[str, str]:
    """The licence of the data: its name and the address of its text."""
    return {"name": settings.TRACKER_DATA_LICENSE_NAME, "url": settings.TRACKER_DATA_LICENSE_URL}


def publisher() -> dict[str, str]:
    """Who publishes this deployment, and their own site (empty when not configured)."""
    return {"name": settings.TRACKER_PUBLISHER, "url": settings.TRACKER_PUBLISHER_URL}


def site_url(request: HttpRequest) -> str:
    """The site's front page as an absolute address, in English: the address a credit names
    is the same whichever language the page crediting it was read in."""
    with translation.override(settings.LANGUAGE_CODE):
        return request.build_absolute_uri(reverse("tracker:dashboard"))


def attribution(site_url: str) -> str:
    """The credit line a reuser gives, in English as the data format is: it names no page of
    one language, and a citation is copied, not read in the visitor's language."""
    return (
        f"{settings.TRACKER_PUBLISHER}, {site_url}, licensed under "
        f"{settings.TRACKER_DATA_LICENSE_NAME} ({settings.TRACKER_DATA_LICENSE_URL})"
    )


def add_license_link(response: HttpResponse) -> HttpResponse:
    """Name the licence in the response itself (RFC 8288), so a file fetched by a script
    carries its terms even where nobody reads the /data/ page."""
    response["Link"] = f'<{settings.TRACKER_DATA_LICENSE_URL}>; rel="license"'
    return response
