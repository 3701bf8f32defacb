from django.conf import settings
from django.http import HttpRequest

from tracker.languages import language_links
from tracker.publisher import data_license, publisher


def site(request: HttpRequest) -> dict:
    """The site's name, for page titles and the header; the page's address for sharing; the
    same page in each language, for the switcher and the hreflang links; who publishes the
    site and the data's licence, for every page's footer and its <link rel="license">."""
    languages = language_links(request)
    return {
        "site_name": settings.TRACKER_SITE_NAME,
        # Without the query string: a filtered or paginated view shares the page's address.
        "canonical_url": request.build_absolute_uri(request.path),
        "language_links": languages,
        "publisher": publisher(),
        "data_license": data_license(),
        # x-default: the English address, which follows Accept-Language on a first visit.
        "default_language_url": next(
            (link["url"] for link in languages if link["code"] == settings.LANGUAGE_CODE), ""
        ),
    }
