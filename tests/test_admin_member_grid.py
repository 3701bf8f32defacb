"""The admin's member grid, member filters and member admins: several members' statuses at once."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from tests.forms import form_data
from tracker.models import (
    WEB_URL_MESSAGE,
    Basis,
    Commitment,
    MemberProgress,
    Status,
    StatusUpdate,
    derive_status,
)

CHANGELIST = "/admin/tracker/commitment/"


def _grid_url(commitment) -> str:
    return f"/admin/tracker/commitment/{commitment.pk}/members/"


@pytest.fixture
def group(make_group, make_member):
    group = make_group(slug="asean", name="ASEAN")
    for position, (slug, name) in enumerate(
        [("cambodia", "Cambodia"), ("lao-pdr", "Lao PDR"), ("viet-nam", "Viet Nam")], 1
    ):
        make_member(group=group, slug=slug, name=name, position=position)
    return group


@pytest.fixture
def commitment(make_commitment, group):
    return make_commitment(member_group=group, title="Develop domestic data centres")


def _post(commitment, version=None, **rows) -> dict:
    data = {
        "as_of": "2026-03-01",
        "note": "National reports to the ministers.",
        "evidence_url": "https://example.org/reports",
        "basis": Basis.SECRETARIAT_VERIFIED,
        "is_public": "on",
        "version": str(commitment.version if version is None else version),
    }
    for slug, value in rows.items():
        slug = slug.replace("_", "-")
        if isinstance(value, tuple):
            data[f"status-{slug}"], data[f"note-{slug}"] = value
        else:
            data[f"status-{slug}"] = value
    return data


def _statuses(commitment) -> dict[str, str]:
    return dict(commitment.member_progress.values_list("member__slug", "status"))


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (StatusUpdate, MemberProgress)}


def test_the_grid_lists_every_member_with_its_current_status(editor_client, commitment):
    response = editor_client.get(_grid_url(commitment))

    assert response.status_code == 200
    html = response.content.decode()
    for name in ("Cambodia", "Lao PDR", "Viet Nam"):
        assert f'<th scope="row">{name}</th>' in html
    assert "Not yet assessed, as of 15 January 2026" in html
    assert f'name="version" value="{commitment.version}"' in html


def test_an_editor_records_several_members_at_once_each_as_its_own_update(
    editor_client, editor, commitment
):
    response = editor_client.post(
        _grid_url(commitment),
        _post(
            commitment,
            cambodia=Status.COMPLETED,
            viet_nam=(Status.IN_PROGRESS, "Two of five sites built."),
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == f"/admin/tracker/commitment/{commitment.pk}/change/"
    assert _statuses(commitment) == {
        "cambodia": Status.COMPLETED,
        "lao-pdr": Status.NOT_ASSESSED,
        "viet-nam": Status.IN_PROGRESS,
    }
    updates = {u.member.slug: u for u in StatusUpdate.objects.select_related("member")}
    assert set(updates) == {"cambodia", "viet-nam"}
    # The shared note where a row has none of its own; the row's own note otherwise.
    assert updates["cambodia"].note == "National reports to the ministers."
    assert updates["viet-nam"].note == "Two of five sites built."
    assert {u.author for u in updates.values()} == {editor}
    assert {u.evidence_url for u in updates.values()} == {"https://example.org/reports"}
    commitment.refresh_from_db()
    assert commitment.version == 2
    page = editor_client.get(response["Location"]).content.decode()
    assert "Recorded 2 member states’ statuses as of 1 March 2026" in page
    assert "Assessed 2 of 3" in page
    # The commitment's status is worked out from its members' (docs/methodology.md).
    assert commitment.status == derive_status(
        MemberProgress.objects.filter(commitment=commitment).values_list("status", flat=True)
    )
    assert commitment.status != Status.NOT_ASSESSED


def test_a_stale_grid_is_refused_whole_naming_who_saved_meanwhile(
    editor_client, other_editor, commitment
):
    loaded = commitment.version
    # A progress note on the whole commitment, which keeps its status.
    Commitment.objects.get(pk=commitment.pk).record_update(
        status=Status.NOT_ASSESSED,
        as_of=datetime.date(2026, 2, 1),
        note="Work plan agreed.",
        basis=Basis.INDEPENDENT,
        author=other_editor,
    )
    before = _counts()

    response = editor_client.post(
        _grid_url(commitment),
        _post(commitment, version=loaded, cambodia=Status.COMPLETED, viet_nam=Status.DELAYED),
    )

    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert "other-editor saved this commitment on" in errors[0]
    assert "nothing has been recorded" in errors[0]
    assert _counts() == before
    assert set(_statuses(commitment).values()) == {Status.NOT_ASSESSED}
    # The page now carries the latest version and keeps the editor's choices.
    html = response.content.decode()
    assert f'name="version" value="{loaded + 1}"' in html
    assert '<option value="completed" selected>' in html


def test_one_bad_row_refuses_every_row_and_is_named(editor_client, commitment):
    Commitment.objects.get(pk=commitment.pk).record_update(
        member=commitment.member_progress.get(member__slug="viet-nam").member,
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 4, 1),
        note="Sites tendered.",
        basis=Basis.SELF_REPORTED,
    )
    commitment.refresh_from_db()
    before = _counts()

    response = editor_client.post(
        _grid_url(commitment),
        _post(commitment, cambodia=Status.COMPLETED, viet_nam=Status.DELAYED),
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["status-viet-nam"] == [
        "As of: The as-of date cannot be before that of the latest update, 1 April 2026: the "
        "timeline must end with the current status. To put an earlier update right, record a "
        "correction dated 1 April 2026 or later that says what was wrong."
    ]
    assert "status-cambodia" not in form.errors
    assert _counts() == before
    assert _statuses(commitment)["cambodia"] == Status.NOT_ASSESSED


def test_a_grid_with_no_status_chosen_records_nothing(editor_client, commitment):
    response = editor_client.post(_grid_url(commitment), _post(commitment))

    assert response.status_code == 200
    assert (
        "Choose a new status for at least one member state"
        in (response.context["form"].non_field_errors()[0])
    )
    assert not StatusUpdate.objects.exists()


def test_a_row_needs_a_note_of_its_own_or_the_shared_one(editor_client, commitment):
    data = _post(commitment, lao_pdr=Status.NOT_STARTED)
    data["note"] = ""

    response = editor_client.post(_grid_url(commitment), data)

    assert response.context["form"].errors["note-lao-pdr"][0].startswith("Write a note for Lao PDR")
    assert not StatusUpdate.objects.exists()


def test_an_internal_change_of_status_is_refused_on_its_row(editor_client, commitment):
    data = _post(commitment, cambodia=Status.COMPLETED)
    del data["is_public"]

    response = editor_client.post(_grid_url(commitment), data)

    assert (
        response.context["form"]
        .errors["status-cambodia"][0]
        .startswith("Public: A change of status is always public.")
    )
    assert not StatusUpdate.objects.exists()


def test_a_joint_commitment_has_no_grid_to_fill(editor_client, make_commitment):
    joint = make_commitment()

    response = editor_client.get(_grid_url(joint))

    assert response.status_code == 200
    assert "is not carried out member state by member state" in response.content.decode()
    assert "member-grid-form" not in response.content.decode()


def test_the_grid_needs_the_permission_to_record_updates(client, editor, commitment):
    editor.groups.clear()
    editor.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_commitment", "change_commitment"])
    )
    client.force_login(editor)

    assert client.get(_grid_url(commitment)).status_code == 403
    assert (
        client.post(_grid_url(commitment), _post(commitment, cambodia="completed")).status_code
        == 403
    )
    assert not StatusUpdate.objects.exists()


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, commitment):
    response = client.get(_grid_url(commitment))

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_an_unknown_commitment_is_a_404(admin_client, db):
    assert admin_client.get("/admin/tracker/commitment/999999/members/").status_code == 404
    assert admin_client.get("/admin/tracker/commitment/nope/members/").status_code == 404


@pytest.mark.parametrize("members", [1, 11])
def test_the_grid_runs_a_fixed_number_of_queries(
    members, admin_client, make_group, make_commitment, django_assert_num_queries
):
    group = make_group(members=members)
    commitment = make_commitment(member_group=group)

    # 1 session, 2 user, 3 the commitment with its source, 4 its progress rows with members.
    with django_assert_num_queries(4):
        response = admin_client.get(_grid_url(commitment))

    assert response.status_code == 200
    assert len(response.context["form"].rows) == members


# The commitments changelist and change page


def test_the_changelist_filters_by_member_and_by_not_assessed_for_member(
    admin_client, commitment, make_commitment, group
):
    joint = make_commitment(title="A joint commitment")
    other = make_commitment(member_group=group, title="Train engineers")
    cambodia = group.members.get(slug="cambodia")
    commitment.record_update(
        member=cambodia,
        status=Status.COMPLETED,
        as_of=datetime.date(2026, 2, 1),
        note="Opened.",
        basis=Basis.SELF_REPORTED,
    )

    tracked = admin_client.get(CHANGELIST, {"member": "cambodia"})
    waiting = admin_client.get(CHANGELIST, {"not_assessed_for": "cambodia"})

    assert {c.pk for c in tracked.context["cl"].result_list} == {commitment.pk, other.pk}
    assert {c.pk for c in waiting.context["cl"].result_list} == {other.pk}
    assert joint.pk not in {c.pk for c in tracked.context["cl"].result_list}
    html = tracked.content.decode()
    assert f'href="/admin/tracker/commitment/{commitment.pk}/members/">Assessed 1 of 3</a>' in html


@pytest.mark.parametrize("rows", [1, 40])
def test_the_changelist_with_member_rows_runs_a_fixed_number_of_queries(
    rows, admin_client, make_group, make_commitment, make_source, django_assert_num_queries
):
    group = make_group(members=11)
    source = make_source()
    for _ in range(rows):
        make_commitment(member_group=group, source=source)

    member = group.members.first()

    # 1 session, 2 user, 3-5 the theme, owner and source filter choices, 6 the member states
    # for both member filters, 7 count of the filtered rows (no second count of all rows),
    # 8 the rows with their owners and (by subquery) last updates and member figures.
    with django_assert_num_queries(8):
        response = admin_client.get(CHANGELIST, {"member": member.slug})

    assert response.status_code == 200
    # 25 rows a page (CommitmentAdmin.list_per_page); the filtered count covers them all.
    assert len(response.context["cl"].result_list) == min(rows, 25)
    assert response.context["cl"].result_count == rows


def test_the_change_page_links_to_the_grid_and_sets_the_group(admin_client, make_commitment, group):
    commitment = make_commitment()
    url = f"/admin/tracker/commitment/{commitment.pk}/change/"

    response = admin_client.post(
        url, form_data(admin_client, url, "commitment_form", member_group=str(group.pk))
    )

    assert response.status_code == 302
    assert set(_statuses(commitment).values()) == {Status.NOT_ASSESSED}
    assert len(_statuses(commitment)) == 3
    page = admin_client.get(url).content.decode()
    assert f'Assessed 0 of 3. <a href="/admin/tracker/commitment/{commitment.pk}/members/">' in page


def test_the_group_cannot_be_removed_once_a_member_has_a_history(admin_client, commitment, group):
    commitment.record_update(
        member=group.members.get(slug="viet-nam"),
        status=Status.IN_PROGRESS,
        as_of=datetime.date(2026, 2, 1),
        note="Work began.",
        basis=Basis.SELF_REPORTED,
    )
    commitment.refresh_from_db()
    url = f"/admin/tracker/commitment/{commitment.pk}/change/"

    response = admin_client.post(
        url, form_data(admin_client, url, "commitment_form", member_group="")
    )

    assert response.status_code == 200
    assert (
        response.context["adminform"]
        .form.errors["member_group"][0]
        .startswith("Cannot change: Viet Nam already has a status history on this commitment")
    )
    assert Commitment.objects.get(pk=commitment.pk).member_group == group
    assert len(_statuses(commitment)) == 3


# Member groups and member states


@pytest.mark.parametrize("members", [1, 11])
def test_the_member_state_changelist_runs_a_fixed_number_of_queries(
    members, admin_client, make_group, django_assert_num_queries
):
    make_group(members=members)
    ContentType.objects.clear_cache()

    # 1 session, 2 user, 3 the group filter's choices, 4 count of the filtered rows, 5 count of
    # all rows, 6 the rows with their groups and counts.
    with django_assert_num_queries(6):
        response = admin_client.get("/admin/tracker/memberstate/")

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == members


@pytest.mark.parametrize("groups", [1, 5])
def test_the_member_group_changelist_runs_a_fixed_number_of_queries(
    groups, admin_client, make_group, django_assert_num_queries
):
    for _ in range(groups):
        make_group(members=3)

    # 1 session, 2 user, 3 count of the filtered rows, 4 count of all rows, 5 the rows.
    with django_assert_num_queries(5):
        response = admin_client.get("/admin/tracker/membergroup/")

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == groups


def test_editors_can_read_member_states_but_not_change_them(editor_client, group):
    assert editor_client.get("/admin/tracker/memberstate/").status_code == 200
    member = group.members.first()
    response = editor_client.post(
        f"/admin/tracker/memberstate/{member.pk}/change/", {"name": "Renamed"}
    )
    assert response.status_code == 403


def test_an_evidence_link_without_its_scheme_is_refused_as_on_the_commitment_form(
    editor_client, commitment
):
    data = _post(commitment, cambodia=Status.COMPLETED)
    data["evidence_url"] = "asean.org/x"
    before = _counts()

    response = editor_client.post(_grid_url(commitment), data)

    assert response.status_code == 200
    assert response.context["form"].errors["evidence_url"] == [str(WEB_URL_MESSAGE)]
    assert _counts() == before


def test_a_future_as_of_date_is_flagged_on_the_first_submit_with_the_other_errors(
    editor_client, commitment
):
    data = _post(commitment, cambodia=Status.COMPLETED)
    data["as_of"] = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    data["note"] = ""  # and the row has no note of its own: a second thing to correct
    before = _counts()

    response = editor_client.post(_grid_url(commitment), data)

    errors = response.context["form"].errors
    assert "cannot be in the future" in errors["as_of"][0]
    assert "note-cambodia" in errors
    assert _counts() == before
