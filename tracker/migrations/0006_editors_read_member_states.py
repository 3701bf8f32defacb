"""Editors read member groups and member states, to choose a commitment's group and filter by
member. The lists themselves are fixture data that administrators maintain."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "Editors"
CODENAMES = ["view_membergroup", "view_memberstate", "view_memberprogress"]


def grant(apps, schema_editor):
    tracker = apps.get_app_config("tracker")
    tracker.models_module = True
    create_permissions(tracker, apps=apps, verbosity=0)
    tracker.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=EDITORS)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="tracker", codename__in=CODENAMES)
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name=EDITORS):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="tracker", codename__in=CODENAMES)
        )


class Migration(migrations.Migration):
    dependencies = [("tracker", "0005_member_states")]

    operations = [migrations.RunPython(grant, revoke)]
