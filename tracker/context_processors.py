from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    """The site's name, for page titles and the header, and the page's address for sharing."""
    return {
        "site_name": settings.TRACKER_SITE_NAME,
        # Without the query string: a filtered or paginated view shares the page's address.
        "canonical_url": request.build_absolute_uri(request.path),
    }
