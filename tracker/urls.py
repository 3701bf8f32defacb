from django.urls import path

from tracker import views

app_name = "tracker"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    # /commitments/
    path("commitments/", views.CommitmentListView.as_view(), name="commitment-list"),
    path("commitments/<slug:slug>/", views.commitment_detail, name="commitment-detail"),
    # /statuses/
    path("statuses/", views.status_list, name="status-list"),
    # /themes/<slug>/, /actors/<slug>/, /sources/<slug>/
    path("themes/<slug:slug>/", views.theme_detail, name="theme-detail"),
    path("actors/<slug:slug>/", views.actor_detail, name="actor-detail"),
    path("sources/<slug:slug>/", views.source_detail, name="source-detail"),
    # /healthz, for load balancers (exempt from the https redirect in settings)
    path("healthz", views.healthz, name="healthz"),
]
