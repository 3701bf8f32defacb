from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemaps
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from tracker.languages import choose_language
from tracker.sitemaps import SITEMAPS

admin.site.site_header = _("Commitments Tracker administration")
admin.site.site_title = _("Commitments Tracker admin")
admin.site.index_title = _("Commitments, sources and status updates")

urlpatterns = [
    path("admin/", admin.site.urls),
    # A sitemap index with one sitemap per section, the commitments' in pages: one sitemap of
    # 10,000 addresses took seconds to render. GET and HEAD only, like every public view.
    path(
        "sitemap.xml",
        require_safe(sitemaps.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        require_safe(sitemaps.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    # The language switcher's links: remember the choice, then show the page in it.
    path("language/<str:code>/", choose_language, name="choose-language"),
]
# Every public page in each language: English at the root, as it always was, and /vi/…,
# /id/… (docs/languages.md).
urlpatterns += i18n_patterns(path("", include("tracker.urls")), prefix_default_language=False)

# A database outage answers 503 with Retry-After; anything else, the usual 500 page.
handler500 = "tracker.errors.server_error"
# A post over the upload limit answers 413 with a page saying what happened.
handler400 = "tracker.errors.bad_request"
