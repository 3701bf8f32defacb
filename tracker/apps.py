from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = _("Commitments tracker")

    def ready(self) -> None:
        from tracker import (
            checks,  # noqa: F401  (registers the system checks)
            search_index,
        )
        from tracker.caching import connect_signals

        connect_signals(self)
        search_index.connect_signals(self)
