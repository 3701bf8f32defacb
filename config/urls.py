from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Commitments Tracker administration"
admin.site.site_title = "Commitments Tracker admin"
admin.site.index_title = "Commitments, sources and status updates"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("tracker.urls")),
]
