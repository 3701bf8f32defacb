from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.decorators.http import require_safe

from tracker.sitemaps import SITEMAPS

admin.site.site_header = "Commitments Tracker administration"
admin.site.site_title = "Commitments Tracker admin"
admin.site.index_title = "Commitments, sources and status updates"

urlpatterns = [
    path("admin/", admin.site.urls),
    # GET and HEAD only, like every public view.
    path("sitemap.xml", require_safe(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
    path("", include("tracker.urls")),
]

# A database outage answers 503 with Retry-After; anything else, the usual 500 page.
handler500 = "tracker.errors.server_error"
