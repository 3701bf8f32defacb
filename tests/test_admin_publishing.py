"""Publishing: commitments start as drafts; publish and unpublish actions; drafts stay private."""

from __future__ import annotations

from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission

from tests import factories
from tracker.models import Commitment

CHANGELIST = "/admin/tracker/commitment/"


def _run(client, action: str, *commitments: Commitment):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [c.pk for c in commitments]},
        follow=True,
    )


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_publishing_drafts_puts_them_on_the_public_site_and_says_how_many(
    editor_client, editor, client, make_commitment
):
    first = make_commitment(slug="first", is_published=False)
    second = make_commitment(slug="second", is_published=False)
    live = make_commitment(slug="live")
    assert client.get("/commitments/first/").status_code == 404

    response = _run(editor_client, "publish", first, second, live)

    assert _messages(response) == ["Published 2 commitments. 1 was already published."]
    assert client.get("/commitments/first/").status_code == 200
    assert client.get("/commitments/second/").status_code == 200
    first.refresh_from_db()
    live.refresh_from_db()
    assert (first.is_published, first.version, first.updated_by) == (True, 2, editor)
    # Nothing changed on the one already published, so nothing moved on.
    assert live.version == 1
    # Each commitment's history in the admin says who published it.
    logged = LogEntry.objects.values_list("object_id", "user__username", "change_message")
    assert sorted(logged) == sorted(
        [(str(first.pk), "editor", "Published."), (str(second.pk), "editor", "Published.")]
    )
    history = editor_client.get(f"{CHANGELIST}{first.pk}/history/").content.decode()
    assert "Published." in history


def test_unpublishing_takes_a_commitment_off_the_public_site(
    editor_client, client, make_commitment
):
    commitment = make_commitment(slug="bridge", title="Build the bridge")

    response = _run(editor_client, "unpublish", commitment)

    assert _messages(response) == ["Unpublished 1 commitment."]
    assert client.get("/commitments/bridge/").status_code == 404
    assert "Build the bridge" not in client.get("/commitments/").content.decode()
    commitment.refresh_from_db()
    assert (commitment.is_published, commitment.version) == (False, 2)


def test_a_commitment_added_in_the_admin_starts_as_a_draft(
    editor_client, editor, make_source, make_actor
):
    source, actor = make_source(), make_actor()

    response = editor_client.post(
        f"{CHANGELIST}add/",
        {
            "title": "Build the bridge",
            "slug": "bridge",
            "source": source.pk,
            "position": "1",
            "summary": "A bridge.",
            "quote": "The leaders promised to build a bridge.",
            "proposer": actor.pk,
            "owner": actor.pk,
            "kind": "proposal",
        },
    )

    assert response.status_code == 302
    commitment = Commitment.objects.get(slug="bridge")
    assert commitment.kind == "proposal"
    assert (commitment.is_published, commitment.version, commitment.updated_by) == (
        False,
        1,
        editor,
    )


def test_without_the_publish_permission_the_actions_do_nothing(client, make_commitment):
    draft = make_commitment(is_published=False)
    user = factories.make_user("contributor")
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_commitment", "change_commitment"])
    )
    client.force_login(user)

    response = _run(client, "publish", draft)

    assert _messages(response) == ["No action selected."]
    draft.refresh_from_db()
    assert draft.is_published is False
