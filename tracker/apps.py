from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = _("Commitments tracker")

    def ready(self) -> None:
        # Registers the system checks.
        from tracker import checks, tallies  # noqa: F401
        from tracker.caching import connect_signals

        connect_signals(self)
        # The precomputed figures, for writes Django makes without the models' methods.
        tallies.connect_signals()
