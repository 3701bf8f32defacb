"""Create the "Editors" group: the least privilege needed for the daily editorial work.

Editors edit and publish commitments, record status updates (through a commitment's page; an
update is never edited or deleted afterwards), and create actors and themes. They read sources.
They delete nothing and cannot manage users or groups. Administrators are superusers.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "Editors"

# (model, actions): the group gets exactly these, so rerunning it also removes any others.
EDITOR_PERMISSIONS = [
    ("commitment", ["view", "add", "change", "publish"]),
    ("statusupdate", ["view", "add"]),
    ("actor", ["view", "add", "change"]),
    ("theme", ["view", "add", "change"]),
    ("source", ["view"]),
]


def create_editors_group(apps, schema_editor):
    # On a fresh database, permissions are only created after the last migration; make sure
    # the tracker's exist now. Safe to repeat: it creates only what is missing.
    tracker = apps.get_app_config("tracker")
    tracker.models_module = True
    create_permissions(tracker, apps=apps, verbosity=0)
    tracker.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = [
        f"{action}_{model}" for model, actions in EDITOR_PERMISSIONS for action in actions
    ]
    permissions = Permission.objects.filter(
        content_type__app_label="tracker", codename__in=codenames
    )
    missing = set(codenames) - set(permissions.values_list("codename", flat=True))
    if missing:
        raise RuntimeError(f"Permissions not found: {', '.join(sorted(missing))}")
    group, _ = Group.objects.get_or_create(name=EDITORS)
    group.permissions.set(permissions)


def delete_editors_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=EDITORS).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("tracker", "0002_editorial_workflow"),
    ]

    operations = [migrations.RunPython(create_editors_group, delete_editors_group)]
