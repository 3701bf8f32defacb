"""Roles: what an anonymous visitor, an editor and an administrator may do in the admin.

Editors are staff in the "Editors" group that migration 0003 creates; administrators are
superusers. Status updates are immutable for everybody.
"""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.contrib.auth.models import Group, Permission, User

from tests import factories
from tests.forms import form_data
from tracker.models import Actor, Basis, Commitment, Source, Status, StatusUpdate, Theme

editors_migration = importlib.import_module("tracker.migrations.0003_editors_group")


@pytest.fixture
def objects(make_commitment, make_source, make_actor, make_theme) -> dict[str, int]:
    """One of everything, and the primary keys the admin addresses them by."""
    source = make_source()
    actor = make_actor()
    theme = make_theme()
    commitment = make_commitment(source=source, owner=actor, themes=[theme])
    update = commitment.record_update(
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 3, 1),
        note="Tender issued.",
        basis=Basis.SELF_REPORTED,
    )
    bare = make_commitment(title="Nothing recorded yet")
    return {
        "source": source.pk,
        "actor": actor.pk,
        "theme": theme.pk,
        "commitment": commitment.pk,
        "bare": bare.pk,
        "update": update.pk,
        "user": User.objects.create_user("someone").pk,
    }


def _client_for(persona: str, client):
    if persona == "editor":
        client.force_login(factories.make_editor())
    elif persona == "administrator":
        client.force_login(factories.make_user("administrator", is_superuser=True))
    return client


# (address, status for an editor, status for an administrator). Anonymous visitors are always
# sent to log in. 403 is Django's "permission denied".
PAGES = [
    ("/admin/", 200, 200),
    ("/admin/tracker/commitment/", 200, 200),
    ("/admin/tracker/commitment/add/", 200, 200),
    ("/admin/tracker/commitment/{commitment}/change/", 200, 200),
    ("/admin/tracker/commitment/{bare}/delete/", 403, 200),
    ("/admin/tracker/statusupdate/", 200, 200),
    ("/admin/tracker/statusupdate/{update}/change/", 200, 200),
    ("/admin/tracker/statusupdate/add/", 403, 403),
    ("/admin/tracker/statusupdate/{update}/delete/", 403, 403),
    ("/admin/tracker/actor/", 200, 200),
    ("/admin/tracker/actor/add/", 200, 200),
    ("/admin/tracker/actor/{actor}/change/", 200, 200),
    ("/admin/tracker/actor/{actor}/delete/", 403, 200),
    ("/admin/tracker/theme/", 200, 200),
    ("/admin/tracker/theme/add/", 200, 200),
    ("/admin/tracker/theme/{theme}/change/", 200, 200),
    ("/admin/tracker/theme/{theme}/delete/", 403, 200),
    ("/admin/tracker/source/", 200, 200),
    ("/admin/tracker/source/{source}/change/", 200, 200),
    ("/admin/tracker/source/add/", 403, 200),
    ("/admin/tracker/source/{source}/delete/", 403, 200),
    ("/admin/auth/user/", 403, 200),
    ("/admin/auth/user/add/", 403, 200),
    ("/admin/auth/user/{user}/change/", 403, 200),
    ("/admin/auth/group/", 403, 200),
]


@pytest.mark.parametrize("persona", ["anonymous", "editor", "administrator"])
@pytest.mark.parametrize(("page", "for_editor", "for_administrator"), PAGES)
def test_who_may_open_each_admin_page(
    client, objects, persona, page, for_editor, for_administrator
):
    url = page.format(**objects)

    response = _client_for(persona, client).get(url)

    if persona == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/?next=")
    else:
        expected = for_editor if persona == "editor" else for_administrator
        assert response.status_code == expected, url


def test_the_editors_group_has_exactly_the_least_privilege_permissions(db):
    group = factories.editors_group()

    assert sorted(group.permissions.values_list("content_type__model", "codename")) == [
        ("actor", "add_actor"),
        ("actor", "change_actor"),
        ("actor", "view_actor"),
        ("commitment", "add_commitment"),
        ("commitment", "change_commitment"),
        ("commitment", "publish_commitment"),
        ("commitment", "view_commitment"),
        ("membergroup", "view_membergroup"),
        ("memberprogress", "view_memberprogress"),
        ("memberstate", "view_memberstate"),
        ("source", "view_source"),
        ("statusupdate", "add_statusupdate"),
        ("statusupdate", "view_statusupdate"),
        ("theme", "add_theme"),
        ("theme", "change_theme"),
        ("theme", "view_theme"),
    ]


def test_the_group_migration_can_run_twice_and_be_reversed(db):
    group = factories.editors_group()
    group.permissions.add(Permission.objects.get(codename="delete_commitment"))

    factories.run_data_migration(editors_migration.create_editors_group)

    assert Group.objects.filter(name="Editors").count() == 1
    assert not group.permissions.filter(codename="delete_commitment").exists()
    assert group.permissions.count() == 13
    factories.run_data_migration(editors_migration.delete_editors_group)
    assert not Group.objects.filter(name="Editors").exists()


# Writes, not just pages


@pytest.mark.parametrize(("persona", "deleted"), [("editor", False), ("administrator", True)])
def test_only_an_administrator_can_delete_a_commitment(client, objects, persona, deleted):
    client = _client_for(persona, client)

    client.post(f"/admin/tracker/commitment/{objects['bare']}/delete/", {"post": "yes"})
    client.post(
        "/admin/tracker/commitment/",
        {"action": "delete_selected", "_selected_action": [objects["bare"]], "post": "yes"},
    )

    assert Commitment.objects.filter(pk=objects["bare"]).exists() is not deleted


def test_a_commitment_with_history_cannot_be_deleted_even_by_an_administrator(
    admin_client, objects
):
    response = admin_client.post(
        f"/admin/tracker/commitment/{objects['commitment']}/delete/", {"post": "yes"}
    )

    # The history is never deleted, so neither is a commitment that has one.
    html = response.content.decode()
    assert "<h1>Cannot delete commitment</h1>" in html
    assert '<ul id="deleted-objects">\t<li>status update</li></ul>' in html
    assert Commitment.objects.filter(pk=objects["commitment"]).exists()


@pytest.mark.parametrize(("persona", "deleted"), [("editor", False), ("administrator", True)])
def test_only_an_administrator_can_delete_sources_actors_and_themes(
    client, make_source, make_actor, make_theme, persona, deleted
):
    client = _client_for(persona, client)
    source, actor, theme = make_source(), make_actor(), make_theme()

    for model, obj in (("source", source), ("actor", actor), ("theme", theme)):
        client.post(f"/admin/tracker/{model}/{obj.pk}/delete/", {"post": "yes"})

    assert Source.objects.filter(pk=source.pk).exists() is not deleted
    assert Actor.objects.filter(pk=actor.pk).exists() is not deleted
    assert Theme.objects.filter(pk=theme.pk).exists() is not deleted


def test_an_editor_can_add_actors_and_themes_but_not_sources(editor_client):
    actor = editor_client.post(
        "/admin/tracker/actor/add/", {"slug": "asean", "name": "ASEAN", "kind": "group"}
    )
    theme = editor_client.post(
        "/admin/tracker/theme/add/", {"slug": "roads", "name": "Roads", "position": "1"}
    )
    source = editor_client.post(
        "/admin/tracker/source/add/",
        {
            "slug": "summit",
            "title": "Summit",
            "event_name": "Summit",
            "event_place": "Hanoi",
            "event_date": "2026-01-15",
            "full_text": "Text.",
        },
    )

    assert (actor.status_code, theme.status_code, source.status_code) == (302, 302, 403)
    assert Actor.objects.filter(slug="asean").exists()
    assert Theme.objects.filter(slug="roads").exists()
    assert not Source.objects.filter(slug="summit").exists()


def test_an_editor_cannot_change_a_source(editor_client, make_source):
    source = make_source(title="Report")

    response = editor_client.post(
        f"/admin/tracker/source/{source.pk}/change/", {"title": "Rewritten"}
    )

    assert response.status_code == 403
    source.refresh_from_db()
    assert source.title == "Report"


@pytest.mark.parametrize("persona", ["editor", "administrator"])
def test_nobody_can_change_or_delete_a_status_update(client, objects, persona):
    client = _client_for(persona, client)
    url = f"/admin/tracker/statusupdate/{objects['update']}/"

    changed = client.post(f"{url}change/", {"note": "Rewritten.", "as_of": "2026-03-01"})
    deleted = client.post(f"{url}delete/", {"post": "yes"})

    assert (changed.status_code, deleted.status_code) == (403, 403)
    assert StatusUpdate.objects.get(pk=objects["update"]).note == "Tender issued."


@pytest.mark.parametrize("persona", ["editor", "administrator"])
def test_an_editor_and_an_administrator_can_record_an_update(client, objects, persona):
    client = _client_for(persona, client)
    url = f"/admin/tracker/commitment/{objects['bare']}/change/"
    data = form_data(
        client,
        url,
        "commitment_form",
        new_status=Status.NOT_STARTED,
        as_of="2026-02-01",
        note="No tender yet.",
        basis=Basis.SELF_REPORTED,
    )

    assert client.post(url, data).status_code == 302
    assert Commitment.objects.get(pk=objects["bare"]).status == Status.NOT_STARTED


def test_editors_cannot_manage_users_or_groups(editor_client, objects):
    response = editor_client.post(
        "/admin/auth/user/add/",
        {"username": "intruder", "password1": "a-long-pass-phrase", "password2": "x"},
    )

    assert response.status_code == 403
    assert not User.objects.filter(username="intruder").exists()
    html = editor_client.get("/admin/").content.decode()
    assert "/admin/auth/user/" not in html
    assert "/admin/auth/group/" not in html


def _actions(client) -> list[str]:
    response = client.get("/admin/tracker/commitment/")
    return [name for name, _ in response.context["action_form"].fields["action"].choices if name]


def test_editors_get_the_editorial_actions_and_no_delete(editor_client, objects):
    assert _actions(editor_client) == ["change_status", "mark_reviewed", "publish", "unpublish"]


def test_administrators_also_get_delete(admin_client, objects):
    assert _actions(admin_client) == [
        "change_status",
        "mark_reviewed",
        "publish",
        "unpublish",
        "delete_selected",
    ]


# Narrower roles an administrator may set up: the custom permissions hold on their own.


def _staff_with(*codenames: str):
    user = factories.make_user("contributor")
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


def test_without_the_publish_permission_publication_is_read_only(client, make_commitment):
    commitment = make_commitment(title="Bridge", is_published=False)
    client.force_login(_staff_with("view_commitment", "change_commitment", "add_statusupdate"))
    url = f"/admin/tracker/commitment/{commitment.pk}/change/"

    data = form_data(client, url, "commitment_form", is_published="on")
    response = client.post(url, data)

    assert response.status_code == 302
    assert Commitment.objects.get(pk=commitment.pk).is_published is False
    assert _actions(client) == ["change_status", "mark_reviewed"]


def test_without_the_add_status_update_permission_no_update_can_be_recorded(
    client, make_commitment
):
    commitment = make_commitment(title="Bridge")
    client.force_login(_staff_with("view_commitment", "change_commitment"))
    url = f"/admin/tracker/commitment/{commitment.pk}/change/"

    data = form_data(client, url, "commitment_form")
    assert "new_status" not in data
    data.update(
        new_status=[Status.COMPLETED], as_of=["2026-03-01"], note=["Done."], basis=["independent"]
    )
    response = client.post(url, data)

    assert response.status_code == 302
    assert not StatusUpdate.objects.exists()
    assert Commitment.objects.get(pk=commitment.pk).status == Status.NOT_ASSESSED
    assert "change_status" not in _actions(client)
