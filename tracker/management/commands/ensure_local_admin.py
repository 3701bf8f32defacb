import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "For local development only: create an administrator account with a random password, "
        "printed once, unless an administrator already exists."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--admin-url", default="http://127.0.0.1:8000/admin/", help="Where to log in."
        )

    def handle(self, *args, admin_url: str, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "ensure_local_admin runs only with DJANGO_DEBUG=1. In production, create "
                "accounts with `manage.py createsuperuser`."
            )
        User = get_user_model()
        existing = list(
            User.objects.filter(is_superuser=True, is_active=True).values_list(
                "username", flat=True
            )
        )
        if existing:
            name = existing[0]
            self.stdout.write(
                f"Log into {admin_url} as {', '.join(existing)}. Forgot the password? "
                f"Run: .venv/bin/python manage.py changepassword {name}"
            )
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username="admin", email="", password=password)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created a local administrator. Log into {admin_url} as admin with password "
                f"{password}\n(shown only this once; change it with "
                ".venv/bin/python manage.py changepassword admin)"
            )
        )
