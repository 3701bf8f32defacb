from django.contrib import admin
from django.contrib.sitemaps import views as sitemaps
from django.urls import include, path
from django.views.decorators.http import require_safe

from tracker.sitemaps import SITEMAPS

admin.site.site_header = "Commitments Tracker administration"
admin.site.site_title = "Commitments Tracker admin"
admin.site.index_title = "Commitments, sources and status updates"

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
    path("", include("tracker.urls")),
]

# A database outage answers 503 with Retry-After; anything else, the usual 500 page.
handler500 = "tracker.errors.server_error"
