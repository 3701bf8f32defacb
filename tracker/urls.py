from django.urls import path
from django.views.decorators.http import require_safe

from tracker import exports, feeds, views

app_name = "tracker"

# Every public view is read-only: it answers GET and HEAD (link checkers, caches, monitors ask
# with HEAD) and refuses anything else with 405. The views carry @require_safe themselves; the
# feeds are Feed instances, so they are wrapped here.

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    # /commitments/
    path("commitments/", views.CommitmentListView.as_view(), name="commitment-list"),
    path("commitments/export.csv", exports.commitments_csv, name="commitment-export-csv"),
    path("commitments/export.json", exports.commitments_json, name="commitment-export-json"),
    path("commitments/print/", views.commitment_print, name="commitment-print"),
    path("commitments/<slug:slug>/", views.commitment_detail, name="commitment-detail"),
    path(
        "commitments/<slug:slug>/feed/",
        require_safe(feeds.CommitmentFeed()),
        name="commitment-feed",
    ),
    path("commitments/<slug:slug>/badge.svg", views.commitment_badge, name="commitment-badge"),
    # /statuses/
    path("statuses/", views.status_list, name="status-list"),
    # /themes/, /themes/<slug>/, /actors/, /actors/<slug>/, /sources/<slug>/
    path("themes/", views.theme_list, name="theme-list"),
    path("themes/<slug:slug>/", views.theme_detail, name="theme-detail"),
    path("themes/<slug:slug>/feed/", require_safe(feeds.ThemeFeed()), name="theme-feed"),
    path("actors/", views.actor_list, name="actor-list"),
    path("actors/<slug:slug>/", views.actor_detail, name="actor-detail"),
    path("actors/<slug:slug>/feed/", require_safe(feeds.ActorFeed()), name="actor-feed"),
    path("sources/<slug:slug>/", views.source_detail, name="source-detail"),
    # /scorecard/, /members/, /members/<slug>/: member states' progress (issue 9)
    path("scorecard/", views.scorecard, name="scorecard"),
    path("scorecard/methodology/", views.methodology, name="methodology"),
    path("scorecard/export.csv", exports.scorecard_csv, name="scorecard-export-csv"),
    path("scorecard/export.json", exports.scorecard_json, name="scorecard-export-json"),
    path("members/", views.member_list, name="member-list"),
    path("members/<slug:slug>/", views.member_detail, name="member-detail"),
    path("members/<slug:slug>/feed/", require_safe(feeds.MemberFeed()), name="member-feed"),
    # /about/: who publishes the tracker, corrections, the data's licence
    path("about/", views.about, name="about"),
    # /charts/, /feeds/updates/, /data/
    path("charts/", views.chart_list, name="chart-list"),
    path("feeds/updates/", require_safe(feeds.UpdatesFeed()), name="feed-updates"),
    path("data/", exports.data, name="data"),
    path("data/dataset.json", exports.dataset_json, name="dataset-json"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("favicon.ico", views.favicon, name="favicon"),
    # /healthz, for load balancers (exempt from the https redirect in settings)
    path("healthz", views.healthz, name="healthz"),
]
